"""The event database, on both backends: a DuckDB file and a PostgreSQL server.

Tests taking ``store_db`` run twice (see conftest.py); the PostgreSQL runs skip, saying
why, where no PostgreSQL server binaries are installed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from veille.backends import backend_for
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
from veille.store import (
    EventFilter,
    Store,
    StoreError,
    confident_enough,
    ingest_lock,
    migrations,
)
from veille.tallies import EventScope, events_with_actors

TEXT = "Le Maroc et le Mali coopèrent. Le Front Polisario a bombardé Smara."
MAR = Actor("MAR", ("GOV",), "Maroc", "Le Maroc")
MLI = Actor("MLI", ("GOV",), "Mali", "le Mali")
POLISARIO = Actor("ESH", ("REB",), "Front Polisario", "Le Front Polisario")
SEN = Actor("SEN", ("GOV",), "Sénégal", "le Sénégal")
TABLES = ("documents", "paragraphs", "actor_mentions", "events", "event_participants")
TESTS = Path(__file__).parent


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


def _counts(store: Store) -> dict[str, int]:
    return {t: store.connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _single_event(text: str, actor: Actor) -> DocumentResult:
    document = Document(Document.content_id(text), "b.txt", text, "txt", published=date(2024, 5, 2))
    clean = CleanDocument(document, (Paragraph(0, len(text), text, "fr", True),))
    event = Event(document.doc_path, document.doc_id, "CONSULT", [actor], [], text, 0, len(text))
    return DocumentResult(clean, (ActorMention(actor, 0, 10, "country"),), (event,))


def test_migrations_are_numbered_and_applied_once(store_db: str) -> None:
    dialect = backend_for(store_db).dialect
    versions = [m.version for m in migrations(dialect)]
    assert versions == list(range(1, len(versions) + 1))
    with Store(store_db) as store:
        assert store.schema_version() == versions[-1]
    with Store(store_db) as store:  # reopening applies nothing twice
        assert store.migrate() == versions[-1]
        rows = store.connection.execute("SELECT count(*) FROM schema_migrations").fetchone()
        assert rows == (len(versions),)


def test_engine_specific_migrations_replace_the_portable_one() -> None:
    duck = {m.version: m.sql for m in migrations("duckdb")}
    postgres = {m.version: m.sql for m in migrations("postgresql")}
    assert duck.keys() == postgres.keys()
    different = [v for v in duck if duck[v] != postgres[v]]
    # An extension (accent folding), or indexes that only one engine needs (search).
    assert different and all(
        "CREATE EXTENSION" in postgres[v] or "CREATE INDEX" in postgres[v] + duck[v]
        for v in different
    )


def test_a_version_1_database_is_migrated_with_its_data(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_only = migrations(backend_for(store_db).dialect)[:1]
    with monkeypatch.context() as patch:
        patch.setattr("veille.store.migrations", lambda dialect: first_only)
        with Store(store_db) as store:
            store.add(_result())
            assert store.schema_version() == 1
    with Store(store_db) as store:
        assert store.schema_version() == len(migrations(backend_for(store_db).dialect))
        assert _counts(store) == dict(zip(TABLES, (1, 1, 2, 2, 4), strict=True))
        assert [e["event"] for e in store.events(EventFilter(actor="front polisario"))] == [
            "ASSAULT"
        ]
        assert store.delete_document(_result().document.doc_id)  # needs version 2
        assert set(_counts(store).values()) == {0}


def test_ingest_is_idempotent(store_db: str) -> None:
    with Store(store_db) as store:
        assert store.add(_result()) is True
        assert store.add(_result()) is False
        figures = store.stats()
    assert figures["documents"] == 1 and figures["events"] == 2 and figures["actor_mentions"] == 2


def test_events_round_trip_as_spec_records_and_filter(store_db: str) -> None:
    with Store(store_db) as store:
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
    assert everything == sorted(everything, key=lambda e: e["date"] or "2024-03-01", reverse=True)


def test_filters_ignore_case_and_accents(store_db: str) -> None:
    text = "Le Sénégal a consulté ses voisins à Dakar."
    with Store(store_db) as store:
        store.add(_result())
        store.add(_single_event(text, SEN))
        assert store.matching_identities("SENEGAL") == ["SEN"]  # a state is its code
        assert [e["event"] for e in store.events(EventFilter(actor="senegal"))] == ["CONSULT"]
        total, items = store.event_page(EventFilter(limit=10), text="CONSULTE SES")
        assert total == 1 and items[0]["event_text"] == text
        total, _ = store.event_page(EventFilter(limit=10), text="cooperent")  # "coopèrent"
        assert total == 1
        total, _ = store.event_page(EventFilter(limit=10), context="military")
        assert total == 1


def test_filters_are_parameterised(store_db: str) -> None:
    with Store(store_db) as store:
        store.add(_result())
        for hostile in ("MAR' OR '1'='1", "x'); DROP TABLE events; --", "?", "%", "%s"):
            assert list(store.events(EventFilter(actor=hostile))) == []
            assert store.event_page(EventFilter(limit=5), context=hostile, text=hostile)[0] == 0
        assert store.stats()["events"] == 2


def _confidences(*levels: float) -> DocumentResult:
    """One document with a CONSULT of Senegal at each confidence level."""
    text = " ".join(f"Le Sénégal a consulté le voisin numéro {i}." for i in range(len(levels)))
    doc = Document(Document.content_id(text), "c.txt", text, "txt", published=date(2024, 6, 1))
    clean = CleanDocument(doc, (Paragraph(0, len(text), text, "fr", True),))
    events = []
    for i, level in enumerate(levels):
        start = text.index(f"numéro {i}.")
        end = start + 9
        events.append(
            Event(
                doc.doc_path,
                doc.doc_id,
                "CONSULT",
                [SEN],
                [MLI],
                text[start:end],
                start,
                end,
                confidence=level,
            )
        )
    return DocumentResult(clean, (), tuple(events))


def test_min_confidence_filters_every_query_in_sql(store_db: str) -> None:
    # 0.7999999999999999 is what the coder's sum 0.5 + 0.2 + 0.1 gives; its record shows 0.8.
    result = _confidences(0.5, 0.7999999999999999, 0.95)
    with Store(store_db) as store:
        store.add(result)
        every = EventFilter()
        assert [e["confidence"] for e in store.events(every)] == [0.5, 0.8, 0.95]

        def levels(where: EventFilter) -> list[float]:
            found = [e["confidence"] for e in store.events(where)]
            total, page = store.event_page(replace(where, limit=10))
            assert total == len(found) and [e["confidence"] for e in page] == found
            exported = [record["confidence"] for record, _url in store.export_rows(where)]
            assert exported == found
            # what actor lists, briefs and graphs count
            assert events_with_actors(store, EventScope(where)) == len(found)
            return found

        assert levels(EventFilter(min_confidence=0.8)) == [0.8, 0.95]  # as the records show
        assert levels(EventFilter(min_confidence=0.81)) == [0.95]
        assert levels(EventFilter(min_confidence=1.0)) == []
        assert levels(EventFilter(min_confidence=0.0)) == [0.5, 0.8, 0.95]
        assert levels(EventFilter(actor="SEN", min_confidence=0.9)) == [0.95]
        # A WHERE on the column with the threshold as a bound parameter.
        conditions, params = store.event_conditions(EventFilter(min_confidence=0.8))
        assert "e.confidence" in conditions and "?" in conditions and params == [0.8]
        assert store.stats()["events"] == 3  # stored whatever their confidence
    assert confident_enough(0.7999999999999999, 0.8) and not confident_enough(0.7994, 0.8)


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan"), float("inf")])
def test_min_confidence_outside_0_to_1_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="min_confidence must be between 0 and 1"):
        EventFilter(min_confidence=bad)


def test_failed_document_leaves_nothing_behind(store_db: str) -> None:
    result = _result()
    duplicate_event = result.events[0]
    broken = DocumentResult(result.clean, result.mentions, (duplicate_event, duplicate_event))
    with Store(store_db) as store:
        # the second insert of the same event id violates the key: a one-line error
        with pytest.raises(StoreError, match=r"^a\.txt: cannot store \(") as error:
            store.add(broken)
        assert "\n" not in str(error.value)
        assert set(_counts(store).values()) == {0}
        assert store.add(result) is True
        assert _counts(store) == dict(zip(TABLES, (1, 1, 2, 2, 4), strict=True))


@pytest.mark.parametrize("stage", ["_insert_paragraphs", "_insert_mentions", "_insert_event"])
def test_a_failure_at_any_stage_stores_nothing_of_the_document(
    store_db: str, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = getattr(Store, stage)

    def write_then_fail(self: Store, *args: object) -> None:
        original(self, *args)  # the rows are written, then the engine fails
        raise self.backend.errors[0]("simulated failure")

    with Store(store_db) as store:
        monkeypatch.setattr(Store, stage, write_then_fail)
        with pytest.raises(StoreError, match="simulated failure"):
            store.add(_result())
        monkeypatch.undo()
        assert set(_counts(store).values()) == {0}
        assert store.add(_result()) is True


KILLED_WRITER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from test_store import _result
from veille.store import Store

write_mentions = Store._insert_mentions

def stall(self, result):
    write_mentions(self, result)
    print("half written", flush=True)
    time.sleep(120)

Store._insert_mentions = stall
with Store(sys.argv[1]) as store:
    store.add(_result())
"""


