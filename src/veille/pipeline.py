"""The Python API: what the CLI calls, and what a notebook user calls directly.

    from veille.pipeline import Pipeline, extract, ingest
    for event in extract(["articles/"]):
        print(event.to_json())

A ``Pipeline`` holds the loaded models and runs the stages in order:
ingest -> clean -> nlp -> actors -> events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from veille.actors import ActorRecogniser
from veille.cascade import Cascade
from veille.clean import Cleaner
from veille.events import EventCoder
from veille.ingest import IngestError, read_documents
from veille.model import CleanDocument, Document, DocumentResult, Event
from veille.nlp import load_pipeline, parse
from veille.store import DEFAULT_DB, Store, ingest_lock

ErrorHandler = Callable[[IngestError], None]


def _ignore(error: IngestError) -> None:
    """Default error handler: skip the input."""


class Pipeline:
    """Loaded models and state of one run (near-duplicate memory)."""

    def __init__(self, cascade: bool = True) -> None:
        self.nlp = load_pipeline()
        self.cleaner = Cleaner()
        self.actors = ActorRecogniser(self.nlp)
        self.coder = EventCoder()
        # The cheap first pass: off-topic documents never reach the parser (same events).
        self.cascade = Cascade(self.nlp, self.actors, self.coder.lexicon) if cascade else None

    def process(self, document: Document) -> DocumentResult:
        """Run every stage on one document."""
        return self.code(self.cleaner.clean(document))

    def process_batch(self, documents: Sequence[Document]) -> list[DocumentResult]:
        """Run every stage on a batch of documents; results in input order."""
        return self.code_batch([self.cleaner.clean(document) for document in documents])

    def code(self, clean: CleanDocument) -> DocumentResult:
        """The stages after cleaning (nlp, actors, events) on one cleaned document."""
        parsed = self.cascade.parse(clean) if self.cascade else parse(self.nlp, clean)
        if parsed is None:  # no actor or no trigger: no event possible, mentions not needed
            return DocumentResult(clean, (), ())
        mentions = self.actors.recognise(clean, parsed)
        events = self.coder.code(clean, parsed, mentions)
        return DocumentResult(clean, tuple(mentions), tuple(events))

    def code_batch(self, cleans: Sequence[CleanDocument]) -> list[DocumentResult]:
        """``code`` over a batch of cleaned documents; results in input order.

        The unit of work of the parallel engines (``--workers``, Ray): cleaning, which keeps
        the near-duplicate memory of the whole run, stays in the one process that reads the
        input; the costly stages run here, in workers.
        """
        return [self.code(clean) for clean in cleans]

    def run(
        self,
        paths: Iterable[str],
        published: date | None = None,
        on_error: ErrorHandler = _ignore,
    ) -> Iterator[DocumentResult]:
        """Process every document under ``paths``; bad inputs go to ``on_error``."""
        for item in read_documents(paths, published=published):
            if isinstance(item, IngestError):
                on_error(item)
                continue
            yield self.process(item)


def extract(
    paths: Iterable[str],
    published: date | None = None,
    on_error: ErrorHandler = _ignore,
    pipeline: Pipeline | None = None,
) -> Iterator[Event]:
    """PLOVER events of every document under ``paths`` (no database involved)."""
    for result in (pipeline or Pipeline()).run(paths, published, on_error):
        yield from result.events


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
#: How long a batch may wait for readers of a DuckDB file (``veille serve`` requests).
WRITE_WAIT_SECONDS = 120.0


def ingest(
    paths: Iterable[str],
    db: str = DEFAULT_DB,
    published: date | None = None,
    on_error: ErrorHandler = _ignore,
    on_document: Callable[[DocumentResult, bool], None] | None = None,
    pipeline: Pipeline | None = None,
) -> IngestSummary:
    """Code every document under ``paths`` and store it in the database ``db``.

    The whole run holds the database's ingest lock: a second ingest fails at once with
    ``StoreError`` ("database is locked by ingest process N ..."). Coded documents are
    buffered and written in short batches, each document in its own transaction, so that
    readers of a DuckDB file (which excludes them while it is open read-write) get the
    file between batches. ``on_document`` is called as each document is written. A run
    that is killed loses only its unwritten batch, which the next run codes again.
    """
    summary = IngestSummary()

    def record_error(error: IngestError) -> None:
        summary.errors.append(str(error))
        on_error(error)

    def write(batch: list[DocumentResult]) -> None:
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
        batch.clear()

    with ingest_lock(db):
        # Create or migrate the schema now: a database problem shows before the models load.
        Store(db, wait=WRITE_WAIT_SECONDS).close()
        batch: list[DocumentResult] = []
        batch_started = 0.0
        for result in (pipeline or Pipeline()).run(paths, published, record_error):
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
