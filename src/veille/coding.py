"""Coding documents in one process: the models of each language, run stage after stage.

A ``Pipeline`` holds the loaded models and runs the stages in order:
ingest -> clean -> nlp -> actors -> events, a batch of documents at a time, each language's
part of a batch through that language's models (``LanguageCoder``). ``veille.pipeline`` is
the API built on it (``extract``, ``ingest``); ``veille.engines`` runs it in many processes.
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from itertools import islice

from spacy.language import Language

from veille.actors import ActorRecogniser
from veille.cascade import Cascade, DocumentPlan
from veille.clean import Cleaner
from veille.events import EventCoder
from veille.ingest import IngestError, read_documents
from veille.lang import DEFAULT_LANGUAGE, coded_languages
from veille.model import (
    ActorMention,
    CleanDocument,
    Document,
    DocumentResult,
    Event,
    ParsedParagraph,
)
from veille.nlp import (
    Analysis,
    TokenisedParagraph,
    analyse,
    load_pipeline,
    parser_installed,
    tokenise,
)
from veille.places import get_gazetteer

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
        self.documents_parsed += not plan.skipped
        for (paragraph, index), level in zip(plan.sentences, plan.levels, strict=True):
            start, end = paragraph.bounds[index]
            self.tokens[level.name] += end - start


@dataclass(slots=True)
class LanguageCoder:
    """The loaded models of one language: its parser, actor recogniser, event coder, cascade."""

    language: str
    nlp: Language
    actors: ActorRecogniser
    coder: EventCoder
    cascade: Cascade | None

    @classmethod
    def load(cls, language: str, cascade: bool) -> LanguageCoder:
        with models_loading():
            nlp = load_pipeline(language=language)
            actors = ActorRecogniser(nlp)
            coder = EventCoder(language)
            # The cheap first pass: only sentences that can carry an event are parsed (same
            # events).
            return cls(
                language, nlp, actors, coder, Cascade(nlp, actors, coder) if cascade else None
            )

    def code_batch(
        self, cleans: Sequence[CleanDocument], counts: AnalysisCounts
    ) -> list[DocumentResult]:
        """Code documents whose kept paragraphs are all in this language.

        The sentences to analyse in all the documents go through one ``nlp.pipe`` call, and
        one more for what the cascade's second pass adds (see ``veille.cascade``).
        """
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
        results = []
        for clean, paragraphs, plan in zip(cleans, documents, plans, strict=True):
            counts.add(plan)
            results.append(self._result(clean, paragraphs, plan))
        return results

    def _plan(self, paragraphs: list[TokenisedParagraph]) -> DocumentPlan:
        if self.cascade is None:
            return DocumentPlan.everything(paragraphs)
        return self.cascade.plan(paragraphs)

    def _result(
        self, clean: CleanDocument, paragraphs: list[TokenisedParagraph], plan: DocumentPlan
    ) -> DocumentResult:
        if plan.skipped:  # no sentence can carry an event: mentions not needed either
            return DocumentResult(clean, (), ())
        analysed = parsed(paragraphs)
        mentions = self.actors.recognise(clean, analysed)
        if self.cascade is not None:
            # Only where the analysis is that of the full pipeline (the others have no parse).
            mentions = [m for m in mentions if plan.keeps(m)]
        events = self.coder.code(clean, analysed, mentions)
        return DocumentResult(clean, tuple(mentions), tuple(events))


@contextmanager
def models_loading() -> Iterator[None]:
    """Hold the garbage collector while models load, then freeze what they made.

    Loading makes millions of objects that live as long as the process (spaCy's vocabulary,
    tables and weights, the lexicons); the collector, woken by the allocations, scans them
    again and again and finds nothing to free: a tenth to a sixth of spaCy's load. Frozen
    (``gc.freeze``), they are also left out of the collections that follow, until the
    process exits. Nested uses, or a caller that already disabled the collector, leave it
    as it is.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        _unfreeze_at_exit()
        gc.enable()


@cache
def _unfreeze_at_exit() -> None:
    atexit.register(_unfreeze_if_duckdb)


