"""The Python API: what the CLI calls, and what a notebook user calls directly.

    from veille.pipeline import Pipeline, extract, ingest
    for event in extract(["articles/"]):
        print(event.to_json())

A ``Pipeline`` holds the loaded models and runs the stages in order:
ingest -> clean -> nlp -> actors -> events. It works on batches of documents, so that the
sentences the cascade selects in many documents go through one ``nlp.pipe`` call, and
streams: ``run`` reads, codes and yields one batch at a time, whatever the corpus size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING

from veille.actors import ActorRecogniser
from veille.cascade import Cascade, DocumentPlan
from veille.clean import Cleaner
from veille.events import EventCoder
from veille.ingest import IngestError, read_documents
from veille.model import CleanDocument, Document, DocumentResult, Event, ParsedParagraph
from veille.nlp import Analysis, TokenisedParagraph, analyse, load_pipeline, tokenise
from veille.places import get_gazetteer
from veille.store import DEFAULT_DB, Store, check_confidence, confident_enough, ingest_lock

if TYPE_CHECKING:
    from veille.engines import Engine

ErrorHandler = Callable[[IngestError], None]

#: Documents coded together by ``Pipeline.run``: enough sentences for an efficient
#: ``nlp.pipe`` batch, few enough to keep memory small and output flowing.
DOCUMENT_BATCH = 128


def _ignore(error: IngestError) -> None:
    """Default error handler: skip the input."""


@dataclass(slots=True)
class AnalysisCounts:
    """How much of the spaCy pipeline the coded documents needed (benchmarks, logs)."""

    documents: int = 0
    documents_parsed: int = 0  # with at least one sentence through the full pipeline
    tokens: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Analysis.__members__, 0))

    def add(self, plan: DocumentPlan) -> None:
        self.documents += 1
        self.documents_parsed += not plan.skipped
        for (paragraph, index), level in zip(plan.sentences, plan.levels, strict=True):
            start, end = paragraph.bounds[index]
            self.tokens[level.name] += end - start


class Pipeline:
    """Loaded models and state of one run (near-duplicate memory)."""

    def __init__(self, cascade: bool = True, batch_size: int = DOCUMENT_BATCH) -> None:
        self.nlp = load_pipeline()
        self.cleaner = Cleaner()
        self.actors = ActorRecogniser(self.nlp)
        self.coder = EventCoder()
        get_gazetteer().is_place("Rabat")  # builds the index now, with the other models
        # The cheap first pass: only sentences that can carry an event are parsed (same events).
        self.cascade = Cascade(self.nlp, self.actors, self.coder) if cascade else None
        self.batch_size = batch_size
        self.counts = AnalysisCounts()

    def process(self, document: Document) -> DocumentResult:
        """Run every stage on one document."""
        return self.code(self.cleaner.clean(document))

    def process_batch(self, documents: Sequence[Document]) -> list[DocumentResult]:
        """Run every stage on a batch of documents; results in input order."""
        return self.code_batch([self.cleaner.clean(document) for document in documents])

    def code(self, clean: CleanDocument) -> DocumentResult:
        """The stages after cleaning (nlp, actors, events) on one cleaned document."""
        return self.code_batch([clean])[0]

    def code_batch(self, cleans: Sequence[CleanDocument]) -> list[DocumentResult]:
        """``code`` over a batch of cleaned documents; results in input order.

        The sentences to analyse in all the documents go through one ``nlp.pipe`` call, and
        one more for what the cascade's second pass adds (see ``veille.cascade``). This is also
        the unit of work of the parallel engines (``--workers``, Ray): cleaning, which keeps
        the near-duplicate memory of the whole run, stays in the one process that reads the
        input; the costly stages run here, in workers.
        """
        cleans = list(cleans)
        tokenised = iter(tokenise(self.nlp, (p for clean in cleans for p in clean.kept)))
        documents = [list(islice(tokenised, len(clean.kept))) for clean in cleans]
        plans = [self._plan(paragraphs) for paragraphs in documents]
        analyse(self.nlp, (request for plan in plans for request in plan.requests()))
        if self.cascade is not None:
            # What the parsed sentences turn out to need: mention counts, recurring surnames.
            refined = [
                self.cascade.refine(plan, clean) for clean, plan in zip(cleans, plans, strict=True)
            ]
            analyse(self.nlp, (request for plan in refined for request in plan.requests()))
        return [
            self._result(clean, paragraphs, plan)
            for clean, paragraphs, plan in zip(cleans, documents, plans, strict=True)
        ]

    def _plan(self, paragraphs: list[TokenisedParagraph]) -> DocumentPlan:
        if self.cascade is None:
            return DocumentPlan.everything(paragraphs)
        return self.cascade.plan(paragraphs)

    def _result(
        self, clean: CleanDocument, paragraphs: list[TokenisedParagraph], plan: DocumentPlan
    ) -> DocumentResult:
        self.counts.add(plan)
        if plan.skipped:  # no sentence can carry an event: mentions not needed either
            return DocumentResult(clean, (), ())
        analysed = parsed(paragraphs)
        mentions = self.actors.recognise(clean, analysed)
        if self.cascade is not None:
            # Only where the analysis is that of the full pipeline (the others have no parse).
            mentions = [m for m in mentions if plan.keeps(m)]
        events = self.coder.code(clean, analysed, mentions)
        return DocumentResult(clean, tuple(mentions), tuple(events))

    def run(
        self,
        paths: Iterable[str],
        published: date | None = None,
        on_error: ErrorHandler = _ignore,
    ) -> Iterator[DocumentResult]:
        """Process every document under ``paths``, a batch at a time; bad inputs go to
        ``on_error``. Results come in input order."""
        batch: list[CleanDocument] = []
        for item in read_documents(paths, published=published):
            if isinstance(item, IngestError):
                on_error(item)
                continue
            batch.append(self.cleaner.clean(item))
            if len(batch) >= self.batch_size:
                yield from self.code_batch(batch)
                batch = []
        if batch:
            yield from self.code_batch(batch)


def parsed(paragraphs: Iterable[TokenisedParagraph]) -> list[ParsedParagraph]:
    """The paragraphs as ``ParsedParagraph``s, with what has been analysed so far."""
    return [paragraph.parsed() for paragraph in paragraphs]


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
