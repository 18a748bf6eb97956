"""The ``veille`` command: a thin layer over ``veille.pipeline`` and ``veille.store``."""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from veille import __version__
from veille.backends import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_VARIABLE
from veille.ingest import IngestError, iter_input_files
from veille.lang import language_name
from veille.model import DocumentResult
from veille.store import (
    DEFAULT_DB,
    EventFilter,
    Store,
    StoreError,
    check_confidence,
    database_name,
)

app = typer.Typer(
    help="Veille: code French security-cooperation news into PLOVER events with evidence.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # one-line errors, even in narrow CI logs
log = logging.getLogger("veille")

PathsArgument = Annotated[list[str], typer.Argument(help="Files or folders (.txt, .html, .jsonl).")]
PublishedOption = Annotated[
    str | None,
    typer.Option(help="Publication date (YYYY-MM-DD) for inputs whose metadata has none."),
]
DbOption = Annotated[
    str, typer.Option("--db", help="DuckDB file, or postgresql://user@host:port/dbname.")
]
WorkersOption = Annotated[
    int | None,
    typer.Option(min=1, help="Processes (Ray actors) coding documents (default: all cores)."),
]


def _confidence_threshold(value: float) -> float:
    try:
        return check_confidence(value)
    except ValueError:
        raise typer.BadParameter(f"{value} is not a number between 0 and 1") from None


MinConfidenceOption = Annotated[
    float,
    typer.Option(
        callback=_confidence_threshold,
        help="Only events whose confidence is at least this (0 to 1).",
    ),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"veille {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each document.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    # trafilatura logs its own warning for a page it cannot use; the one error line we
    # print for that file says it already.
    logging.getLogger("trafilatura").setLevel(logging.INFO if verbose else logging.ERROR)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


class _Run:
    """Progress and error reporting for a batch run: a Rich bar on a terminal, logs otherwise."""

    def __init__(self, paths: list[str]) -> None:
        self.total_files = sum(1 for item in iter_input_files(paths) if isinstance(item, str))
        self.failures = 0
        self.documents = 0
        self._last_file: str | None = None
        self._progress: Progress | None = None
        self._task: Any = None

    @contextmanager
    def progress(self) -> Iterator[_Run]:
        if err_console.is_terminal:
            with Progress(
                TextColumn("[bold]coding"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files · {task.fields[rate]} docs/s"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            ) as progress:
                self._progress = progress
                self._task = progress.add_task("coding", total=self.total_files, rate="–")
                yield self
        else:
            yield self

    def error(self, error: IngestError) -> None:
        self.failures += 1
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False, soft_wrap=True)

    def document(self, result: DocumentResult) -> None:
        self.documents += 1
        log.info("%s: %d events", result.document.doc_path, len(result.events))
        if self._progress is not None:
            elapsed = self._progress.tasks[0].elapsed or 0.0
            rate = f"{self.documents / elapsed:.1f}" if elapsed > 0 else "–"
            # JSONL lines share their file: the bar counts files, the rate documents.
            file = result.document.doc_path.split("#", 1)[0]
            self._progress.update(self._task, advance=int(file != self._last_file), rate=rate)
            self._last_file = file

    def exit_code(self) -> int:
        return 1 if self.failures else 0


@app.command()
def extract(
    paths: PathsArgument,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="A .jsonl or .parquet file, or a folder of shards (default: JSONL on stdout).",
        ),
    ] = None,
    published: PublishedOption = None,
    workers: WorkersOption = None,
    engine: Annotated[
        str, typer.Option(help="local (this machine) or ray (a Ray cluster, with Ray Data).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster: auto (the one `ray start` set up) or ray://host:port."),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", help="jsonl or parquet (default: from the -o suffix or jsonl)."),
    ] = None,
    min_confidence: MinConfidenceOption = 0.0,
) -> None:
    """Code files or folders to PLOVER events (no database needed)."""
    from veille import pipeline
    from veille.engines import EngineError, RayEngine
    from veille.outputs import OutputError, open_event_writer
    from veille.outputs import output_format as choose_format

    if engine not in ("local", "ray"):
        raise typer.BadParameter("choose local or ray", param_hint="--engine")
    if address is not None and engine != "ray":
        raise typer.BadParameter("only with --engine ray", param_hint="--address")
    run = _Run(paths)
    published_date = _parse_date(published, "--published")
    count = 0
    try:
        with open_event_writer(output, choose_format(output, output_format)) as write:
            if engine == "ray":
                ray_engine = RayEngine(address=address, workers=workers)
                records = ray_engine.events(paths, published_date, run.error, min_confidence)
                for record in records:
                    write(record)
                    count += 1
                run.documents = ray_engine.documents
            else:
                with run.progress():
                    for event in pipeline.extract(
                        paths,
                        published_date,
                        run.error,
                        workers=workers,
                        on_document=run.document,
                        min_confidence=min_confidence,
                    ):
                        write(event.to_json())
                        count += 1
    except (EngineError, OutputError) as error:
        err_console.print(f"[red]error[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if output is not None:
        err_console.print(f"{count} events from {run.documents} documents written to {output}")
    raise typer.Exit(run.exit_code())


@app.command()
def ingest(
    paths: PathsArgument,
    db: DbOption = DEFAULT_DB,
    published: PublishedOption = None,
    workers: WorkersOption = None,
) -> None:
    """Code files or folders and store documents, actors and events in the database."""
    from veille import pipeline
    from veille.engines import EngineError

    run = _Run(paths)
    try:
        with run.progress():
            summary = pipeline.ingest(
                paths,
                db=db,
                published=_parse_date(published, "--published"),
                on_error=run.error,
                on_document=lambda result, _stored: run.document(result),
                workers=workers,
            )
    except (StoreError, EngineError) as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    err_console.print(
        f"{summary.documents_stored} documents stored ({summary.already_stored} already there), "
        f"{summary.events_stored} events, {len(summary.errors)} errors; "
        f"database: {escape(database_name(db))}"
    )
    raise typer.Exit(run.exit_code())


def _duration(value: str | None) -> float | None:
    """Seconds of ``--every``: 90s, 30m, 2h or 1d; a bare number is minutes."""
    if value is None:
        return None
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = value.strip().lower()
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "m")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise typer.BadParameter(
            f"{value!r} is not a duration (e.g. 90s, 30m, 2h)", param_hint="--every"
        )
    return seconds


@app.command()
def watch(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="A sources YAML file (examples/sources.yaml), or feed or sitemap URLs."
        ),
    ],
    db: DbOption = DEFAULT_DB,
    once: Annotated[bool, typer.Option("--once", help="One round, then stop (the default).")] = (
        False
    ),
    every: Annotated[
        str | None,
        typer.Option(help="A round every this long, until stopped (e.g. 30m, 2h)."),
    ] = None,
    delay: Annotated[
        float,
        typer.Option(min=0, help="Seconds between two requests to one host (Crawl-delay wins)."),
    ] = 1.0,
    user_agent: Annotated[
        str | None,
        typer.Option(
            envvar="VEILLE_USER_AGENT",
            help="User-Agent sent (and matched in robots.txt); add a contact for the sites.",
        ),
    ] = None,
) -> None:
    """Follow RSS/Atom feeds and news sitemaps: fetch, code and store every new page."""
    from veille.watch import (
        USER_AGENT,
        SourcesError,
        Watcher,
        WatchError,
        WatchSettings,
        WatchSummary,
        sources_of,
    )

    if once and every:
        raise typer.BadParameter("choose --once or --every", param_hint="--every")
    interval = _duration(every)
    try:
        watched = sources_of(sources)
    except SourcesError as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None

    def report_error(error: WatchError) -> None:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)

    def report_round(summary: WatchSummary) -> None:
        err_console.print(
            f"watch: {escape(str(summary))}; database: {escape(database_name(db))}",
            highlight=False,
        )

    settings = WatchSettings(host_delay=delay, user_agent=user_agent or USER_AGENT)
    watcher = Watcher(watched, db, settings, on_error=report_error)
    try:
        if interval is not None:
            watcher.run_every(interval, on_round=report_round)  # until stopped
        summary = watcher.run_once()
    except StoreError as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:  # each page is stored whole or not at all: nothing to undo
        err_console.print("watch stopped")
        raise typer.Exit(130) from None
    report_round(summary)
    # Some pages always fail somewhere; a round fails only when no source could be read.
    raise typer.Exit(1 if summary.sources_failed == summary.sources else 0)