def test_a_writer_killed_mid_document_leaves_nothing_of_it(store_db: str) -> None:
    with Store(store_db) as store:  # one complete document already there
        store.add(_single_event("Le Sénégal a consulté ses voisins.", SEN))
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, store_db, str(TESTS)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "half written\n"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    with Store(store_db) as store:
        assert _counts(store) == dict(zip(TABLES, (1, 1, 1, 1, 1), strict=True))
        assert store.add(_result()) is True  # a re-run stores it whole
        assert _counts(store) == dict(zip(TABLES, (2, 2, 3, 3, 5), strict=True))


def test_delete_document_removes_all_its_rows_and_nothing_else(store_db: str) -> None:
    kept = _single_event("Le Sénégal a consulté ses voisins.", SEN)
    with Store(store_db) as store:
        store.add(_result())
        store.add(kept)
        version = store.content_version()
        assert store.delete_document(_result().document.doc_id) is True
        assert store.delete_document(_result().document.doc_id) is False
        assert _counts(store) == dict(zip(TABLES, (1, 1, 1, 1, 1), strict=True))
        assert store.content_version() != version
        assert [e["doc_id"] for e in store.events()] == [kept.document.doc_id]
        assert store.add(_result()) is True  # and it can come back


def test_read_only_store_cannot_write(store_db: str) -> None:
    Store(store_db).close()
    with Store(store_db, read_only=True) as store, pytest.raises(store.backend.errors):
        store.connection.execute("DELETE FROM documents")


