"""Exports of stored events for other tools (``veille export``).

- ``jsonl``: the spec's PLOVER records, one per line, exactly as ``veille extract`` writes them;
- ``csv`` and ``parquet``: one row per event with flat, GDELT-like columns (``COLUMNS``);
- ``graphml`` and ``gexf``: the actor network of ``veille.graph``, as ``/api/graph`` serves it.

Every export goes to a temporary file beside the target, renamed over it when complete, so
an interrupted export never leaves half a file; an empty selection gives a valid empty file
(a CSV header, a Parquet file with its columns, a graph without nodes).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import duckdb

from veille.graph import actor_filter_key, build_graph, gexf, graphml
from veille.model import Unit
from veille.store import EventFilter, Store
from veille.stories import StoryFilter, story_page
from veille.tallies import EventScope, events_with_actors

FORMATS = ("jsonl", "csv", "parquet", "graphml", "gexf", "stories")

#: Flat columns of the CSV and Parquet exports, with their Parquet (DuckDB) types. Lists
#: are joined: several actors with ";" (codes, names and sector groups in the same order),
#: an actor's sectors, modes and contexts with ",".
COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("date", "VARCHAR"),  # as in the record: YYYY-MM-DD, YYYY-MM or YYYY
    ("date_precision", "VARCHAR"),
    ("date_source", "VARCHAR"),  # "text" (stated in the article) or "published"
    ("historical", "BOOLEAN"),
    ("actor1_code", "VARCHAR"),
    ("actor1_name", "VARCHAR"),
    ("actor1_sector", "VARCHAR"),
    ("actor2_code", "VARCHAR"),
    ("actor2_name", "VARCHAR"),
    ("actor2_sector", "VARCHAR"),
    ("event", "VARCHAR"),
    ("mode", "VARCHAR"),
    ("context", "VARCHAR"),
    ("place", "VARCHAR"),
    ("geonameid", "BIGINT"),
    ("lat", "DOUBLE"),
    ("lon", "DOUBLE"),
    ("place_country", "VARCHAR"),
    ("size", "VARCHAR"),  # the record's quantities as compact JSON, e.g. {"persons":200}
    ("confidence", "DOUBLE"),
    ("event_text", "VARCHAR"),
    ("text_start", "INTEGER"),
    ("text_end", "INTEGER"),
    ("doc_id", "VARCHAR"),
    ("url", "VARCHAR"),
    ("doc_path", "VARCHAR"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)


class ExportError(Exception):
    """The export cannot be written; ``str()`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which events to export; the same filters as the API's lists."""

    actor: str | None = None  # a code (MAR), a country name (Maroc) or a canonical name
    event_type: str | None = None
    context: str | None = None
    since: date | None = None
    until: date | None = None
    min_confidence: float = 0.0  # graphs count only the events that pass it
    unit: Unit = "stories"  # graph edges count stories (each real-world event once) or events

    def where(self) -> EventFilter:
        return EventFilter(
            actor_filter_key(self.actor),
            self.event_type,
            self.since,
            self.until,
            min_confidence=self.min_confidence,
        )


@dataclass(frozen=True, slots=True)
class ExportSummary:
    output: Path
    output_format: str
    events: int
    nodes: int | None = None  # graph formats only
    edges: int | None = None
    unit: str = "events"  # what ``events`` counts: events, or stories (graphs, stories)

    def __str__(self) -> str:
        if self.nodes is not None:
            return (
                f"{self.nodes} actors and {self.edges} edges from {self.events} {self.unit}"
                f" written to {self.output} ({self.output_format})"
            )
        return f"{self.events} {self.unit} written to {self.output} ({self.output_format})"


def export(
    store: Store, output_format: str, output: Path, selection: ExportFilter = ExportFilter()
) -> ExportSummary:
    """Write the selected events of ``store`` to ``output`` in ``output_format``."""
    if output_format not in FORMATS:
        raise ExportError(f"unknown format {output_format!r}; choose {', '.join(FORMATS)}")
    output = Path(output)
    if output.is_dir():
        raise ExportError(f"{output}: is a directory")
    if output_format in ("graphml", "gexf"):
        scope = EventScope(selection.where(), selection.context, unit=selection.unit)
        graph = build_graph(store, scope)
        data = graphml(graph) if output_format == "graphml" else gexf(graph)
        with _atomic(output, binary=True) as handle:
            handle.write(data)
        events = events_with_actors(store, scope)
        return ExportSummary(
            output, output_format, events, len(graph["nodes"]), len(graph["edges"]), selection.unit
        )
    if output_format == "stories":
        count = _write_stories(store, selection, output)
        return ExportSummary(output, output_format, count, unit="stories")
    rows_with_urls = store.export_rows(selection.where(), selection.context)
    writers: dict[str, Callable[[Iterable[tuple[dict[str, Any], str | None]], Path], int]] = {
        "jsonl": _write_jsonl,
        "csv": _write_csv,
        "parquet": _write_parquet,
    }
    count = writers[output_format](rows_with_urls, output)
    return ExportSummary(output, output_format, count)


def _write_jsonl(rows: Iterable[tuple[dict[str, Any], str | None]], output: Path) -> int:
    count = 0
    with _atomic(output) as handle:
        for record, _url in rows:
            # The separators and escaping of `veille extract`, so the lines are identical.
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_stories(store: Store, selection: ExportFilter, output: Path) -> int:
    """Story records (``veille stories --format jsonl``), one per line, latest first."""
    where = selection.where()
    stories = StoryFilter(
        actor=where.actor,
        event_type=where.event_type,
        context=selection.context,
        since=where.since,
        until=where.until,
        min_confidence=where.min_confidence,
    )
    total, items = story_page(store, stories, limit=2**31 - 1)
    with _atomic(output) as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return total


def _write_csv(rows: Iterable[tuple[dict[str, Any], str | None]], output: Path) -> int:
    with _atomic(output) as handle:
        return _csv_rows(rows, handle)


def _csv_rows(rows: Iterable[tuple[dict[str, Any], str | None]], handle: IO[str]) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    count = 0
    for record, url in rows:
        writer.writerow(["" if v is None else v for v in flat_row(record, url)])
        count += 1
    return count


def _write_parquet(rows: Iterable[tuple[dict[str, Any], str | None]], output: Path) -> int:
    """Rows go through a CSV file that DuckDB reads with declared column types and copies
    to Parquet: no Arrow or pandas needed, and memory stays flat whatever the backend."""
    with tempfile.TemporaryDirectory(prefix="veille-export-") as scratch:
        staging = Path(scratch) / "events.csv"
        with staging.open("w", encoding="utf-8", newline="") as handle:
            count = _csv_rows(rows, handle)
        types = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS)
        with _atomic_path(output) as partial:
            connection = duckdb.connect(":memory:")
            try:
                connection.execute(
                    f"COPY (SELECT * FROM read_csv({_sql_string(staging)}, header = true,"
                    f" columns = {{{types}}}, quote = '\"', escape = '\"', nullstr = '',"
                    f" auto_detect = false)) TO {_sql_string(partial)} (FORMAT parquet)"
                )
            finally:
                connection.close()
    return count


def _sql_string(path: Path) -> str:
    """A path as an SQL string literal (COPY takes no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def flat_row(record: dict[str, Any], url: str | None = None) -> list[Any]:
    """One event record as the values of ``COLUMNS``."""
    loc = record.get("event_loc") or {}
    actors, recipients = record["actor"], record["recipient"]
    return [
        record["id"],
        record["date"],
        record["date_precision"],
        record.get("date_source"),
        record["historical"],
        *_actor_columns(actors),
        *_actor_columns(recipients),
        record["event"],
        ",".join(record["mode"]),
        ",".join(record["context"]),
        loc.get("extracted_place"),
        loc.get("geonameid"),
        loc.get("lat"),
        loc.get("lon"),
        loc.get("country_code"),
        json.dumps(record["size"], separators=(",", ":")) if record.get("size") else None,
        record["confidence"],
        record["event_text"],
        record["text_info"]["start"],
        record["text_info"]["end"],
        record["doc_id"],
        url,
        record["doc_path"],
    ]


def _actor_columns(actors: list[dict[str, Any]]) -> tuple[str | None, str | None, str | None]:
    if not actors:
        return None, None, None
    return (
        ";".join(a["code"] for a in actors),
        ";".join(a["name"] for a in actors),
        ";".join(",".join(a["sector"]) for a in actors),
    )


@contextmanager
def _atomic(output: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file open for writing, which becomes ``output`` only if the block succeeds."""
    with _atomic_path(output) as partial:
        if binary:
            with partial.open("wb") as handle:
                yield handle
        else:
            with partial.open("w", encoding="utf-8", newline="") as handle:
                yield handle


@contextmanager
def _atomic_path(output: Path) -> Iterator[Path]:
    """A temporary path beside ``output``, renamed over it only if the block succeeds."""
    directory = output.parent
    if not directory.is_dir():
        raise ExportError(f"{output}: no such directory {directory}")
    try:
        descriptor, name = tempfile.mkstemp(
            dir=directory, prefix=f".{output.name}.", suffix=".partial"
        )
    except OSError as error:
        raise ExportError(f"{output}: cannot write ({error.strerror or error})") from None
    os.close(descriptor)
    partial = Path(name)
    try:
        yield partial
        partial.chmod(0o644)  # mkstemp makes it private; an export is an ordinary file
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
