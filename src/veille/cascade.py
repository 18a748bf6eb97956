"""A cheap first pass that decides which documents and paragraphs need the full spaCy parse.

The full pipeline (tagger, parser, lemmatizer, NER) is the main cost of Veille. Most news is
off-topic: it names no actor Veille knows, or has no word that can trigger an event. This
pass finds out with the spaCy *tokenizer* only (tens of times faster than the full
pipeline) and multi-pattern matching over its tokens:

- actor cues: the actor lexicon's named forms and state roles (one ``PhraseMatcher`` each,
  case-insensitive, accented and unaccented), nationality adjectives and nouns (compound
  ones included), shared epithets and reference phrases ("les deux pays");
- trigger cues: the trigger lexicon's phrases (``PhraseMatcher``), surface forms, nouns,
  and every token one of whose *possible* lemmas is a trigger verb or noun.

The cues are a strict superset of what the later stages can match, so the events are the
same with and without the cascade (``tests/test_cascade.py`` checks it):

- it uses the same tokenizer as the parser, so tokens are identical;
- a token's possible lemmas are computed from the lemmatizer's own tables (lookup, per-POS
  exceptions, every suffix rule for every POS), so whatever lemma the tagger's POS leads
  to is among them, irregular verbs ("reçoit" -> recevoir) included — no stem guessing;
- named forms are matched case-insensitively, a superset of the case-sensitive matcher.

Decisions:

- a document whose kept paragraphs hold no actor cue, or no trigger cue, cannot yield an
  event (every mention starts from an actor cue, every event from a trigger): it is not
  parsed at all — unless a trigger can take its place as an actor ("une attaque à Gao"),
  since the gazetteer can find that place in any proper name;
- in a document that is parsed, a paragraph with neither cue ("inert") can still add one
  thing: a surname reference to a person named elsewhere ("M. Bourita"), which needs the
  NER. Inert paragraphs are kept as one tokenised sentence, and get the NER alone (its model
  has its own embedding, so its entities are those of the full pipeline) when the parsed
  paragraphs name a person;
- the tokenised paragraphs of the first pass go on to the pipeline, so nothing is tokenised
  twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from veille.actors import ActorRecogniser, NamedActor
from veille.events import Trigger, TriggerLexicon
from veille.lexicon import fold
from veille.model import CleanDocument, ParsedParagraph
from veille.nlp import BATCH_SIZE

#: The only component an inert paragraph needs (for surname references to people).
NER_COMPONENT = "ner"


@dataclass(frozen=True, slots=True)
class ParagraphCues:
    """What the cheap pass found in one kept paragraph."""

    actor: bool
    trigger: bool
    #: A trigger that can take a place as an actor ("attaque à Gao"): the gazetteer may then
    #: find an actor without any actor cue.
    place_trigger: bool = False

    @property
    def inert(self) -> bool:
        return not (self.actor or self.trigger)


class Cascade:
    """Actor and trigger cue finder; build once per process (compiles matchers)."""

    def __init__(
        self,
        nlp: Language,
        recogniser: ActorRecogniser | None = None,
        triggers: TriggerLexicon | None = None,
    ) -> None:
        self.nlp = nlp
        # The recogniser's own phrase matchers, so named spans are exactly the ones it finds.
        self.recogniser = recogniser or ActorRecogniser(nlp)
        self.actors = self.recogniser.lexicon
        self.triggers = triggers or TriggerLexicon.load()
        self._lemmatiser = LemmaCandidates(nlp)
        self._trigger_keys = TriggerKeys.of(self.triggers, lambda trigger: True)
        self._place_keys = TriggerKeys.of(self.triggers, _takes_place_actor)
        self._trigger_matcher = self._trigger_phrase_matcher()
        self._reference_words = tuple(tuple(p.split()) for p in self.actors.references)

    # -- building ---------------------------------------------------------------------

    def _trigger_phrase_matcher(self) -> PhraseMatcher:
        # Built exactly like the event coder's matcher (same tokenizer for the patterns).
        from spacy.lang.fr import French

        tokenizer = French().tokenizer
        matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for phrase in sorted(self.triggers.phrases):
            place = phrase in self._place_keys.phrases
            matcher.add("PLACE" if place else "TRIGGER", [tokenizer(phrase)])
        return matcher

    # -- cues -------------------------------------------------------------------------

    def cues(self, text: str) -> ParagraphCues:
        """Cues of one paragraph's text."""
        return self.doc_cues(self.nlp.make_doc(text))

    def doc_cues(self, doc: Doc) -> ParagraphCues:
        folded = [fold(token.text) for token in doc]
        trigger = self._has_trigger(doc, folded, self._trigger_keys)
        place = trigger and self._has_trigger(doc, folded, self._place_keys)
        return ParagraphCues(self._has_actor(doc, folded), trigger, place)

    def plan(self, clean: CleanDocument) -> list[ParagraphCues]:
        """Cues of every kept paragraph of a document, in order."""
        return [cues for _, cues in self._tokenised_plan(clean)]

    def _tokenised_plan(self, clean: CleanDocument) -> list[tuple[Doc, ParagraphCues]]:
        docs = self.nlp.tokenizer.pipe(p.text for p in clean.kept)
        return [(doc, self.doc_cues(doc)) for doc in docs]

    def _has_actor(self, doc: Doc, folded: Sequence[str]) -> bool:
        if any(self._is_nationality(word) for word in folded):
            return True
        if any(word in self.actors.shared_epithets for word in folded):
            return True
        words = set(folded)
        if any(all(w in words for w in phrase) for phrase in self._reference_words):
            return True
        named = self.recogniser._named_spans(doc)
        if any(not self._only_a_place(span, actor) for span, actor in named):
            return True
        # A person's title or apposition may still take its country from a place name
        # ("X, ambassadeur à Paris"): only with a state role in the paragraph.
        return bool(named) and bool(self.recogniser._role_spans(doc))

    def _only_a_place(self, span: Span, actor: NamedActor) -> bool:
        """The token-level part of ``ActorRecogniser._names_only_a_place`` (no parse needed)."""
        if not actor.is_place_name or span.start == 0:
            return False
        before = fold(span.doc[span.start - 1].text)
        if before in self.actors.non_actor_heads:
            return True  # "le fleuve Niger"
        is_capital = ":capital" in span.label_ or ":seat" in span.label_
        return is_capital and before in self.actors.locative_words  # "à Paris"

    def _is_nationality(self, word: str) -> bool:
        demonyms = self.actors.demonyms
        return word in demonyms or ("-" in word and word.rsplit("-", 1)[1] in demonyms)

    def _has_trigger(self, doc: Doc, folded: Sequence[str], keys: TriggerKeys) -> bool:
        for token, word in zip(doc, folded, strict=True):
            if keys.matches(token.text, word, self._lemmatiser):
                return True
        labels = {"PLACE"} if keys is self._place_keys else {"PLACE", "TRIGGER"}
        strings = self.nlp.vocab.strings
        return any(strings[key] in labels for key, _, _ in self._trigger_matcher(doc))

    # -- parsing ----------------------------------------------------------------------

    def parse(self, clean: CleanDocument) -> list[ParsedParagraph] | None:
        """Parsed kept paragraphs as ``veille.nlp.parse`` gives them, or None to skip the document.

        None means the document cannot yield an event: no actor cue or no trigger cue.
        The tokenised paragraphs of the first pass go on to the pipeline (no second tokenising).
        """
        plan = self._tokenised_plan(clean)
        if not needs_parse([cues for _, cues in plan]):
            return None
        full = [doc for doc, cues in plan if not cues.inert]
        full_docs = list(self.nlp.pipe(full, batch_size=BATCH_SIZE))
        inert = [_one_sentence(doc) for doc, cues in plan if cues.inert]
        if inert and self._may_name_people(full_docs):
            # Only a later surname reference ("M. Bourita") makes an inert paragraph count.
            inert = list(self.nlp.get_pipe(NER_COMPONENT).pipe(inert, batch_size=BATCH_SIZE))
        parsed = iter(full_docs)
        inert_parsed = iter(inert)
        return [
            ParsedParagraph(paragraph, next(inert_parsed if cues.inert else parsed))
            for paragraph, (_, cues) in zip(clean.kept, plan, strict=True)
        ]

    def _may_name_people(self, docs: Iterable[Doc]) -> bool:
        """Whether a person mention can exist: a PER entity or a known person's name."""
        return any(
            any(entity.label_ == "PER" for entity in doc.ents)
            or any(actor.kind == "person" for _, actor in self.recogniser._named_spans(doc))
            for doc in docs
        )


