"""Stage 6: the event database, an embedded DuckDB file by default or a PostgreSQL server.

``--db`` names either a file (DuckDB) or a ``postgresql://`` URL; ``veille.backends``
holds what differs between the two, and the SQL here is portable. The schema is created
by the numbered SQL files in ``veille/migrations`` and recorded in ``schema_migrations``.
Watched web pages are kept too, as fetched (``raw_pages``, ``fetches``), so that
``veille recode`` can read them again without fetching them.
Each document is written in one transaction together with its paragraphs, actor mentions
and events, so a crash never leaves half a document; a document already stored (same
content hash) is skipped, which makes ingest idempotent.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

from veille import search, stories, summaries
from veille.backends import Connection, DuckDBConnection, StoreError, backend_for
from veille.model import DocumentResult, Event, Fetch, StoredFetch

__all__ = [
    "DEFAULT_DB",
    "EventFilter",
    "EventKey",
    "Store",
    "StoreError",
    "check_confidence",
    "confident_enough",
    "database_name",
    "ingest_lock",
    "migrations",
]

DEFAULT_DB = "veille.duckdb"
#: How long a write may wait for readers of a DuckDB file (``veille serve`` requests).
WRITE_WAIT_SECONDS = 120.0
MIGRATIONS_PACKAGE = "veille.migrations"
#: The schema version that added ``events.date_source``.
DATE_SOURCE_VERSION = 4
#: The schema version that added ``events.story_id`` and the story tables (veille.stories).
STORIES_VERSION = 7
#: The schema version that added the search index (veille.search).
SEARCH_VERSION = 9
#: The schema version that added ``events.day`` (an event's date, else its article's).
EVENT_DAY_VERSION = 11
#: Seconds a Store waits for a DuckDB file that another process is writing or reading.
DEFAULT_WAIT = 10.0
# NNNN_name.sql runs on every engine; NNNN_name.<dialect>.sql replaces it on that one.
_MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)(?:\.(duckdb|postgresql))?\.sql$")

#: Each document's main language (most characters among its article paragraphs: the kept
#: ones and those dropped for their language), and whether that language was coded;
#: counted per language. Plain SQL window functions: the same on DuckDB and PostgreSQL.
_MAIN_LANGUAGE_SQL = """
WITH sizes AS (
    SELECT doc_id, coalesce(language, 'und') AS language,
           sum(end_offset - start_offset) AS chars, bool_or(kept) AS coded
    FROM paragraphs
    WHERE kept OR reason LIKE 'language:%'
    GROUP BY doc_id, coalesce(language, 'und')
), ranked AS (
    SELECT language, coded,
           row_number() OVER (PARTITION BY doc_id ORDER BY chars DESC, language) AS position
    FROM sizes
)
SELECT language, count(*) AS documents, sum(CASE WHEN coded THEN 1 ELSE 0 END) AS coded
FROM ranked WHERE position = 1
GROUP BY language ORDER BY count(*) DESC, language
"""


_STORED_FETCH_COLUMNS = (
    "url, status, fetched_at, etag, last_modified, content_type, sha256, doc_id, source"
)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str = "duckdb") -> list[Migration]:
    """The schema migrations shipped with the package for one engine, in order."""
    portable: dict[int, Migration] = {}
    specific: dict[int, Migration] = {}
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match and match[3] in (None, dialect):
            migration = Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8"))
            (specific if match[3] else portable)[migration.version] = migration
    return sorted({**portable, **specific}.values(), key=lambda m: m.version)


def database_name(db: str) -> str:
    """How ``--db`` is shown to the user: a PostgreSQL URL loses its password."""
    return backend_for(db).name


def ingest_lock(db: str = DEFAULT_DB) -> AbstractContextManager[None]:
    """Held for a whole ingest run, so that two ingests never write one database at once.

    Raises ``StoreError`` ("database is locked by ingest process N ...") when another
    process holds it. The lock ends with the process, however it ends.
    """
    return backend_for(db).ingest_lock()


#: Decimals of an event record's confidence (``Event.to_json``). Thresholds compare the value
#: as the record shows it: the coder's sums give 0.7999999999999999 for a record's 0.8.
CONFIDENCE_DECIMALS = 3


def check_confidence(value: float, name: str = "min_confidence") -> float:
    """``value`` as a float if it lies between 0 and 1; ``ValueError`` otherwise (NaN too)."""
    number = float(value)
    if not 0.0 <= number <= 1.0:  # also false for NaN
        raise ValueError(f"{name} must be between 0 and 1, not {value}")
    return number


def confident_enough(confidence: float, min_confidence: float) -> bool:
    """Whether an event passes the threshold, as ``Store`` filters do in SQL."""
    return round(confidence, CONFIDENCE_DECIMALS) >= min_confidence


@dataclass(frozen=True, slots=True)
class EventFilter:
    actor: str | None = None  # a code ("MAR") or a canonical name ("Front Polisario")
    event_type: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int | None = None
    min_confidence: float = 0.0  # events whose confidence is at least this (0 to 1)

    def __post_init__(self) -> None:
        check_confidence(self.min_confidence)


class Store:
    """A Veille database. Use as a context manager, or call ``close()``.

    ``db`` is a DuckDB file (created and migrated when opened read-write) or a
    ``postgresql://user@host:port/dbname`` URL. Keep a Store open only as long as needed:
    while it is open, a DuckDB file is closed to writers (read-only Store) or to everyone
    else (read-write Store); ``wait`` is how many seconds to wait for such a file.
    """

    #: Set where the database cannot change while the Store is open (``search.PostingsCache``).
    postings_cache: search.PostingsCache | None = None

    def __init__(self, db: str = DEFAULT_DB, read_only: bool = False, wait: float = DEFAULT_WAIT):
        self.backend = backend_for(db)
        self.name = self.backend.name
        self.connection: Connection = self.backend.connect(read_only, wait)
        try:
            if not read_only:
                self.migrate()
            elif self.schema_version() == 0:
                raise StoreError(f"{self.name}: no Veille database there; run `veille ingest`")
        except self.backend.errors as error:
            self.close()
            raise StoreError(f"{self.name}: {_first_line(error)}") from error
        except BaseException:
            self.close()
            raise

    @classmethod
    def sharing(cls, store: Store) -> Store:
        """A read-only Store on the database ``store`` (a DuckDB file) has open, through a
        connection of its own: requests in other threads share the open file this way."""
        connection = store.connection
        if not isinstance(connection, DuckDBConnection):
            raise TypeError("only a DuckDB store can be shared")
        shared = cls.__new__(cls)
        shared.backend, shared.name = store.backend, store.name
        shared.connection = connection.cursor()
        shared.postings_cache = store.postings_cache
        return shared

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            if getattr(self, "_search_written", False):
                # The end of a batch of writes: pack the search postings if a chunk is full.
                self._search_written = False
                self.pack_search()
        finally:
            self.connection.close()

    # -- schema ---------------------------------------------------------------------

    def schema_version(self) -> int:
        exists = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"
        ).fetchone()
        if not exists or not exists[0]:
            return 0
        row = self.connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0) if row else 0

    def migrate(self) -> int:
        """Apply the migrations the database lacks; returns the schema version."""
        with self.backend.schema_lock(self.connection):
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL)"
            )
            current = self.schema_version()
            for migration in migrations(self.backend.dialect):
                if migration.version <= current:
                    continue
                with self._transaction():
                    self.connection.execute_script(migration.sql)
                    if migration.version == SEARCH_VERSION:
                        search.index_all(self)  # the documents stored before it
                    self.connection.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [migration.version, migration.name, _now()],
                    )
                    if migration.version == search.PACKED_VERSION:
                        search.pack(self)  # the postings written before it
                current = migration.version
            self._build_summaries(current)
        return current

    def _build_summaries(self, version: int) -> None:
        """Fill the summary tables (``veille.summaries``) if they are not: right after
        migration 8 (or a crash before it was done)."""
        if version >= summaries.SUMMARIES_VERSION and not summaries.built(self):
            with self._transaction():
                summaries.rebuild(self)

    def main_language_sql(self, documents: str = "TRUE") -> str:
        """``_MAIN_LANGUAGE_SQL`` over the documents that meet ``documents``."""
        return _MAIN_LANGUAGE_SQL.replace(
            "WHERE kept OR reason LIKE 'language:%'",
            f"WHERE (kept OR reason LIKE 'language:%') AND {documents}",
        )

    def rebuild_summaries(self) -> None:
        """Count every stored event again into the summary tables, and pack the search
        postings (after rows were written around the Store, as ``bench/store.py`` does)."""
        with self._transaction():
            summaries.rebuild(self)
        self.pack_search()

    def pack_search(self) -> int:
        """Pack the search postings by key where a chunk of documents is complete
        (``veille.search.pack``); returns how many chunks were packed."""
        with self._transaction():
            return search.pack(self)

    # -- writing --------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        row = self.connection.execute(
            "SELECT 1 FROM documents WHERE doc_id = ?", [doc_id]
        ).fetchone()
        return row is not None

    def add(self, result: DocumentResult) -> bool:
        """Store one coded document atomically; False if it was already stored.

        Raises ``StoreError`` naming the document if it cannot be stored; then nothing
        of it is.
        """
        with self._writing(result.document.doc_path):
            # False: already stored, by this run or an earlier one
            return self._insert_result(result)

    def delete_document(self, doc_id: str) -> bool:
        """Delete a document with its paragraphs, mentions and events, atomically.

        False if no such document. Documents marked as its near duplicates keep the mark.
        """
        with self._transaction():
            return self._delete_rows(doc_id)

    # -- raw pages (veille.watch, veille.pipeline.recode) --------------------------------

    def add_fetch(self, fetch: Fetch, result: DocumentResult | None = None) -> str | None:
        """Keep one fetch, its body and the document coded from it, in one transaction.

        Returns the id of the document the fetch is linked to: ``result``'s, whether it was
        new or already stored under another address (same text), else ``None``. A crash
        leaves either all of it or none, so a page is never half kept.
        """
        doc_id = result.document.doc_id if result is not None else None
        with self._writing(fetch.url):
            if fetch.body is not None:
                self.connection.execute(
                    "INSERT INTO raw_pages VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                    [fetch.sha256, len(fetch.body), zlib.compress(fetch.body, 6)],
                )
            if result is not None:
                self._insert_result(result)
            self.connection.execute(
                "INSERT INTO fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url, kind, fetched_at) DO NOTHING",
                [
                    fetch.url,
                    fetch.kind,
                    fetch.fetched_at,
                    fetch.final_url,
                    fetch.status,
                    fetch.etag,
                    fetch.last_modified,
                    fetch.content_type,
                    fetch.sha256,
                    fetch.source,
                    fetch.canonical_url,
                    doc_id,
                ],
            )
        return doc_id

    def last_fetch(self, url: str, kind: str) -> StoredFetch | None:
        """The latest fetch of ``url`` that brought a body (status 200), if any."""
        row = self.connection.execute(
            f"SELECT {_STORED_FETCH_COLUMNS} FROM fetches"
            " WHERE url = ? AND kind = ? AND status = 200 ORDER BY fetched_at DESC LIMIT 1",
            [url, kind],
        ).fetchone()
        return StoredFetch(*row) if row else None

    def raw_page(self, sha256: str) -> bytes | None:
        """A kept body as it was received, or ``None`` if no body has that hash."""
        row = self.connection.execute(
            "SELECT body FROM raw_pages WHERE sha256 = ?", [sha256]
        ).fetchone()
        return zlib.decompress(bytes(row[0])) if row else None

    def known_pages(self, addresses: Sequence[str], stored_only: bool = False) -> set[str]:
        """Those of ``addresses`` already settled: a page fetched and kept (or named as
        canonical by one), or gone (404, 410) unless ``stored_only``. Failed fetches are
        not settled: they are tried again."""
        settled = "(200)" if stored_only else "(200, 404, 410)"
        known: set[str] = set()
        wanted = list(dict.fromkeys(addresses))
        for start in range(0, len(wanted), 500):  # one query per 500 addresses
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT url FROM fetches WHERE kind = 'page' AND status IN {settled}"
                f" AND url IN ({marks}) UNION SELECT canonical_url FROM fetches"
                f" WHERE kind = 'page' AND status = 200 AND canonical_url IN ({marks})",
                [*chunk, *chunk],
            ).fetchall()
            known.update(address for (address,) in rows)
        return known

    def fetched_documents(self, since: date | None = None) -> list[StoredFetch]:
        """For each document coded from a kept page, the first fetch that gave it, oldest
        first; ``since``: only documents first fetched on or after that day."""
        rows = self.connection.execute(
            f"SELECT {_STORED_FETCH_COLUMNS} FROM fetches f WHERE kind = 'page' AND status = 200"
            " AND sha256 IS NOT NULL AND doc_id IS NOT NULL AND fetched_at = (SELECT"
            " min(fetched_at) FROM fetches g WHERE g.doc_id = f.doc_id AND g.kind = 'page')"
            " AND fetched_at >= ? ORDER BY fetched_at, url",
            [datetime.combine(since or date.min, datetime.min.time())],
        ).fetchall()
        first: dict[str, StoredFetch] = {}
        for row in rows:
            fetch = StoredFetch(*row)
            first.setdefault(fetch.doc_id or "", fetch)
        return list(first.values())

    def document_events(self, doc_id: str) -> dict[str, str]:
        """The stored events of a document: event id -> PLOVER type."""
        rows = self.connection.execute(
            "SELECT event_id, event FROM events WHERE doc_id = ?", [doc_id]
        ).fetchall()
        return {event_id: event for event_id, event in rows}

    def document_published(self, doc_id: str) -> date | None:
        row = self.connection.execute(
            "SELECT published FROM documents WHERE doc_id = ?", [doc_id]
        ).fetchone()
        return row[0] if row else None

    def replace_document(self, doc_id: str, result: DocumentResult) -> None:
        """Put ``result`` in place of the stored document ``doc_id`` (its paragraphs,
        mentions and events), in one transaction; the fetches of ``doc_id`` follow it.

        Used when the coder reads a kept page again; its text may differ (a new extractor),
        and so may its id. If the new id is already stored as another document, that one
        is replaced too: a document is never stored twice.
        """
        new_id = result.document.doc_id
        with self._writing(result.document.doc_path):
            for old in dict.fromkeys((doc_id, new_id)):
                self._delete_rows(old)
            self._insert_result(result)
            if new_id != doc_id:
                self.connection.execute(
                    "UPDATE fetches SET doc_id = ? WHERE doc_id = ?", [new_id, doc_id]
                )

    def _delete_rows(self, doc_id: str) -> bool:
        touched = stories.document_stories(self, doc_id) if self._has_stories() else set()
        with summaries.change(self, touched, doc_id):
            self.connection.execute(
                "DELETE FROM event_participants"
                " WHERE event_id IN (SELECT event_id FROM events WHERE doc_id = ?)",
                [doc_id],
            )
            self.connection.execute("DELETE FROM events WHERE doc_id = ?", [doc_id])
        with summaries.removing_document(self, doc_id):
            for table in ("actor_mentions", "paragraphs"):
                self.connection.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])
        if self._has_search_index():
            search.forget_document(self, doc_id)
            self._search_written = True
        deleted = self.connection.execute(
            "DELETE FROM documents WHERE doc_id = ? RETURNING doc_id", [doc_id]
        ).fetchone()
        stories.refresh(self, touched)
        return deleted is not None

    @contextmanager
    def _writing(self, name: str) -> Iterator[None]:
        """One transaction; a database error becomes a ``StoreError`` naming ``name`` (the
        document or address), and nothing of the transaction is kept."""
        try:
            with self._transaction():
                yield
        except self.backend.errors as error:
            raise StoreError(f"{name}: cannot store ({_first_line(error)})") from error

    def _insert_result(self, result: DocumentResult) -> bool:
        """A coded document's rows (document, paragraphs, mentions, events); False, and
        nothing written, if the document is already stored."""
        if not self._insert_document(result):
            return False
        self._insert_paragraphs(result)
        self._insert_mentions(result)
        summaries.count_document(self, result.document.doc_id)
        story_ids = stories.assign(self, result) if self._has_stories() else {}
        with summaries.change(self, set(story_ids.values()), result.document.doc_id):
            for event in result.events:
                self._insert_event(event, story_ids.get(event.id), result.document.published)
        stories.refresh(self, story_ids.values())
        if self._has_search_index():
            search.index_documents(self, [search.Searchable.of(result)])
            self._search_written = True
        return True

    def _insert_document(self, result: DocumentResult) -> bool:
        """Insert the document row; False if a document with that id is already there."""
        d = result.document
        inserted = self.connection.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (doc_id) DO NOTHING RETURNING doc_id",
            [
                d.doc_id,
                d.doc_path,
                d.source_format,
                d.title,
                d.author,
                d.url,
                d.published,
                d.language,
                result.clean.near_duplicate_of,
                d.text,
                _now(),
            ],
        ).fetchone()
        return inserted is not None

    def _insert_paragraphs(self, result: DocumentResult) -> None:
        rows = [
            [result.document.doc_id, i, p.start, p.end, p.language, p.kept, p.reason]
            for i, p in enumerate(result.clean.paragraphs)
        ]
        if rows:
            self.connection.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def _insert_mentions(self, result: DocumentResult) -> None:
        rows = [
            [
                result.document.doc_id,
                i,
                m.start,
                m.end,
                m.actor.entity_text,
                m.actor.code,
                json.dumps(list(m.actor.sector)),
                m.actor.name,
                m.actor.office,
                m.kind,
            ]
            for i, m in enumerate(result.mentions)
        ]
        if rows:
            self.connection.executemany(
                "INSERT INTO actor_mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    def _insert_event(
        self, event: Event, story_id: str | None = None, published: date | None = None
    ) -> None:
        record = event.to_json()
        loc = event.event_loc
        values = [
            event.id,
            event.doc_id,
            event.event,
            json.dumps(event.mode),
            json.dumps(event.context),
            record["date"],
            record["date_precision"],
            event.date.value if event.date else None,
            event.historical,
            loc.extracted_place if loc else None,
            loc.geonameid if loc else None,
            loc.lat if loc else None,
            loc.lon if loc else None,
            loc.country_code if loc else None,
            json.dumps(event.size) if event.size else None,
            event.event_text,
            event.start,
            event.end,
            event.confidence,
            record["coder"],
            json.dumps(record, ensure_ascii=False),
        ]
        if self._has_date_source():
            values.append(record["date_source"])  # added by migration 4
        if self._has_stories():
            values.append(story_id)  # added by migration 7
        day = event.date.value if event.date else published
        if self._has_event_day():
            values.append(day)  # added by migration 11
        self.connection.execute(
            f"INSERT INTO events VALUES ({', '.join('?' * len(values))})", values
        )
        participants = [
            [
                event.id,
                role,
                i,
                a.code,
                json.dumps(list(a.sector)),
                a.name,
                a.identity,
                a.entity_text,
                a.office,
                *([day] if self._has_event_day() else []),
            ]
            for role, actors in (("actor", event.actor), ("recipient", event.recipient))
            for i, a in enumerate(actors)
        ]
        if participants:
            marks = ", ".join("?" * len(participants[0]))
            self.connection.executemany(
                f"INSERT INTO event_participants VALUES ({marks})", participants
            )

    # -- reading --------------------------------------------------------------------

    def events(self, where: EventFilter = EventFilter()) -> Iterator[dict[str, Any]]:
        """Stored events as spec JSON records, newest first, filtered."""
        conditions, params = self.event_conditions(where)
        sql = (
            f"SELECT e.record FROM {self.events_relation()} WHERE {conditions}"
            f" ORDER BY {self.event_day()} DESC NULLS LAST,"
            " e.doc_id, e.start_offset, e.event_id"  # ties (one sentence, two events) too
        )
        if where.limit is not None:
            sql += " LIMIT ?"
            params.append(int(where.limit))
        for (record,) in self.connection.execute(sql, params).fetchall():
            yield load_record(record)

    def stats(self) -> dict[str, Any]:
        def scalar(query: str) -> int:
            row = self.connection.execute(query).fetchone()
            return int(row[0]) if row else 0

        by_type = self.connection.execute(
            "SELECT event, count(*) FROM events GROUP BY event ORDER BY count(*) DESC, event"
        ).fetchall()
        top_actors = self.connection.execute(
            "SELECT identity, CAST(sum(n_events) AS BIGINT) AS n FROM tally_units"
            " WHERE anchor = ''"
            " AND identity <> '' AND role = '*' AND month = -2"
            " GROUP BY identity ORDER BY n DESC, identity LIMIT 10"
            if summaries.built(self)
            else "SELECT identity, count(DISTINCT event_id) AS n FROM event_participants"
            " GROUP BY identity ORDER BY n DESC, identity LIMIT 10"
        ).fetchall()
        languages = self._main_languages()
        return {
            "database": self.name,
            "schema_version": self.schema_version(),
            "documents": scalar("SELECT count(*) FROM documents"),
            "near_duplicates": scalar(
                "SELECT count(*) FROM documents WHERE near_duplicate_of IS NOT NULL"
            ),
            "actor_mentions": scalar("SELECT count(*) FROM actor_mentions"),
            "events": scalar("SELECT count(*) FROM events"),
            "events_by_type": dict(by_type),
            "top_actors": dict(top_actors),
            # One pass over the paragraphs for both.
            "documents_by_language": self.documents_by_language(languages),
            "not_coded": self.not_coded(languages),
        }

    def _main_languages(self) -> list[tuple[str, int, int]]:
        """(language, documents, coded documents), from ``_MAIN_LANGUAGE_SQL``."""
        sql = _MAIN_LANGUAGE_SQL
        if summaries.built(self):  # counted as documents were written
            sql = (
                "SELECT language, documents, coded FROM tally_languages"
                " ORDER BY documents DESC, language"
            )
        rows = self.connection.execute(sql).fetchall()
        return [(language, int(n), int(coded)) for language, n, coded in rows]

    def documents_by_language(
        self, languages: list[tuple[str, int, int]] | None = None
    ) -> dict[str, int]:
        """Documents per main language (the language of most of their article text, page
        furniture left out), most frequent first."""
        rows = self._main_languages() if languages is None else languages
        return {language: documents for language, documents, _coded in rows}

    def not_coded(self, languages: list[tuple[str, int, int]] | None = None) -> dict[str, int]:
        """Documents stored but not coded because Veille does not code their main language
        (or its parser is not installed), per language: nothing is dropped silently."""
        rows = self._main_languages() if languages is None else languages
        return {language: n - coded for language, n, coded in rows if n - coded}

    # -- helpers --------------------------------------------------------------------

    def _has_date_source(self) -> bool:
        """Whether the events table has migration 4's ``date_source`` (a Store migrates when
        it opens for writing; only a test pins an older schema)."""
        if getattr(self, "_date_source_column", None) is None:
            self._date_source_column = self.schema_version() >= DATE_SOURCE_VERSION
        return self._date_source_column

    def _has_stories(self) -> bool:
        """Whether the events table has migration 7's ``story_id``."""
        if getattr(self, "_story_column", None) is None:
            self._story_column = self.schema_version() >= STORIES_VERSION
        return self._story_column

    def _has_event_day(self) -> bool:
        """Whether the events table has migration 11's ``day``."""
        if getattr(self, "_day_column", None) is None:
            self._day_column = self.schema_version() >= EVENT_DAY_VERSION
        return self._day_column

    def event_day(self) -> str:
        """SQL of an event's day over ``events_relation()``: its date, else its article's
        publication date (what event lists sort by and date filters compare)."""
        return "e.day" if self._has_event_day() else "coalesce(e.date_start, d.published)"

    def participant_days(self, where: EventFilter, alias: str = "p") -> tuple[str, list[Any]]:
        """``where``'s dates as conditions (each after an AND) on the participant rows
        ``alias``, which keep their event's day (migration 11; nothing before it)."""
        if not self._has_event_day():
            return "", []
        bounds = [(op, day) for op, day in ((">=", where.since), ("<=", where.until)) if day]
        return "".join(f" AND {alias}.day {op} ?" for op, _ in bounds), [d for _, d in bounds]

    def events_relation(self) -> str:
        """The events as ``e`` for ``event_conditions``: with their documents as ``d``
        before migration 11 (a database served read-only before its upgrade), which the
        day needed."""
        return "events e" if self._has_event_day() else "events e JOIN documents d USING (doc_id)"

    def _has_search_index(self) -> bool:
        """Whether the database has migration 9's search index."""
        if getattr(self, "_search_tables", None) is None:
            self._search_tables = self.schema_version() >= SEARCH_VERSION
        return self._search_tables

    def _has_packed_search(self) -> bool:
        """Whether the database has migration 13's search postings packed by key."""
        if getattr(self, "_packed_search_tables", None) is None:
            self._packed_search_tables = self.schema_version() >= search.PACKED_VERSION
        return self._packed_search_tables

    def _transaction(self) -> _Transaction:
        return _Transaction(self.connection)

    def content_version(self) -> tuple[Any, ...]:
        """Changes whenever a document is added or deleted (for caches built on the data)."""
        row = self.connection.execute("SELECT count(*), max(ingested_at) FROM documents").fetchone()
        return tuple(row or ())

    # -- read-only queries for the HTTP API (veille.api) ------------------------------

    def event_page(
        self,
        where: EventFilter,
        context: str | None = None,
        text: str | None = None,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """One page of events as spec records, newest first, and the number of all matches."""
        total, items, _last = self.event_keyset_page(where, context, text, offset)
        return total, items

    def event_keyset_page(
        self,
        where: EventFilter,
        context: str | None = None,
        text: str | None = None,
        offset: int = 0,
        after: EventKey | None = None,
        total: int | None = None,
    ) -> tuple[int, list[dict[str, Any]], EventKey | None]:
        """One page of events as spec records, newest first, the number of all matches and
        the sort key of the page's last event (``None`` for an empty page).

        ``where.limit`` is the page size; ``context`` is one PLOVER context; ``text`` a
        substring of the evidence sentence, compared without case or accents. ``after``
        (keyset pagination): only the events that sort after that key, found through the
        sort order instead of counting ``offset`` rows from the start. ``total``: the
        number of matches when the caller knows it (from the summaries), else counted.
        """
        conditions, params = self.event_conditions(where, context, text)
        relation, day = self.events_relation(), self.event_day()
        if total is None:
            row = self.connection.execute(
                f"SELECT count(*) FROM {relation} WHERE {conditions}", params
            ).fetchone()
            total = int(row[0]) if row else 0
        if after is not None:
            condition, values = _after_key(day, after)
            conditions += f" AND {condition}"
            params = [*params, *values]
        matches = (
            f"SELECT {day} AS day, e.doc_id, e.start_offset, e.event_id"
            f" FROM {relation} WHERE {conditions}"
        )
        limit = int(where.limit or 0)
        recent, recent_params = self.recent_days(matches, params, offset + limit)
        # The page's keys first, then its records by key: ordering the records themselves
        # would carry every skipped row's JSON through the sort (100,000 of them for a deep
        # page).
        page = self.connection.execute(
            f"SELECT day, doc_id, start_offset, event_id FROM ({matches}) m"
            f" WHERE {recent} ORDER BY day DESC NULLS LAST, doc_id, start_offset, event_id"
            " LIMIT ? OFFSET ?",
            [*params, *recent_params, limit, int(offset)],
        ).fetchall()
        records = self.event_records([str(row[3]) for row in page])
        last = EventKey(*page[-1]) if page else None
        return total, [records[row[3]] for row in page if row[3] in records], last

    def event_records(self, event_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The spec records of these events, by event_id, looked up by primary key: a page
        orders its events' keys, then reads only its own records.

        An id with no event is absent: on PostgreSQL (autocommit) an event may be deleted
        between a page's two statements, and is then left out, as a read just after the
        deletion would leave it out.
        """
        if not event_ids:
            return {}
        marks = ", ".join("?" * len(event_ids))
        rows = self.connection.execute(
            f"SELECT event_id, record FROM events WHERE event_id IN ({marks})", event_ids
        ).fetchall()
        return {event_id: load_record(record) for event_id, record in rows}

    def recent_days(self, matches: str, params: list[Any], rows: int) -> tuple[str, list[Any]]:
        """A condition on ``day`` that keeps the ``rows`` newest rows of the SELECT
        ``matches`` (which has a column ``day``), ties and undated rows aside, and few more.

        Sorting every match by all the keys of a list for each page grows with the store;
        finding the day of the last row wanted reads one narrow column, and the page's
        sort then has only the rows of that day and after (about a page at 10^7 events).
        """
        if rows <= 0:
            return "FALSE", []
        found = self.connection.execute(
            f"SELECT day FROM ({matches}) m ORDER BY day DESC NULLS LAST LIMIT 1 OFFSET ?",
            [*params, rows - 1],
        ).fetchone()
        if found is None or found[0] is None:  # fewer rows, or the page reaches undated ones
            return "TRUE", []
        return "day >= ?", [found[0]]

    def event_detail(self, event_id: str) -> dict[str, Any] | None:
        """An event's record, its evidence sliced from the stored text, and its document."""
        # Two lookups by key: a join would scan the documents on a large DuckDB store.
        found = self.connection.execute(
            "SELECT record, start_offset, end_offset, doc_id FROM events WHERE event_id = ?",
            [event_id],
        ).fetchone()
        if found is None:
            return None
        record, start, end, doc_id = found
        row = self.connection.execute(
            "SELECT doc_id, doc_path, source_format, title, author, url, published, language,"
            " near_duplicate_of, text FROM documents WHERE doc_id = ?",
            [doc_id],
        ).fetchone()
        if row is None:
            return None
        *meta, text = row
        keys = ("doc_id", "doc_path", "source_format", "title", "author", "url", "published")
        document = dict(zip((*keys, "language", "near_duplicate_of"), meta, strict=True))
        document["length"] = len(text)
        paragraph = self._evidence_paragraph(doc_id, start, end)
        event = load_record(record)
        return {
            "event": event,
            "evidence": {
                "start": start,
                "end": end,
                "text": text[start:end],
                "matches_record": text[start:end] == event["event_text"],
                "paragraph": (
                    {"position": paragraph[0], "start": paragraph[1], "end": paragraph[2]}
                    if paragraph
                    else None
                ),
            },
            "document": document,
        }

    def _evidence_paragraph(self, doc_id: str, start: int, end: int) -> tuple[int, int, int] | None:
        """The first paragraph holding ``start``..``end``: (position, start, end). All the
        document's paragraphs are read by ``doc_id`` alone, which DuckDB finds through its
        index (a condition on the offsets too would make it scan the table)."""
        rows = self.connection.execute(
            "SELECT position, start_offset, end_offset FROM paragraphs WHERE doc_id = ?",
            [doc_id],
        ).fetchall()
        holding = [row for row in rows if row[1] <= start and row[2] >= end]
        return min(holding) if holding else None

    def matching_identities(self, key: str) -> list[str]:
        """Actor identities whose identity, code or name equals ``key`` (no case, no accents)."""
        summarised = summaries.matching_identities(self, key)
        if summarised is not None:
            return summarised
        fold = self.backend.fold
        rows = self.connection.execute(
            "SELECT DISTINCT identity FROM event_participants"
            f" WHERE lower({fold('identity')}) = lower({fold('?')})"
            f" OR lower({fold('name')}) = lower({fold('?')}) OR lower(code) = lower(?)"
            " ORDER BY identity",
            [key, key, key],
        ).fetchall()
        return [identity for (identity,) in rows]

    def document_detail(self, doc_id: str) -> dict[str, Any] | None:
        """A stored document: metadata, text, paragraphs, actor mentions and event spans."""
        row = self.connection.execute(
            "SELECT doc_id, doc_path, source_format, title, author, url, published, language,"
            " near_duplicate_of, ingested_at, text FROM documents WHERE doc_id = ?",
            [doc_id],
        ).fetchone()
        if row is None:
            return None
        keys = (
            "doc_id",
            "doc_path",
            "source_format",
            "title",
            "author",
            "url",
            "published",
            "language",
            "near_duplicate_of",
            "ingested_at",
            "text",
        )
        document = dict(zip(keys, row, strict=True))
        document["paragraphs"] = self._api_dicts(
            "SELECT position, start_offset, end_offset, language, kept, reason"
            " FROM paragraphs WHERE doc_id = ? ORDER BY position",
            [doc_id],
            ("position", "start", "end", "language", "kept", "reason"),
        )
        document["mentions"] = self._api_dicts(
            "SELECT start_offset, end_offset, entity_text, code, name, office, kind"
            " FROM actor_mentions WHERE doc_id = ? ORDER BY position",
            [doc_id],
            ("start", "end", "entity_text", "code", "name", "office", "kind"),
        )
        document["events"] = self._api_dicts(
            "SELECT event_id, event, start_offset, end_offset, event_text"
            " FROM events WHERE doc_id = ? ORDER BY start_offset, event_id",
            [doc_id],
            ("event_id", "event", "start", "end", "event_text"),
        )
        return document

    def event_conditions(
        self, where: EventFilter, context: str | None = None, text: str | None = None
    ) -> tuple[str, list[Any]]:
        """SQL conditions over ``events_relation()`` and their bound parameters.

        The actor matches a code, an identity or a name, ignoring case and accents.
        """
        fold = self.backend.fold
        sql = ["TRUE"]
        params: list[Any] = []
        if where.actor:
            matched, matched_params = summaries.participant_condition(self, where.actor) or (
                summaries.label_match(self),
                [where.actor] * 3,
            )
            # The dates too, on the participant rows, so that only those of the days asked
            # for are read (the events' own condition below still decides).
            days, day_params = self.participant_days(where)
            sql.append(
                f"e.event_id IN (SELECT event_id FROM event_participants p WHERE ({matched}){days})"
            )
            params += [*matched_params, *day_params]
        if where.event_type:
            sql.append("e.event = ?")
            params.append(where.event_type.upper())
        if context:
            # Contexts are stored as a JSON list: match the quoted item, wildcards escaped.
            quoted = json.dumps(context.lower(), ensure_ascii=False)
            escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql.append("e.context LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        if where.since:
            sql.append(f"{self.event_day()} >= ?")
            params.append(where.since)
        if where.until:
            sql.append(f"{self.event_day()} <= ?")
            params.append(where.until)
        if where.min_confidence:
            # As the record rounds it (CONFIDENCE_DECIMALS): a cast to NUMERIC rounds alike
            # on DuckDB and PostgreSQL (whose round() takes no DOUBLE and decimals).
            sql.append(
                f"CAST(e.confidence AS NUMERIC(6, {CONFIDENCE_DECIMALS}))"
                " >= CAST(? AS DOUBLE PRECISION)"
            )
            params.append(where.min_confidence)
        if text:
            sql.append(f"strpos(lower({fold('e.event_text')}), lower({fold('?')})) > 0")
            params.append(text)
        return " AND ".join(sql), params

    def _api_dicts(self, sql: str, params: list[Any], keys: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.connection.execute(sql, params).fetchall()
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # -- exports (veille.export) -------------------------------------------------------

    def export_rows(
        self, where: EventFilter, context: str | None = None
    ) -> Iterator[tuple[dict[str, Any], str | None]]:
        """Every matching event as (spec record, source URL), newest first, as ``events``."""
        conditions, params = self.event_conditions(where, context)
        sql = (
            f"SELECT e.record, d.url FROM events e JOIN documents d USING (doc_id)"
            f" WHERE {conditions} ORDER BY {self.event_day()} DESC NULLS LAST,"
            " e.doc_id, e.start_offset, e.event_id"
        )
        cursor = self.connection.execute(sql, params)
        while batch := cursor.fetchmany(1000):
            for record, url in batch:
                yield load_record(record), url


@dataclass(frozen=True, slots=True)
class EventKey:
    """Where an event sorts in event lists: newest day first (undated last), then by
    document, position in it and id."""

    day: date | None
    doc_id: str
    start: int
    event_id: str


def _after_key(day: str, key: EventKey) -> tuple[str, list[Any]]:
    """SQL for "sorts after ``key``" in the order of ``Store.event_page``."""
    rest = (
        "(e.doc_id > ? OR (e.doc_id = ? AND (e.start_offset > ?"
        " OR (e.start_offset = ? AND e.event_id > ?))))"
    )
    values: list[Any] = [key.doc_id, key.doc_id, key.start, key.start, key.event_id]
    if key.day is None:
        return f"({day} IS NULL AND {rest})", values
    return (
        f"({day} < ? OR {day} IS NULL OR ({day} = ? AND {rest}))",
        [key.day, key.day, *values],
    )


class _Transaction:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


def load_record(text: str) -> dict[str, Any]:
    """A stored event record; one stored before ``date_source`` existed (schema 3) gets it,
    right after ``date_precision``: its date, if any, was read from the text."""
    record = json.loads(text)
    if "date_source" in record:
        return record
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        if key == "date_precision":
            out["date_source"] = "text" if record.get("date") else None
    return out


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