@app.command()
def recode(
    db: DbOption = DEFAULT_DB,
    since: Annotated[
        str | None, typer.Option(help="Pages first fetched on or after this day (YYYY-MM-DD).")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Pages of this host, e.g. fr.hespress.com.")
    ] = None,
) -> None:
    """Code the kept pages again with the current coder; report the events added and removed."""
    from veille import pipeline

    since_date = _parse_date(since, "--since")
    try:
        summary = pipeline.recode(db, since=since_date, source=source)
    except StoreError as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    for message in summary.errors:
        err_console.print(f"[red]error[/red] {escape(message)}", highlight=False)
    table = Table("event type", "added", "removed", title="Events changed by recoding")
    for kind in sorted(summary.added.keys() | summary.removed.keys()):
        table.add_row(kind, str(summary.added[kind]), str(summary.removed[kind]))
    console.print(table)
    console.print(escape(str(summary)), highlight=False)
    raise typer.Exit(1 if summary.errors else 0)


EVENT_COLUMNS = (
    "date",
    "event",
    "mode",
    "actor",
    "recipient",
    "context",
    "place",
    "doc_path",
    "event_text",
)
#: Readable width for tables when the output is not a terminal (make demo, pipes).
TABLE_WIDTH = 150


@app.command()
def events(
    db: DbOption = DEFAULT_DB,
    actor: Annotated[str | None, typer.Option(help="Actor code or canonical name.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="PLOVER event type.")] = None,
    since: Annotated[str | None, typer.Option(help="Earliest date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Latest date (YYYY-MM-DD).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    min_confidence: MinConfidenceOption = 0.0,
    output_format: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
) -> None:
    """List stored events, filtered."""
    if output_format not in ("table", "jsonl", "csv"):
        raise typer.BadParameter("choose table, jsonl or csv", param_hint="--format")
    where = EventFilter(
        actor=actor,
        event_type=event_type,
        since=_parse_date(since, "--since"),
        until=_parse_date(until, "--until"),
        limit=limit,
        min_confidence=min_confidence,
    )
    with _open_store(db) as store:
        records = list(store.events(where))
    if output_format == "jsonl":
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif output_format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(EVENT_COLUMNS)
        writer.writerows([_flat_row(record) for record in records])
    else:
        print_event_table(records, title=f"{len(records)} events in {database_name(db)}")


def _actors_text(actors: list[dict[str, Any]]) -> str:
    return "; ".join(
        a["code"] if a["code"] == a["name"] else f"{a['code']} {a['name']}" for a in actors
    )


def _flat_row(record: dict[str, Any]) -> list[str]:
    loc = record.get("event_loc") or {}
    return [
        record.get("date") or "",
        record["event"],
        ",".join(record["mode"]),
        _actors_text(record["actor"]),
        _actors_text(record["recipient"]),
        ",".join(record["context"]),
        loc.get("extracted_place") or "",
        record["doc_path"],
        record["event_text"],
    ]


def print_event_table(records: Iterable[dict[str, Any]], title: str) -> None:
    """One row per event: when, what, who with whom, where, and the evidence with its source."""
    out = console if console.is_terminal else Console(width=TABLE_WIDTH)
    table = Table(title=title, show_lines=True)
    table.add_column("date", no_wrap=True)
    table.add_column("event", no_wrap=True)
    table.add_column("actor → recipient", max_width=34)
    table.add_column("place", max_width=14)
    table.add_column("evidence (source:offset)", ratio=1)
    for record in records:
        mode = f" ({','.join(record['mode'])})" if record["mode"] else ""
        who = _actors_text(record["actor"])
        if record["recipient"]:
            who += " → " + _actors_text(record["recipient"])
        text = record["event_text"]
        text = text if len(text) <= 220 else text[:217] + "..."
        source = f"{Path(record['doc_path']).name}:{record['text_info']['start']}"
        loc = record.get("event_loc") or {}
        table.add_row(
            record.get("date") or "",
            record["event"] + mode,
            who,
            loc.get("extracted_place") or "",
            f"{escape(text)}  [dim]({escape(source)})[/dim]",
        )
    out.print(table)


@app.command()
def stats(
    db: DbOption = DEFAULT_DB,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Counts of what the database holds."""
    if output_format not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--format")
    with _open_store(db) as store:
        figures = store.stats()
    if output_format == "json":
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Veille database {database_name(db)}", show_header=False)
    for key, value in figures.items():
        shown = (
            ", ".join(f"{k}: {v}" for k, v in value.items())
            if isinstance(value, dict)
            else str(value)
        )
        table.add_row(key.replace("_", " "), shown)
    console.print(table)
    for language, count in figures.get("not_coded", {}).items():
        console.print(f"{count} {_articles(count)} in {language_name(language)} not coded")


def _articles(count: int) -> str:
    return "article" if count == 1 else "articles"


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    output_format: Annotated[
        str,
        typer.Option("--format", help="jsonl, csv, parquet, graphml, gexf or stories (JSONL)."),
    ] = "jsonl",
    db: DbOption = DEFAULT_DB,
    actor: Annotated[str | None, typer.Option(help="Actor code or canonical name.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="PLOVER event type.")] = None,
    context: Annotated[str | None, typer.Option(help="PLOVER context, e.g. terrorism.")] = None,
    since: Annotated[str | None, typer.Option(help="Earliest date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Latest date (YYYY-MM-DD).")] = None,
    min_confidence: MinConfidenceOption = 0.0,
    unit: Annotated[
        str, typer.Option(help="Graph edges count stories (each event once) or events.")
    ] = "stories",
) -> None:
    """Export stored events: PLOVER JSONL, flat CSV or Parquet, or the actor graph."""
    from veille.export import FORMATS, ExportError, ExportFilter
    from veille.export import export as write_export

    if output_format not in FORMATS:
        raise typer.BadParameter(f"choose {', '.join(FORMATS)}", param_hint="--format")
    selection = ExportFilter(
        actor=actor,
        event_type=event_type,
        context=context,
        since=_parse_date(since, "--since"),
        until=_parse_date(until, "--until"),
        min_confidence=min_confidence,
        unit="events" if unit == "events" else "stories",
    )
    if unit not in ("stories", "events"):
        raise typer.BadParameter("choose stories or events", param_hint="--unit")
    with _open_store(db) as store:
        try:
            summary = write_export(store, output_format, output, selection)
        except ExportError as error:
            err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)
            raise typer.Exit(2) from None
    err_console.print(escape(str(summary)), highlight=False, soft_wrap=True)


@contextmanager
def _open_store(db: str) -> Iterator[Store]:
    try:
        store = Store(db, read_only=True)
    except StoreError as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    with store:
        yield store


@app.command()
def actors(
    paths: PathsArgument,
    output_format: Annotated[str, typer.Option("--format", help="table or jsonl.")] = "table",
    published: PublishedOption = None,
) -> None:
    """Print every actor mention found in the documents."""
    from veille.pipeline import Pipeline

    if output_format not in ("table", "jsonl"):
        raise typer.BadParameter("choose table or jsonl", param_hint="--format")
    run = _Run(paths)
    pipeline = Pipeline(cascade=False)  # every mention, also in documents without events
    table = Table("doc_path", "start", "end", "entity_text", "code", "sector", "name", "office")
    for result in pipeline.run(paths, _parse_date(published, "--published"), run.error):
        doc_path = result.document.doc_path
        for mention in result.mentions:
            record = mention.to_json(doc_path)
            if output_format == "jsonl":
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                table.add_row(
                    doc_path,
                    str(mention.start),
                    str(mention.end),
                    mention.actor.entity_text,
                    mention.actor.code,
                    ",".join(mention.actor.sector),
                    mention.actor.name,
                    mention.actor.office or "",
                )
    if output_format == "table":
        console.print(table)
    raise typer.Exit(run.exit_code())


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL (one line per document).")],
    predictions: Annotated[Path, typer.Argument(help="Predicted events JSONL (veille extract).")],
    names: Annotated[
        Path | None,
        typer.Option(
            help="JSON {canonical name: [variants]}: a variant of a group's or organisation's "
            "name counts as its canonical name on both sides (the dev set's names.json)."
        ),
    ] = None,
) -> None:
    """Score predicted events against a gold standard (P/R/F1, misses per document)."""
    from veille.evaluate import format_key, load_gold, load_names, load_predictions, score

    for path in (gold, predictions, *([names] if names else [])):
        if not path.is_file():
            err_console.print(f"[red]error[/red] {path}: no such file")
            raise typer.Exit(2)
    try:
        name_map = load_names(json.loads(names.read_text(encoding="utf-8"))) if names else None
        result = score(
            load_gold(gold.read_text(encoding="utf-8").splitlines(), name_map),
            load_predictions(predictions.read_text(encoding="utf-8").splitlines(), name_map),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        err_console.print(f"[red]error[/red] cannot read gold, predictions or names: {error}")
        raise typer.Exit(2) from None
    table = Table("document", "TP", "FP", "FN", "misses", "false positives", show_lines=True)
    for doc in result.documents:
        table.add_row(
            doc.doc,
            str(len(doc.true_positives)),
            str(len(doc.false_positives)),
            str(len(doc.misses)),
            "\n".join(sorted(map(format_key, doc.misses))),
            "\n".join(sorted(map(format_key, doc.false_positives))),
        )
    console.print(table)
    console.print(
        f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}  "
        f"(TP {result.true_positives}, FP {result.false_positives}, FN {result.false_negatives})"
    )
    if result.unmatched_predictions:
        console.print(
            f"predicted documents not in the gold: {', '.join(result.unmatched_predictions)}"
        )


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to bind (local only by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="VEILLE_API_TOKEN",
            show_envvar=True,
            help="Enable the write endpoints (upload, delete) for requests that send "
            "`Authorization: Bearer TOKEN`; at least 16 characters. Prefer the environment "
            "variable: a command line is visible to other users.",
        ),
    ] = None,
    alerts_every: Annotated[
        float | None,
        typer.Option(
            "--alerts", min=1, help="Send the watches' new stories every this many seconds."
        ),
    ] = None,
    smtp: SmtpOption = None,
    memory_limit: Annotated[
        str,
        typer.Option(
            envvar=MEMORY_LIMIT_VARIABLE,
            show_envvar=True,
            help="Memory DuckDB may use for its cache in the server (1GB, 512MiB); its own"
            " default is 80 % of the RAM.",
        ),
    ] = DEFAULT_MEMORY_LIMIT,
) -> None:
    """Serve the JSON API over the database (OpenAPI docs at /docs); read-only without --token."""
    import uvicorn

    from veille.api import create_app
    from veille.backends import check_memory_limit

    try:
        check_memory_limit(memory_limit)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--memory-limit") from None
    try:
        api = create_app(db, token=token, memory_limit=memory_limit)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--token") from None
    except StoreError as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    access = "uploads and deletions need the token" if token else "read-only"
    err_console.print(
        f"Veille dashboard on http://{host}:{port}/ and API docs on http://{host}:{port}/docs "
        f"(database {database_name(db)}, {access})",
        soft_wrap=True,
    )
    if alerts_every:
        from veille.alerts import alert_loop

        alert_loop(db, _alert_settings(smtp, "veille@localhost"), alerts_every)
    uvicorn.run(api, host=host, port=port, log_level="info")


@app.command()
def stories(
    db: DbOption = DEFAULT_DB,
    actor: Annotated[str | None, typer.Option(help="Actor code or canonical name.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="PLOVER event type.")] = None,
    min_sources: Annotated[int, typer.Option(min=0, help="Independent sources at least.")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="At most this many stories.")] = 100,
    output_format: Annotated[str, typer.Option("--format", help="table or jsonl.")] = "table",
    rebuild: Annotated[
        bool,
        typer.Option(
            help="Merge every stored event again (a database coded before stories existed)."
        ),
    ] = False,
) -> None:
    """List stories: events merged across documents and outlets, latest first."""
    from veille.stories import StoryFilter, story_page
    from veille.stories import rebuild as rebuild_stories

    if output_format not in ("table", "jsonl"):
        raise typer.BadParameter("choose table or jsonl", param_hint="--format")
    if rebuild:
        with _writable_store(db) as store, store._writing(db):
            err_console.print(f"{rebuild_stories(store)} stories", highlight=False)
    where = StoryFilter(actor=actor, event_type=event_type, min_sources=min_sources)
    with _open_store(db) as store:
        total, items = story_page(store, where, limit)
    if output_format == "jsonl":
        for item in items:
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        return
    out = console if console.is_terminal else Console(width=TABLE_WIDTH)
    table = Table(title=f"{total} stories in {database_name(db)}")
    for column in ("date", "event", "parties", "place", "sources", "outlets", "confidence"):
        table.add_column(column)
    for item in items:
        table.add_row(
            item.get("date") or "",
            item["event"],
            escape(", ".join(item["participants"])),
            escape(item.get("place") or ""),
            f"{item['independent_sources']} ({item['sources']} documents)",
            escape(", ".join(item["outlets"])),
            f"{item['confidence']:.2f}",
        )
    out.print(table)


@app.command("watch-add")
def watch_add(
    name: Annotated[str, typer.Argument(help="A name for the watch.")],
    db: DbOption = DEFAULT_DB,
    actor: Annotated[str | None, typer.Option(help="Actor code or canonical name.")] = None,
    partner: Annotated[str | None, typer.Option(help="A second party.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="PLOVER event type.")] = None,
    context: Annotated[str | None, typer.Option(help="PLOVER context.")] = None,
    text: Annotated[str | None, typer.Option(help="Words of an evidence sentence.")] = None,
    min_sources: Annotated[int, typer.Option(min=0, help="Independent sources at least.")] = 0,
    min_confidence: MinConfidenceOption = 0.0,
    webhook: Annotated[str | None, typer.Option(help="URL to POST new stories to.")] = None,
    email: Annotated[str | None, typer.Option(help="Address to mail new stories to.")] = None,
) -> None:
    """Save a watch: new stories matching it go out with `veille alerts` or `serve --alerts`."""
    from veille.alerts import add_watch
    from veille.stories import StoryFilter

    where = StoryFilter(
        actor, partner, event_type, context, text, None, None, min_sources, min_confidence
    )
    with _writable_store(db) as store:
        watch = add_watch(store, name, where, webhook, email)
    sys.stdout.write(json.dumps(watch.to_json(), ensure_ascii=False) + "\n")


@app.command("watch-delete")
def watch_delete(
    watch_id: Annotated[str, typer.Argument(help="The watch's id (as watch-add printed it).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Delete a watch and the record of what it sent."""
    from veille.alerts import delete_watch

    with _writable_store(db) as store:
        deleted = delete_watch(store, watch_id)
    if not deleted:
        err_console.print(f"[red]error[/red] no watch {escape(watch_id)!r}", highlight=False)
        raise typer.Exit(1)
    err_console.print(f"watch {escape(watch_id)} deleted", highlight=False)


SmtpOption = Annotated[
    str | None, typer.Option(help="SMTP server as HOST:PORT for the watches' emails.")
]


def _alert_settings(smtp: str | None, sender: str) -> Any:
    from veille.alerts import AlertSettings

    if not smtp:
        return AlertSettings(sender=sender)
    host, _, port = smtp.rpartition(":")
    if not host or not port.isdigit():
        raise typer.BadParameter("expected HOST:PORT", param_hint="--smtp")
    return AlertSettings(smtp_host=host, smtp_port=int(port), sender=sender)


@app.command()
def alerts(
    db: DbOption = DEFAULT_DB,
    smtp: SmtpOption = None,
    sender: Annotated[str, typer.Option(help="From address of the emails.")] = "veille@localhost",
) -> None:
    """Send each watch's new stories, once each: Atom feed entry, webhook POST, email."""
    from veille.alerts import run_alerts

    settings = _alert_settings(smtp, sender)
    with _writable_store(db) as store:
        summary = run_alerts(store, settings)
    err_console.print(escape(str(summary)), highlight=False)
    for line in summary.failed:
        err_console.print(f"[yellow]warning[/yellow] {escape(line)}", highlight=False)


@contextmanager
def _writable_store(db: str) -> Iterator[Store]:
    """The database open read-write; a ``StoreError``, opening it or writing, is one line."""
    try:
        with Store(db) as store:
            yield store
    except StoreError as error:
        err_console.print(f"[red]error[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
