"""The Python API: what the CLI calls, and what a notebook user calls directly.

    from veille.pipeline import Pipeline, extract, ingest
    for event in extract(["articles/"]):
        print(event.to_json())

A ``Pipeline`` holds the loaded models and runs the stages in order:
ingest -> clean -> nlp -> actors -> events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from veille.actors import ActorRecogniser
from veille.cascade import Cascade
from veille.clean import Cleaner
from veille.events import EventCoder
from veille.ingest import IngestError, read_documents
from veille.model import CleanDocument, Document, DocumentResult, Event
from veille.nlp import load_pipeline, parse
from veille.store import DEFAULT_DB, Store

if TYPE_CHECKING:
    from veille.engines import Engine

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
    workers: int | None = 1,
    on_document: Callable[[DocumentResult], None] | None = None,
) -> Iterator[Event]:
    """PLOVER events of every document under ``paths`` (no database involved).

    ``workers``: processes that code documents (``None``: every usable core); the events
    and their order do not depend on it. ``pipeline``: an already loaded one, for one worker.
    """
    for result in _engine(pipeline, workers).run(paths, published, on_error):
        if on_document:
            on_document(result)
        yield from result.events


def _engine(pipeline: Pipeline | None, workers: int | None) -> Engine:
    if pipeline is not None:
        if workers != 1:
            raise ValueError("a given pipeline runs in this process: pass workers=1")
        return pipeline
    # veille.engines builds on this module, hence the late import.
    from veille.engines import local_engine

    return local_engine(workers)


@dataclass(slots=True)
class IngestSummary:
    documents_seen: int = 0
    documents_stored: int = 0
    already_stored: int = 0
    events_stored: int = 0
    errors: list[str] = field(default_factory=list)


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

    ``workers`` as for ``extract``; only this process writes to the database.
    """
    summary = IngestSummary()

    def record_error(error: IngestError) -> None:
        summary.errors.append(str(error))
        on_error(error)

    with Store(db) as store:
        for result in _engine(pipeline, workers).run(paths, published, record_error):
            summary.documents_seen += 1
            stored = store.add(result)
            if stored:
                summary.documents_stored += 1
                summary.events_stored += len(result.events)
            else:
                summary.already_stored += 1
            if on_document:
                on_document(result, stored)
    return summary
