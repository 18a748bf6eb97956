"""Stage 6: the event database (an embedded DuckDB file by default).

The schema is created by the numbered SQL files in ``veille/migrations`` and recorded
in ``schema_migrations``. Each document is written in one transaction together with
its paragraphs, actor mentions and events, so a crash never leaves half a document;
a document already stored (same content hash) is skipped, which makes ingest idempotent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from veille.model import DocumentResult, Event

DEFAULT_DB = "veille.duckdb"
MIGRATIONS_PACKAGE = "veille.migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")


class StoreError(Exception):
    """The database cannot be opened or written; ``str()`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The schema migrations shipped with the package, in order."""
    found = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


@dataclass(frozen=True, slots=True)
class EventFilter:
    actor: str | None = None  # a code ("MAR") or a canonical name ("Front Polisario")
    event_type: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int | None = None


class Store:
    """A Veille database. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str = DEFAULT_DB, read_only: bool = False) -> None:
        self.path = path
        if path != ":memory:" and read_only and not Path(path).exists():
            raise StoreError(f"{path}: no such database; run `veille ingest` first")
        try:
            self.connection = duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as error:
            raise StoreError(_explain_open_error(path, error)) from None
        if not read_only:
            self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    # -- schema ---------------------------------------------------------------------

    def schema_version(self) -> int:
        exists = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()
        if not exists or not exists[0]:
            return 0
        row = self.connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0) if row else 0

    def migrate(self) -> int:
        """Apply the migrations the database lacks; returns the schema version."""
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        current = self.schema_version()
        for migration in migrations():
            if migration.version <= current:
                continue
            with self._transaction():
                self.connection.execute(migration.sql)
                self.connection.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [migration.version, migration.name, _now()],
                )
            current = migration.version
        return current

    # -- writing --------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        row = self.connection.execute(
            "SELECT 1 FROM documents WHERE doc_id = ?", [doc_id]
        ).fetchone()
        return row is not None

    def add(self, result: DocumentResult) -> bool:
        """Store one coded document atomically; False if it was already stored."""
        document = result.document
        if self.has_document(document.doc_id):
            return False
        with self._transaction():
            self._insert_document(result)
            self._insert_paragraphs(result)
            self._insert_mentions(result)
            for event in result.events:
                self._insert_event(event)
        return True

    def _insert_document(self, result: DocumentResult) -> None:
        d = result.document
        self.connection.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        )

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

    def _insert_event(self, event: Event) -> None:
        record = event.to_json()
        loc = event.event_loc
        self.connection.execute(
            "INSERT INTO events VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
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
            ],
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
            ]
            for role, actors in (("actor", event.actor), ("recipient", event.recipient))
            for i, a in enumerate(actors)
        ]
        if participants:
            self.connection.executemany(
                "INSERT INTO event_participants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", participants
            )

    # -- reading --------------------------------------------------------------------

    def events(self, where: EventFilter = EventFilter()) -> Iterator[dict[str, Any]]:
        """Stored events as spec JSON records, newest first, filtered."""
        conditions, params = self.event_conditions(where)
        sql = (
            f"SELECT e.record FROM events e JOIN documents d USING (doc_id) WHERE {conditions}"
            " ORDER BY coalesce(e.date_start, d.published) DESC NULLS LAST,"
            " e.doc_id, e.start_offset"
        )
        if where.limit is not None:
            sql += " LIMIT ?"
            params.append(int(where.limit))
        for (record,) in self.connection.execute(sql, params).fetchall():
            yield json.loads(record)

    def stats(self) -> dict[str, Any]:
        def scalar(query: str) -> int:
            row = self.connection.execute(query).fetchone()
            return int(row[0]) if row else 0

        by_type = self.connection.execute(
            "SELECT event, count(*) FROM events GROUP BY event ORDER BY count(*) DESC, event"
        ).fetchall()
        top_actors = self.connection.execute(
            "SELECT identity, count(DISTINCT event_id) AS n FROM event_participants"
            " GROUP BY identity ORDER BY n DESC, identity LIMIT 10"
        ).fetchall()
        return {
            "database": self.path,
            "schema_version": self.schema_version(),
            "documents": scalar("SELECT count(*) FROM documents"),
            "near_duplicates": scalar(
                "SELECT count(*) FROM documents WHERE near_duplicate_of IS NOT NULL"
            ),
            "actor_mentions": scalar("SELECT count(*) FROM actor_mentions"),
            "events": scalar("SELECT count(*) FROM events"),
            "events_by_type": dict(by_type),
            "top_actors": dict(top_actors),
        }

    # -- helpers --------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self.connection)

    # -- read-only queries for the HTTP API (veille.api) ------------------------------

    def event_page(
        self,
        where: EventFilter,
        context: str | None = None,
        text: str | None = None,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """One page of events as spec records, newest first, and the number of all matches.

        ``where.limit`` is the page size; ``context`` is one PLOVER context; ``text`` a
        substring of the evidence sentence, compared without case or accents.
        """
        conditions, params = self.event_conditions(where, context, text)
        base = f"FROM events e JOIN documents d USING (doc_id) WHERE {conditions}"
        row = self.connection.execute(f"SELECT count(*) {base}", params).fetchone()
        total = int(row[0]) if row else 0
        page = self.connection.execute(
            f"SELECT e.record {base} ORDER BY coalesce(e.date_start, d.published) DESC NULLS LAST,"
            " e.doc_id, e.start_offset, e.event_id LIMIT ? OFFSET ?",
            [*params, int(where.limit or 0), int(offset)],
        ).fetchall()
        return total, [json.loads(record) for (record,) in page]

    def event_detail(self, event_id: str) -> dict[str, Any] | None:
        """An event's record, its evidence sliced from the stored text, and its document."""
        row = self.connection.execute(
            "SELECT e.record, e.start_offset, e.end_offset, d.doc_id, d.doc_path,"
            " d.source_format, d.title, d.author, d.url, d.published, d.language,"
            " d.near_duplicate_of, d.text"
            " FROM events e JOIN documents d USING (doc_id) WHERE e.event_id = ?",
            [event_id],
        ).fetchone()
        if row is None:
            return None
        record, start, end, *meta, text = row
        keys = ("doc_id", "doc_path", "source_format", "title", "author", "url", "published")
        document = dict(zip((*keys, "language", "near_duplicate_of"), meta, strict=True))
        document["length"] = len(text)
        paragraph = self.connection.execute(
            "SELECT position, start_offset, end_offset FROM paragraphs"
            " WHERE doc_id = ? AND start_offset <= ? AND end_offset >= ? ORDER BY position LIMIT 1",
            [document["doc_id"], start, end],
        ).fetchone()
        event = json.loads(record)
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

    def participant_rows(
        self, where: EventFilter, context: str | None = None, text: str | None = None
    ) -> list[dict[str, Any]]:
        """One row per (matching event, participant), for actor lists, briefs and graphs."""
        conditions, params = self.event_conditions(where, context, text)
        rows = self.connection.execute(
            "SELECT e.event_id, e.doc_id, e.event, p.role, p.position, p.code, p.sector, p.name,"
            " p.identity, p.office, coalesce(e.date_start, d.published) AS day, e.place,"
            " e.geonameid, e.lat, e.lon, e.place_country"
            " FROM events e JOIN documents d USING (doc_id)"
            " JOIN event_participants p ON p.event_id = e.event_id"
            f" WHERE {conditions} ORDER BY e.event_id, p.role, p.position",
            params,
        ).fetchall()
        keys = (
            "event_id",
            "doc_id",
            "event",
            "role",
            "position",
            "code",
            "sector",
            "name",
            "identity",
            "office",
            "day",
            "place",
            "geonameid",
            "lat",
            "lon",
            "place_country",
        )
        out = [dict(zip(keys, row, strict=True)) for row in rows]
        for item in out:
            item["sector"] = json.loads(item["sector"])
        return out

    def matching_identities(self, key: str) -> list[str]:
        """Actor identities whose identity, code or name equals ``key`` (no case, no accents)."""
        rows = self.connection.execute(
            "SELECT DISTINCT identity FROM event_participants"
            " WHERE lower(strip_accents(identity)) = lower(strip_accents(?))"
            " OR lower(strip_accents(name)) = lower(strip_accents(?)) OR lower(code) = lower(?)"
            " ORDER BY identity",
            [key, key, key],
        ).fetchall()
        return [identity for (identity,) in rows]

    def office_mentions(self, code: str) -> list[dict[str, Any]]:
        """Mentions of people and office holders with country or group ``code``."""
        rows = self.connection.execute(
            "SELECT doc_id, start_offset, end_offset, entity_text, code, sector, name, office, kind"
            " FROM actor_mentions WHERE code = ? AND (kind = 'person' OR office IS NOT NULL)"
            " ORDER BY doc_id, position",
            [code],
        ).fetchall()
        keys = ("doc_id", "start", "end", "entity_text", "code", "sector", "name", "office", "kind")
        out = [dict(zip(keys, row, strict=True)) for row in rows]
        for item in out:
            item["sector"] = json.loads(item["sector"])
        return out

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

    def searchable_documents(self) -> list[dict[str, Any]]:
        """Every document's metadata and text with the spans of its kept paragraphs."""
        documents = self.connection.execute(
            "SELECT doc_id, doc_path, title, published, text FROM documents ORDER BY doc_id"
        ).fetchall()
        spans: dict[str, list[tuple[int, int]]] = {}
        for doc_id, start, end in self.connection.execute(
            "SELECT doc_id, start_offset, end_offset FROM paragraphs WHERE kept"
            " ORDER BY doc_id, position"
        ).fetchall():
            spans.setdefault(doc_id, []).append((start, end))
        keys = ("doc_id", "doc_path", "title", "published", "text")
        return [
            {**dict(zip(keys, row, strict=True)), "kept": spans.get(row[0], [])}
            for row in documents
        ]

    def event_conditions(
        self, where: EventFilter, context: str | None = None, text: str | None = None
    ) -> tuple[str, list[Any]]:
        """SQL conditions over ``events e JOIN documents d`` and their bound parameters.

        The actor matches a code, an identity or a name, ignoring case and accents.
        """
        sql = ["TRUE"]
        params: list[Any] = []
        if where.actor:
            sql.append(
                "e.event_id IN (SELECT event_id FROM event_participants"
                " WHERE lower(code) = lower(?)"
                " OR lower(strip_accents(identity)) = lower(strip_accents(?))"
                " OR lower(strip_accents(name)) = lower(strip_accents(?)))"
            )
            params += [where.actor] * 3
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
            sql.append("coalesce(e.date_start, d.published) >= ?")
            params.append(where.since)
        if where.until:
            sql.append("coalesce(e.date_start, d.published) <= ?")
            params.append(where.until)
        if text:
            sql.append("strpos(lower(strip_accents(e.event_text)), lower(strip_accents(?))) > 0")
            params.append(text)
        return " AND ".join(sql), params

    def _api_dicts(self, sql: str, params: list[Any], keys: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.connection.execute(sql, params).fetchall()
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # -- exports and deletion (veille.export, the API's write endpoints) ---------------

    def export_rows(
        self, where: EventFilter, context: str | None = None
    ) -> Iterator[tuple[dict[str, Any], str | None]]:
        """Every matching event as (spec record, source URL), newest first, as ``events``."""
        conditions, params = self.event_conditions(where, context)
        sql = (
            f"SELECT e.record, d.url FROM events e JOIN documents d USING (doc_id)"
            f" WHERE {conditions} ORDER BY coalesce(e.date_start, d.published) DESC NULLS LAST,"
            " e.doc_id, e.start_offset, e.event_id"
        )
        cursor = self.connection.execute(sql, params)
        while batch := cursor.fetchmany(1000):
            for record, url in batch:
                yield json.loads(record), url

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document with its paragraphs, mentions and events; False if absent.

        DuckDB checks a foreign key against the rows as they were when the transaction
        began, so a row and the rows that reference it cannot be deleted in one
        transaction. The deletion therefore runs leaves first in three transactions
        (event participants; events, mentions and paragraphs; the document). The document
        row goes last, so if the process dies midway the document is still listed and
        deleting it again finishes the job.
        """
        if not self.has_document(doc_id):
            return False
        events = "SELECT event_id FROM events WHERE doc_id = ?"
        with self._transaction():
            self.connection.execute(
                f"DELETE FROM event_participants WHERE event_id IN ({events})", [doc_id]
            )
        with self._transaction():
            for table in ("events", "actor_mentions", "paragraphs"):
                self.connection.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])
        with self._transaction():
            self.connection.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])
        return True


class _Transaction:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


def _explain_open_error(path: str, error: Exception) -> str:
    message = str(error)
    if "lock" in message.lower():
        holder = re.search(r"\(PID (\d+)\)", message)
        who = f"process {holder[1]}" if holder else "another process"
        return f"{path}: database is locked by {who}; wait for it to finish or use another --db"
    return f"{path}: cannot open database ({message.splitlines()[0]})"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
