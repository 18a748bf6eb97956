from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from veille.model import (
    Actor,
    ActorMention,
    CleanDocument,
    Document,
    DocumentResult,
    Event,
    Paragraph,
    ResolvedDate,
)
from veille.store import EventFilter, Store, StoreError, migrations

TEXT = "Le Maroc et le Mali coopèrent. Le Front Polisario a bombardé Smara."
MAR = Actor("MAR", ("GOV",), "Maroc", "Le Maroc")
MLI = Actor("MLI", ("GOV",), "Mali", "le Mali")
POLISARIO = Actor("ESH", ("REB",), "Front Polisario", "Le Front Polisario")


def _result(text: str = TEXT, published: date | None = date(2024, 3, 1)) -> DocumentResult:
    document = Document(Document.content_id(text), "a.txt", text, "txt", published=published)
    paragraph = Paragraph(0, len(text), text, "fr", True)
    clean = CleanDocument(document, (paragraph,))
    mentions = (ActorMention(MAR, 0, 8, "country"), ActorMention(MLI, 12, 19, "country"))
    events = (
        Event(
            document.doc_path,
            document.doc_id,
            "COOPERATE",
            [MAR, MLI],
            [],
            text[:30],
            0,
            30,
            context=["military"],
            date=ResolvedDate(date(2024, 2, 27), "day", "mardi"),
        ),
        Event(
            document.doc_path,
            document.doc_id,
            "ASSAULT",
            [POLISARIO],
            [MAR],
            text[31:],
            31,
            len(text),
            mode=["aerial"],
        ),
    )
    return DocumentResult(clean, mentions, events)


def test_migrations_are_numbered_and_applied_once(tmp_path: Path) -> None:
    versions = [m.version for m in migrations()]
    assert versions == sorted(versions) and versions[0] == 1
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        assert store.schema_version() == versions[-1]
    with Store(db) as store:  # reopening applies nothing twice
        assert store.migrate() == versions[-1]
        rows = store.connection.execute("SELECT count(*) FROM schema_migrations").fetchone()
        assert rows == (len(versions),)


def test_ingest_is_idempotent(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        assert store.add(_result()) is True
        assert store.add(_result()) is False
        figures = store.stats()
    assert figures["documents"] == 1 and figures["events"] == 2 and figures["actor_mentions"] == 2


def test_events_round_trip_as_spec_records_and_filter(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        store.add(_result())
        everything = list(store.events())
        by_group = list(store.events(EventFilter(actor="Front Polisario")))
        by_code = list(store.events(EventFilter(actor="MLI")))
        by_type = list(store.events(EventFilter(event_type="assault")))
        since = list(store.events(EventFilter(since=date(2024, 2, 28))))
    assert {e["event"] for e in everything} == {"COOPERATE", "ASSAULT"}
    assert [e["event"] for e in by_group] == ["ASSAULT"]
    assert [e["event"] for e in by_code] == ["COOPERATE"]
    assert [e["event"] for e in by_type] == ["ASSAULT"]
    # the ASSAULT has no event date and falls back to the publication date (2024-03-01)
    assert [e["event"] for e in since] == ["ASSAULT"]
    assert everything[0]["coder"].startswith("veille ")


def test_filters_are_parameterised(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        store.add(_result())
        assert list(store.events(EventFilter(actor="MAR' OR '1'='1"))) == []
        assert store.stats()["events"] == 2


def test_failed_document_leaves_nothing_behind(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    result = _result()
    duplicate_event = result.events[0]
    broken = DocumentResult(result.clean, result.mentions, (duplicate_event, duplicate_event))
    with Store(db) as store:
        with pytest.raises(duckdb.Error):
            store.add(broken)  # the second insert of the same event id violates the key
        assert store.stats()["documents"] == 0
        assert store.stats()["events"] == 0
        assert store.add(result) is True


def test_second_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = str(tmp_path / "v.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({db!r}); "
            "print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(StoreError, match="database is locked by"):
            Store(db)
    finally:
        holder.kill()
        holder.wait()


def test_read_only_store_needs_an_existing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store(str(tmp_path / "missing.duckdb"), read_only=True)
