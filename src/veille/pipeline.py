"""The Python API: what the CLI calls, and what a notebook user calls directly.

    from veille.pipeline import Pipeline, extract, ingest, recode, watch
    for event in extract(["articles/"]):
        print(event.to_json())
    watch(["https://example.org/feed.xml"], db="veille.duckdb")  # one round (veille.watch)
    print(recode(db="veille.duckdb"))  # kept pages read again by the current coder

``extract`` and ``ingest`` run a ``Pipeline`` (``veille.coding``: the loaded models, stage
after stage) in this process or, with ``workers``, in an engine of ``veille.engines``; both
stream: one batch of documents at a time, whatever the corpus size.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from veille.coding import (
    DOCUMENT_BATCH,
    AnalysisCounts,
    ErrorHandler,
    LanguageCoder,
    Pipeline,
    by_language,
    installed_languages,
    parsed,
)
from veille.engines import Engine, local_engine
from veille.ingest import IngestError
from veille.model import DocumentResult, Event
from veille.store import (
    DEFAULT_DB,
    WRITE_WAIT_SECONDS,
    Store,
    StoreError,
    check_confidence,
    confident_enough,
    ingest_lock,
)

if TYPE_CHECKING:  # veille.watch (httpx, feedparser) is imported only to watch or recode
    from veille.feeds import Source
    from veille.fetch import WatchSettings
    from veille.watch import WatchError, WatchSummary

__all__ = [
    "DOCUMENT_BATCH",
    "AnalysisCounts",
    "ErrorHandler",
    "IngestSummary",
    "LanguageCoder",
    "Pipeline",
    "RecodeSummary",
    "by_language",
    "extract",
    "ingest",
    "installed_languages",
    "parsed",
    "recode",
    "watch",
]


def _ignore(error: IngestError) -> None:
    """Default error handler: skip the input."""


def extract(
    paths: Iterable[str],
    published: date | None = None,
    on_error: ErrorHandler = _ignore,
    pipeline: Pipeline | None = None,
    workers: int | None = 1,
    on_document: Callable[[DocumentResult], None] | None = None,
    min_confidence: float = 0.0,
) -> Iterator[Event]:
    """PLOVER events of every document under ``paths`` (no database involved).

    ``workers``: processes that code documents (``None``: every usable core); the events
    and their order do not depend on it. ``pipeline``: an already loaded one, for one worker.
    ``min_confidence`` (0 to 1, ``ValueError`` otherwise): events below it are left out, as
    the store's filters leave them out; ``on_document`` still sees every event.
    """
    # Checked at the call, not at the first event, which comes after the models load.
    threshold = check_confidence(min_confidence)
    return _extract(paths, published, on_error, pipeline, workers, on_document, threshold)


def _extract(
    paths: Iterable[str],
    published: date | None,
    on_error: ErrorHandler,
    pipeline: Pipeline | None,
    workers: int | None,
    on_document: Callable[[DocumentResult], None] | None,
    min_confidence: float,
) -> Iterator[Event]:
    for result in _engine(pipeline, workers).run(paths, published, on_error):
        if on_document:
            on_document(result)
        yield from (e for e in result.events if confident_enough(e.confidence, min_confidence))


def _engine(pipeline: Pipeline | None, workers: int | None) -> Engine:
    if pipeline is not None:
        if workers != 1:
            raise ValueError("a given pipeline runs in this process: pass workers=1")
        return pipeline
    return local_engine(workers)


@dataclass(slots=True)
class IngestSummary:
    documents_seen: int = 0
    documents_stored: int = 0
    already_stored: int = 0
    events_stored: int = 0
    errors: list[str] = field(default_factory=list)


#: Coded documents are written in batches of at most this many documents ...
WRITE_BATCH_DOCUMENTS = 32
#: ... or of what was coded in this many seconds, whichever comes first.
WRITE_BATCH_SECONDS = 2.0
#: A batch written right after another waits this long first: readers retry every 100 ms
#: (``veille.backends``), so when coding outpaces writing they still get the file between
#: batches.
READERS_TURN_SECONDS = 0.15


def ingest(
    paths: Iterable[str],
    db: str = DEFAULT_DB,
    published: date | None = None,
    on_error: ErrorHandler = _ignore,
    on_document: Callable[[DocumentResult, bool], None] | None = None,
    pipeline: Pipeline | None = None,
    workers: int | None = 1,
) -> IngestSummary:
    """Code every document under ``paths`` and store it in the database ``db``.

    The whole run holds the database's ingest lock: a second ingest fails at once with
    ``StoreError`` ("database is locked by ingest process N ..."). Coded documents are
    buffered and written in short batches, each document in its own transaction, so that
    readers of a DuckDB file (which excludes them while it is open read-write) get the
    file between batches. ``on_document`` is called as each document is written. A run
    that is killed loses only its unwritten batch, which the next run codes again.
    ``workers`` as for ``extract``; only this process writes to the database.
    """
    summary = IngestSummary()

    def record_error(error: IngestError) -> None:
        summary.errors.append(str(error))
        on_error(error)

    last_written = [float("-inf")]  # when the previous batch was written

    def write(batch: list[DocumentResult]) -> None:
        time.sleep(max(0.0, READERS_TURN_SECONDS - (time.monotonic() - last_written[0])))
        with Store(db, wait=WRITE_WAIT_SECONDS) as store:
            for result in batch:
                stored = store.add(result)
                if stored:
                    summary.documents_stored += 1
                    summary.events_stored += len(result.events)
                else:
                    summary.already_stored += 1
                if on_document:
                    on_document(result, stored)
        last_written[0] = time.monotonic()
        batch.clear()

    with ingest_lock(db):
        # Create or migrate the schema now: a database problem shows before the models load.
        Store(db, wait=WRITE_WAIT_SECONDS).close()
        batch: list[DocumentResult] = []
        batch_started = 0.0
        for result in _engine(pipeline, workers).run(paths, published, record_error):
            summary.documents_seen += 1
            if not batch:
                batch_started = time.monotonic()
            batch.append(result)
            if (
                len(batch) >= WRITE_BATCH_DOCUMENTS
                or time.monotonic() - batch_started >= WRITE_BATCH_SECONDS
            ):
                write(batch)
        if batch:
            write(batch)
    return summary


def watch(
    sources: Sequence[Source | str],
    db: str = DEFAULT_DB,
    settings: WatchSettings | None = None,
    pipeline: Pipeline | None = None,
    on_error: Callable[[WatchError], None] | None = None,
) -> WatchSummary:
    """One round of ``veille.watch.Watcher`` over ``sources`` (feed or sitemap addresses,
    YAML files of sources, or ``Source`` objects): new pages fetched, coded and stored."""
    from veille.watch import Watcher

    watcher = Watcher(sources, db, settings, pipeline, on_error)
    return watcher.run_once()


@dataclass(slots=True)
class RecodeSummary:
    """What ``recode`` changed: events added and removed, by PLOVER type."""

    documents: int = 0
    documents_changed: int = 0
    added: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        def by_type(counts: Counter[str]) -> str:
            return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"

        return (
            f"{self.documents} documents read again, {self.documents_changed} changed; "
            f"events added: {sum(self.added.values())} ({by_type(self.added)}); "
            f"removed: {sum(self.removed.values())} ({by_type(self.removed)}); "
            f"{len(self.errors)} errors"
        )


def recode(
    db: str = DEFAULT_DB,
    since: date | None = None,
    source: str | None = None,
    pipeline: Pipeline | None = None,
    on_document: Callable[[str, set[str], set[str]], None] | None = None,
) -> RecodeSummary:
    """Code the pages that ``watch`` kept again with the current coder, and put each
    document's new events in place of its old ones (one transaction per document).

    ``since``: pages first fetched on or after that day; ``source``: pages of that host (or
    listed by a feed on it), e.g. ``fr.hespress.com``. ``on_document`` gets each document's
    address and the ids of the events added and removed. Holds the ingest lock.
    """
    from veille.feeds import page_document
    from veille.fetch import host_of
    from veille.ingest import IngestError

    summary = RecodeSummary()

    def wanted(url: str, feed: str | None) -> bool:
        hosts = {host_of(url).split(":")[0], host_of(feed).split(":")[0] if feed else ""}
        return source is None or any(h == source or h.endswith("." + source) for h in hosts)

    with ingest_lock(db):
        with Store(db, wait=WRITE_WAIT_SECONDS) as store:
            pages = [p for p in store.fetched_documents(since) if wanted(p.url, p.source)]
        coder = pipeline or Pipeline()
        for page in pages:
            old_id = page.doc_id or ""
            with Store(db, wait=WRITE_WAIT_SECONDS) as store:
                body = store.raw_page(page.sha256 or "")
                before = store.document_events(old_id)
                published = store.document_published(old_id)
            try:
                if body is None:
                    raise IngestError(page.url, "kept page missing from the database")
                result = coder.process(page_document(body, page.content_type, page.url, published))
                with Store(db, wait=WRITE_WAIT_SECONDS) as store:
                    store.replace_document(old_id, result)
            except (IngestError, StoreError) as error:
                summary.errors.append(str(error))
                continue
            after = {event.id: event.event for event in result.events}
            added, removed = after.keys() - before.keys(), before.keys() - after.keys()
            summary.documents += 1
            summary.documents_changed += bool(added or removed)
            summary.added.update(after[event_id] for event_id in added)
            summary.removed.update(before[event_id] for event_id in removed)
            if on_document:
                on_document(page.url, set(added), set(removed))
    return summary