def test_read_only_store_needs_a_veille_database(store_db: str) -> None:
    expected = "no such database" if store_db.endswith(".duckdb") else "no Veille database"
    with pytest.raises(StoreError, match=expected):
        Store(store_db, read_only=True)


def test_a_second_ingest_lock_names_the_holder(store_db: str) -> None:
    locked = f"database is locked by ingest process {os.getpid()}"
    with ingest_lock(store_db):
        with pytest.raises(StoreError, match=locked), ingest_lock(store_db):
            pass
        with Store(store_db) as store:  # the lock keeps out ingests, not the Store
            store.add(_result())
    with ingest_lock(store_db):  # released
        pass


def test_postgres_password_never_shows() -> None:
    for url in (
        "postgresql://veille:s3cret@127.0.0.1:1/veille",  # nothing listens on port 1
        "postgresql://veille:s3cret@[::1/veille",  # malformed: libpq quotes the URL
        "postgresql://veille@127.0.0.1:1/veille?password=s3cret",
    ):
        assert "s3cret" not in backend_for(url).name
        with pytest.raises(StoreError, match="cannot connect") as error:
            Store(url)
        assert "s3cret" not in str(error.value), error.value


# -- DuckDB: one writer or many readers, taking turns -----------------------------------

HOLDER = """
import sys, time
from veille.store import Store
with Store(sys.argv[1], read_only=sys.argv[2] == "read"):
    print("open", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold(db: str, mode: str, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db, mode, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "open\n"
    return holder


def test_second_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
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
        with pytest.raises(StoreError, match=f"database is locked by process {holder.pid}"):
            Store(db, wait=0)
    finally:
        holder.kill()
        holder.wait()


def test_a_reader_waits_for_the_writer_and_the_writer_for_readers(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        store.add(_result())
    writer = _hold(db, "write", 1.0)
    try:
        with pytest.raises(StoreError, match="busy"):
            Store(db, read_only=True, wait=0)
        with Store(db, read_only=True, wait=60) as store:  # gets in once the writer is done
            assert store.stats()["documents"] == 1
    finally:
        writer.kill()
        writer.wait()
    reader = _hold(db, "read", 1.0)
    try:
        with pytest.raises(StoreError, match=f"locked by process {reader.pid}"):
            Store(db, wait=0)
        with Store(db, wait=60) as store:
            assert store.add(_single_event("Le Sénégal a consulté ses voisins.", SEN))
    finally:
        reader.kill()
        reader.wait()


def test_a_waiting_writer_is_not_starved_by_overlapping_readers(tmp_path: Path) -> None:
    """Readers whose requests always overlap never leave the file free: without the gate
    (see DuckDBBackend) the writer would wait for ever; with it, it gets in."""
    db = str(tmp_path / "v.duckdb")
    Store(db).close()
    stop = threading.Event()
    reads: list[int] = []

    def keep_reading(start_after: float) -> None:
        time.sleep(start_after)
        while not stop.is_set():
            with Store(db, read_only=True, wait=60) as store:
                reads.append(store.stats()["documents"])
                time.sleep(0.3)  # a slow request

    readers = [threading.Thread(target=keep_reading, args=(i / 10,)) for i in range(3)]
    for reader in readers:
        reader.start()
    try:
        while len(reads) < 6:  # every reader is in its loop
            time.sleep(0.01)
        with Store(db, wait=30) as store:
            assert store.add(_result())
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert reads[0] == 0 and reads[-1] == 1


def test_date_source_is_stored_and_read_back(store_db: str) -> None:
    result = _result()
    stated, undated = result.events
    published = ResolvedDate(date(2024, 3, 1), "day", "")
    events = (
        replace(stated, date_source="text"),
        replace(undated, date=published, date_source="published"),
    )
    with Store(store_db) as store:
        store.add(replace(result, events=events))
        records = {r["event"]: r for r in store.events()}
        columns = dict(store.connection.execute("SELECT event, date_source FROM events").fetchall())
        total, page = store.event_page(EventFilter(limit=10))
        rows = {record["event"]: record for record, _url in store.export_rows(EventFilter())}
    assert columns == {"COOPERATE": "text", "ASSAULT": "published"}
    assert records["COOPERATE"]["date_source"] == "text"
    assert (records["ASSAULT"]["date"], records["ASSAULT"]["date_source"]) == (
        "2024-03-01",
        "published",
    )
    keys = list(records["ASSAULT"])
    assert keys[keys.index("date_precision") + 1] == "date_source"
    assert total == 2 and {r["date_source"] for r in page} == {"text", "published"}
    assert rows["ASSAULT"]["date_source"] == "published"


def test_events_stored_before_date_source_get_it_when_read(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = migrations(backend_for(store_db).dialect)[:3]
    with monkeypatch.context() as patch:
        patch.setattr("veille.store.migrations", lambda dialect: before)
        with Store(store_db) as store:
            store.add(_result())
            rows = store.connection.execute("SELECT event_id, record FROM events").fetchall()
            for event_id, text in rows:  # records as version 3 wrote them
                old = {k: v for k, v in json.loads(text).items() if k != "date_source"}
                store.connection.execute(
                    "UPDATE events SET record = ? WHERE event_id = ?", [json.dumps(old), event_id]
                )
    with Store(store_db) as store:  # migrated to the last version
        records = {r["event"]: r for r in store.events()}
        columns = dict(store.connection.execute("SELECT event, date_source FROM events").fetchall())
    assert columns == {"COOPERATE": "text", "ASSAULT": None}
    assert (
        records["COOPERATE"]["date_source"] == "text" and records["ASSAULT"]["date_source"] is None
    )
    keys = list(records["COOPERATE"])
    assert keys[keys.index("date_precision") + 1] == "date_source"