def needs_parse(plan: Sequence[ParagraphCues]) -> bool:
    """Whether a document with these paragraph cues can yield an event at all."""
    if any(c.place_trigger for c in plan):
        return True
    return any(c.actor for c in plan) and any(c.trigger for c in plan)


def _takes_place_actor(trigger: Trigger) -> bool:
    return trigger.place in ("actor", "recipient")


@dataclass(slots=True)
class TriggerKeys:
    """The trigger lexicon keys of the triggers a predicate selects, and a token test."""

    lemmas: frozenset[str]  # verbs and nouns, matched on any possible lemma
    words: frozenset[str]  # surface forms and nouns, matched on the folded token
    phrases: frozenset[str]
    memo: dict[str, bool] = field(default_factory=dict)  # the vocabulary of news is small

    @classmethod
    def of(cls, lexicon: TriggerLexicon, wanted: Callable[[Trigger], bool]) -> TriggerKeys:
        def keys(table: dict[str, list[Trigger]]) -> frozenset[str]:
            return frozenset(k for k, triggers in table.items() if any(map(wanted, triggers)))

        return cls(
            lemmas=keys(lexicon.verbs) | keys(lexicon.nouns),
            words=keys(lexicon.forms) | keys(lexicon.nouns),
            phrases=keys(lexicon.phrases),
        )

    def matches(self, text: str, folded: str, lemmas: LemmaCandidates) -> bool:
        known = self.memo.get(text)
        if known is None:
            known = folded in self.words or not self.lemmas.isdisjoint(lemmas.candidates(text))
            self.memo[text] = known
        return known


