"""Store.delete_document: a document goes with everything that hangs from it, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from veille.pipeline import ingest
from veille.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TABLES = ("documents", "paragraphs", "actor_mentions", "events", "event_participants")


def table_counts(store: Store) -> dict[str, int]:
    return {
        table: store.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
        for table in TABLES
    }


def rows_of(store: Store, doc_id: str) -> dict[str, int]:
    counts = {
        table: store.connection.execute(
            f"SELECT count(*) FROM {table} WHERE doc_id = ?", [doc_id]
        ).fetchone()[0]  # type: ignore[index]
        for table in TABLES[:-1]
    }
    counts["event_participants"] = store.connection.execute(
        "SELECT count(*) FROM event_participants p JOIN events e USING (event_id)"
        " WHERE e.doc_id = ?",
        [doc_id],
    ).fetchone()[0]  # type: ignore[index]
    return counts


def test_delete_document_removes_it_and_only_it(tmp_path: Path, pipeline: Any) -> None:
    db = str(tmp_path / "delete.duckdb")
    ingest([str(EXAMPLES)], db=db, pipeline=pipeline)
    with Store(db) as store:
        before = table_counts(store)
        (doc_id,) = store.connection.execute(
            "SELECT doc_id FROM events GROUP BY doc_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        owned = rows_of(store, doc_id)
        assert owned["events"] > 0 and owned["event_participants"] > 0 and owned["paragraphs"] > 0
        assert store.delete_document(doc_id)
        assert not store.has_document(doc_id)
        assert rows_of(store, doc_id) == dict.fromkeys(TABLES, 0)
        assert table_counts(store) == {t: before[t] - owned[t] for t in TABLES}
        assert not store.delete_document(doc_id)
        assert not store.delete_document("' OR 1=1 --")
        assert table_counts(store) == {t: before[t] - owned[t] for t in TABLES}
    # Deleted documents can be ingested again.
    summary = ingest([str(EXAMPLES)], db=db, pipeline=pipeline)
    assert summary.documents_stored == 1
    with Store(db, read_only=True) as store:
        assert table_counts(store) == before


@pytest.mark.parametrize("doc_id", ["", "sha256:", "%", "sha256:00"])
def test_delete_unknown_document_is_false(tmp_path: Path, doc_id: str) -> None:
    with Store(str(tmp_path / "empty.duckdb")) as store:
        assert store.delete_document(doc_id) is False