def _unfreeze_if_duckdb() -> None:
    # The interpreter's last collection skips frozen objects, which spares it a scan of the
    # models (0.1 s); but DuckDB's bindings then report the objects they still hold as
    # leaks, so with DuckDB loaded everything is unfrozen and freed as usual.
    if "duckdb" in sys.modules:
        gc.unfreeze()


def installed_languages() -> tuple[str, ...]:
    """The languages Veille codes here: a folder under ``veille/lang`` and its parser installed."""
    return tuple(code for code in coded_languages() if parser_installed(code))


def by_language(clean: CleanDocument) -> list[tuple[str, CleanDocument]]:
    """A document as one part per language of its kept paragraphs, in order of appearance:
    each part keeps the whole text and the other parts' paragraphs as dropped."""
    languages = list(dict.fromkeys(p.language or DEFAULT_LANGUAGE for p in clean.kept))
    if len(languages) <= 1:
        return [(languages[0], clean)] if languages else []
    return [
        (
            language,
            replace(
                clean,
                paragraphs=tuple(
                    p if not p.kept or p.language == language else replace(p, kept=False)
                    for p in clean.paragraphs
                ),
            ),
        )
        for language in languages
    ]


class Pipeline:
    """Loaded models and state of one run (near-duplicate memory).

    ``languages``: those coded (default: every language whose parser is installed); the
    paragraphs of other languages are dropped by the cleaner, their documents still stored.
    Each language's models load when a document first needs them.
    """

    def __init__(
        self,
        cascade: bool = True,
        batch_size: int = DOCUMENT_BATCH,
        languages: Sequence[str] | None = None,
    ) -> None:
        self.languages = tuple(languages) if languages is not None else installed_languages()
        self.use_cascade = cascade
        self._coders: dict[str, LanguageCoder] = {}
        with models_loading():
            self.cleaner = Cleaner(coded=self.languages)
            self.coder_for(DEFAULT_LANGUAGE)  # the main language loads now, with the gazetteer
            get_gazetteer().is_place("Rabat")  # builds the index now, with the other models
        self.batch_size = batch_size
        self.counts = AnalysisCounts()

    def coder_for(self, language: str) -> LanguageCoder:
        """The models of ``language``, loaded on first use."""
        if language not in self._coders:
            self._coders[language] = LanguageCoder.load(language, self.use_cascade)
        return self._coders[language]

    # The main language's models, for notebooks and tests.
    @property
    def nlp(self) -> Language:
        return self.coder_for(DEFAULT_LANGUAGE).nlp

    @property
    def actors(self) -> ActorRecogniser:
        return self.coder_for(DEFAULT_LANGUAGE).actors

    @property
    def coder(self) -> EventCoder:
        return self.coder_for(DEFAULT_LANGUAGE).coder

    @property
    def cascade(self) -> Cascade | None:
        return self.coder_for(DEFAULT_LANGUAGE).cascade

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

        Each language's part of the batch goes to that language's models in one call (see
        ``LanguageCoder.code_batch``). This is also the unit of work of the parallel engines
        (``--workers``, Ray): cleaning, which keeps the near-duplicate memory of the whole
        run, stays in the one process that reads the input; the costly stages run here.
        """
        cleans = list(cleans)
        parts: dict[str, list[tuple[int, CleanDocument]]] = {}
        for index, clean in enumerate(cleans):
            self.counts.documents += 1
            for language, part in by_language(clean):
                parts.setdefault(language, []).append((index, part))
        mentions: list[list[ActorMention]] = [[] for _ in cleans]
        events: list[list[Event]] = [[] for _ in cleans]
        for language, items in parts.items():
            coded = self.coder_for(language).code_batch([p for _, p in items], self.counts)
            for (index, _), result in zip(items, coded, strict=True):
                mentions[index].extend(result.mentions)
                events[index].extend(result.events)
        return [
            DocumentResult(
                clean,
                tuple(sorted(found, key=lambda m: (m.start, m.end, m.actor.code))),
                tuple(coded),
            )
            for clean, found, coded in zip(cleans, mentions, events, strict=True)
        ]

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