def _one_sentence(doc: Doc) -> Doc:
    """The paragraph as one sentence: later stages iterate sentences."""
    for token in doc:
        token.is_sent_start = token.i == 0
    return doc


class LemmaCandidates:
    """Every lemma spaCy's rule lemmatizer can give a token, whatever its POS.

    Mirrors ``spacy.lang.fr.FrenchLemmatizer.rule_lemmatize`` (index, exceptions, suffix
    rules, lookup fallback) without knowing the POS, so it returns a superset.
    """

    def __init__(self, nlp: Language) -> None:
        lookups = nlp.get_pipe("lemmatizer").lookups if "lemmatizer" in nlp.pipe_names else None
        self._lookup = lookups.get_table("lemma_lookup", {}) if lookups else {}
        exceptions = lookups.get_table("lemma_exc", {}) if lookups else {}
        rules = lookups.get_table("lemma_rules", {}) if lookups else {}
        self._exceptions = list(_tables(exceptions))
        self._rules = [(old, new) for table in _tables(rules) for old, new in table]

    def candidates(self, text: str) -> set[str]:
        lower = text.lower()
        forms = {text, lower, *self._looked_up(text), *self._looked_up(lower)}
        for table in self._exceptions:
            forms.update(table.get(lower, ()))
        for old, new in self._rules:
            if lower.endswith(old):
                forms.add(lower[: len(lower) - len(old)] + new)
        return {fold(form) for form in forms if form}

    def _looked_up(self, text: str) -> tuple[str, ...]:
        found = self._lookup.get(text)
        if found is None:
            return ()
        return (found,) if isinstance(found, str) else tuple(found)


def _tables(table: object) -> Iterable:
    """The per-POS sub-tables of a lemmatizer lookup table."""
    return (table[pos] for pos in _POS if pos in table)  # type: ignore[index,operator]


#: Every POS the French rule lemmatizer has tables for (superset of what it consults).
_POS = ("noun", "verb", "adj", "adv", "aux", "adp", "det", "pron", "punct", "sconj", "cconj")
