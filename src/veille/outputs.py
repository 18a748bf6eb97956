"""Where ``veille extract`` writes its events: one JSONL or Parquet file, or a folder of shards.

Every writer takes the spec's event records (``Event.to_json()``) one at a time, in order,
and holds at most one Parquet row group in memory, so output size never limits a run. A
file or folder appears under its final name only once complete: an interrupted run leaves
a ``.partial`` beside it, never half an output.

- no path: JSONL on standard output;
- ``events.jsonl`` / ``events.parquet``: one file;
- any other path: a folder of shards ``part-00000.jsonl`` (or ``.parquet``), each with at
  most ``events_per_shard`` events, which Spark, DuckDB, pandas or Ray read as one data set.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TextIO

OutputFormat = Literal["jsonl", "parquet"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("jsonl", "parquet")
EVENTS_PER_SHARD = 100_000
PARQUET_ROW_GROUP = 10_000

EventWriter = Callable[[dict[str, Any]], None]


class OutputError(Exception):
    """An output that cannot be written as asked; ``str()`` is one line."""


def output_format(output: Path | None, requested: str | None) -> OutputFormat:
    """The format asked for, else the one the file suffix names, else JSONL."""
    if requested is not None:
        if requested not in OUTPUT_FORMATS:
            raise OutputError(f"unknown output format {requested!r}; choose jsonl or parquet")
        return requested  # type: ignore[return-value]
    if output is not None and output.suffix == ".parquet":
        return "parquet"
    return "jsonl"


def is_single_file(output: Path) -> bool:
    return output.suffix in (".jsonl", ".parquet")


@contextmanager
def open_event_writer(
    output: Path | None,
    fmt: OutputFormat = "jsonl",
    events_per_shard: int = EVENTS_PER_SHARD,
) -> Iterator[EventWriter]:
    """A function that writes one event record; the output is complete when the block ends."""
    if output is None:
        if fmt != "jsonl":
            raise OutputError("Parquet cannot go to standard output; give -o FILE or FOLDER")
        yield _jsonl_writer(sys.stdout)
        return
    if is_single_file(output) and output.suffix != f".{fmt}":
        raise OutputError(f"{output}: a {fmt} output needs a .{fmt} name, or a folder name")
    partial = output.with_name(output.name + ".partial")
    _remove(partial)
    if is_single_file(output):
        with _single_file(partial, fmt) as write:
            yield write
    else:
        if output.exists() and (not output.is_dir() or any(output.iterdir())):
            raise OutputError(f"{output}: exists and is not an empty folder; remove it first")
        partial.mkdir(parents=True)
        with _ShardedWriter(partial, fmt, events_per_shard) as shards:
            yield shards.write
        _remove(output)
    partial.replace(output)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _jsonl_writer(handle: TextIO) -> EventWriter:
    def write(record: dict[str, Any]) -> None:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    return write


@contextmanager
def _single_file(path: Path, fmt: OutputFormat) -> Iterator[EventWriter]:
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            yield _jsonl_writer(handle)
    else:
        with _ParquetFile(path) as parquet:
            yield parquet.write


class _ShardedWriter:
    """Numbered shards of at most ``events_per_shard`` events each."""

    def __init__(self, folder: Path, fmt: OutputFormat, events_per_shard: int) -> None:
        self.folder = folder
        self.fmt = fmt
        self.events_per_shard = events_per_shard
        self.shards = 0
        self._in_shard = 0
        self._handle: TextIO | None = None
        self._parquet: _ParquetFile | None = None

    def __enter__(self) -> _ShardedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_shard()

    def write(self, record: dict[str, Any]) -> None:
        if self._in_shard == 0:
            self._open_shard()
        if self._parquet is not None:
            self._parquet.write(record)
        elif self._handle is not None:
            self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._in_shard += 1
        if self._in_shard == self.events_per_shard:
            self._close_shard()

    def _open_shard(self) -> None:
        path = self.folder / f"part-{self.shards:05d}.{self.fmt}"
        self.shards += 1
        if self.fmt == "jsonl":
            self._handle = path.open("w", encoding="utf-8")
        else:
            self._parquet = _ParquetFile(path).__enter__()

    def _close_shard(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._parquet is not None:
            self._parquet.__exit__()
        self._handle, self._parquet, self._in_shard = None, None, 0


class _ParquetFile:
    """A Parquet file written a row group at a time, with the fixed ``event_schema()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: list[dict[str, Any]] = []
        self._writer: Any = None

    def __enter__(self) -> _ParquetFile:
        pq = _pyarrow_parquet()
        self._writer = pq.ParquetWriter(str(self.path), event_schema())
        return self

    def __exit__(self, *exc: object) -> None:
        self._flush()
        self._writer.close()

    def write(self, record: dict[str, Any]) -> None:
        self._rows.append(record)
        if len(self._rows) >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=event_schema()))
            self._rows = []


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise OutputError(
            "Parquet output needs pyarrow: pip install 'veille[ray]' (or pyarrow)"
        ) from None
    return pq


def event_schema() -> Any:
    """Arrow schema of an event record: the spec's JSON fields, nested as they are.

    Fixed rather than inferred, so that every shard has the same schema even when one holds
    no office, size or place at all. ``size`` (counts by key) is a map.
    """
    import pyarrow as pa

    strings = pa.list_(pa.string())
    actor = pa.struct(
        [
            ("code", pa.string()),
            ("sector", strings),
            ("name", pa.string()),
            ("entity_text", pa.string()),
            ("wikidata", pa.string()),
            ("office", pa.string()),
        ]
    )
    place = pa.struct(
        [
            ("extracted_place", pa.string()),
            ("geonameid", pa.int64()),
            ("lat", pa.float64()),
            ("lon", pa.float64()),
            ("country_code", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("id", pa.string()),
            ("doc_path", pa.string()),
            ("doc_id", pa.string()),
            ("event", pa.string()),
            ("mode", strings),
            ("context", strings),
            ("actor", pa.list_(actor)),
            ("recipient", pa.list_(actor)),
            ("date", pa.string()),
            ("date_precision", pa.string()),
            ("date_source", pa.string()),
            ("historical", pa.bool_()),
            ("event_loc", place),
            ("size", pa.map_(pa.string(), pa.int64())),
            ("event_text", pa.string()),
            ("text_info", pa.struct([("start", pa.int64()), ("end", pa.int64())])),
            ("confidence", pa.float64()),
            ("coder", pa.string()),
        ]
    )
