"""A cheap first pass that decides, sentence by sentence, what the spaCy pipeline must run.

The full pipeline (tagger, parser, lemmatizer, NER) is the main cost of Veille, and most
sentences of most news cannot yield an event: they name no actor Veille knows, or hold no
word that can trigger an event. This pass finds out from the *tokens* alone (the tokenizer
is tens of times faster than the pipeline, and its tokens go on to the pipeline) with
multi-pattern matching:

- actor cues: the recogniser's own phrase matchers for named forms and state roles,
  nationality adjectives and nouns (compound ones included), shared epithets ("le
  Royaume") and reference phrases ("les deux pays");
- trigger cues: the trigger lexicon's phrases, surface forms and nouns, and every token one
  of whose *possible* lemmas is a trigger verb or noun;
- place names: a name the gazetteer resolves, for the triggers that can take a place as a
  party ("une attaque à Gao": the place's country is the target).

Every cue is a superset of what the later stages can match, computed with their own data:
the same tokenizer, the same phrase matchers, the lemmatizer's own tables for every POS
(irregular verbs included, no stem guessing), the gazetteer's own index and acceptance rule.

What the later stages take from outside a sentence (``actors.py``, ``events.py``), and how
the plan keeps it:

- an event comes from a trigger in one sentence, and its parties from that sentence's
  mentions (syntax and "nearest other actor" never leave the sentence), from a place in it,
  from a possessive ("sa visite": the states the document mentions most), or from the
  author of an attack reported earlier ("a condamné l'attaque");
- a surname ("M. Bourita") refers to a person whose title was given in another sentence;
- "les deux pays", "le Royaume" and possessives resolve through the counts of all the state
  mentions of the document;
- an event's date and place may come from the *text* of other sentences (``veille.placing``:
  an earlier date of the paragraph, a place named there, the dateline, the lede), read with
  regular expressions and the gazetteer, never from their analysis.

The plan, per document (``DocumentPlan``):

1. ``FULL`` for sentences that can carry an event by themselves: a trigger cue with an
   actor cue, a place-taking trigger with a place name, a trigger with a possessive when the
   document has an actor cue, a trigger with an attack noun after such a sentence; and for
   the sentences that can name a person with an office (a role or a known person), when the
   document has a trigger cue (their surnames can become parties elsewhere). Where a parsed
   sentence has a possessive or a reference ("les deux pays"), every sentence with an actor
   cue is parsed too, so that the mention counts are those of the full analysis.
2. Once those are analysed, the people found give surnames: a sentence holding one of them
   gets ``FULL`` if it has a trigger or actor cue, else the entity recogniser alone.
3. A document with no ``FULL`` sentence after step 1 cannot yield an event: its sentences
   are never analysed.

Sentences are analysed as documents of their own in both modes (``veille.nlp``), so a
sentence parsed by the cascade is parsed exactly as without it: the events are the same
(``tests/test_cascade.py`` checks it, so does the benchmark). Mentions are reported for the
analysed sentences only; each is one the full analysis reports too.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from veille.actors import ActorRecogniser
from veille.events import TWO_PARTY_TYPES, EventCoder, folded_doc
from veille.lexicon import fold
from veille.lexicons import Grammar, Trigger, TriggerLexicon
from veille.model import ActorMention, CleanDocument
from veille.nlp import Analysis, TokenisedParagraph, tokenise
from veille.places import Gazetteer, get_gazetteer, place_key
from veille.syntax import POSSESSIVE_DEPS

#: Memo tables keyed by token text are emptied past this size (news vocabulary is small,
#: but a long run must not grow without bound).
MEMO_LIMIT = 200_000
#: Characters the gazetteer strips around a name (``veille.places._name_forms``).
NAME_STRIP = ' ,.;:!?«»"()'

# Per-token flags (bits), computed once per distinct token text.
TRIGGER = 1
PLACE_TRIGGER = 2
ATTACK = 4
NATIONALITY = 8
EPITHET = 16
POSSESSIVE = 32
LOCATIVE = 64
PLURAL_POSSESSIVE = 128  # "leur(s)": two states at once
SINGLE_PARTY = 256  # a trigger of a type that needs one party only (an attack, a protest)


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """What the cheap pass found in one sentence."""

    actor: bool
    trigger: bool
    #: A trigger that takes a place as a party, a locative word and a name the gazetteer
    #: resolves: the gazetteer may give a party without any actor cue ("attaque à Gao").
    place_event: bool = False
    #: A person with an office may be named here (a role or a known person, with an actor cue).
    person: bool = False
    possessive: bool = False  # "son", "leur": may stand for the document's main states
    #: A possessive can make an event alone: "leur(s)" gives two parties, and one is
    #: enough for an attack or a protest.
    possessive_event: bool = False
    attack: bool = False  # an attack noun: "a condamné l'attaque" targets its author
    reference: bool = False  # "les deux pays", "le Royaume": resolved from mention counts
    names: frozenset[str] = frozenset()  # capitalised token texts (possible surnames)
    state: bool = False  # a country or state organ is named (the home state may be known)
    #: A state institution without a country ("la Garde nationale"): the home state's organ
    #: when the document names a state (veille.actors).
    home_body: bool = False

    @property
    def inert(self) -> bool:
        return not (self.actor or self.trigger)

    @property
    def carries_event(self) -> bool:
        """Whether the sentence can yield an event from its own content."""
        return self.trigger and (self.actor or self.place_event)


class Cascade:
    """Cue finder and planner; build once per process (compiles matchers and indexes)."""

    def __init__(
        self,
        nlp: Language,
        recogniser: ActorRecogniser | None = None,
        coder: EventCoder | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.nlp = nlp
        # The later stages' own matchers and lexicons, so the cues are supersets of their finds.
        self.recogniser = recogniser or ActorRecogniser(nlp)
        self.actors = self.recogniser.lexicon
        self.coder = coder or EventCoder(nlp.lang)
        self.triggers: TriggerLexicon = self.coder.lexicon
        self.grammar = Grammar.load(self.coder.language)
        self.places = PlaceNames(gazetteer or get_gazetteer())
        self._lemmatiser = LemmaCandidates(nlp)
        self._trigger_keys = TriggerKeys.of(self.triggers, lambda trigger: True)
        self._place_keys = TriggerKeys.of(self.triggers, _takes_place_actor)
        self._single_party_keys = TriggerKeys.of(
            self.triggers, lambda trigger: trigger.event not in TWO_PARTY_TYPES
        )
        self._attack_lemmas = frozenset(
            noun
            for noun, triggers in self.triggers.nouns.items()
            if any(t.event == "ASSAULT" for t in triggers)
        )
        self._trigger_matcher = self._trigger_phrase_matcher()
        self._references = _phrase_index(self.actors.references)
        self._token_memo: dict[str, tuple[str, int]] = {}

    # -- building ---------------------------------------------------------------------

    def _trigger_phrase_matcher(self) -> PhraseMatcher:
        # Built exactly like the event coder's matcher (the same patterns).
        matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for phrase in sorted(self.triggers.phrases):
            place = phrase in self._place_keys.phrases
            matcher.add("PLACE" if place else "TRIGGER", self.triggers.phrase_patterns[phrase])
        return matcher

    # -- cues -------------------------------------------------------------------------

    def cues(self, text: str) -> SentenceCues:
        """Cues of a text taken as one sentence."""
        doc = self.nlp.make_doc(text)
        return self.sentence_cues(doc, [(0, len(doc))])[0]

    def sentence_cues(self, doc: Doc, bounds: Sequence[tuple[int, int]]) -> list[SentenceCues]:
        """Cues of each sentence (token ``bounds``) of a tokenised paragraph."""
        texts = [token.text for token in doc]
        described = [self._token(text) for text in texts]
        folded = [word for word, _ in described]
        flags = [bits for _, bits in described]
        sentence_of = [0] * len(doc)
        for index, (start, end) in enumerate(bounds):
            sentence_of[start:end] = [index] * (end - start)

        def mark(found: set[int], start: int, end: int) -> None:
            found.update(sentence_of[start:end])  # a span may run over a sentence boundary

        named, named_places, people, roles, phrases, place_phrases, references = (
            set() for _ in range(7)
        )
        home_bodies: set[int] = set()
        states: set[int] = set()
        for span, actor in self.recogniser._named_spans(doc):
            mark(named_places if self._only_a_place(span, actor) else named, span.start, span.end)
            if actor.kind in ("country", "organ"):
                mark(states, span.start, span.end)
            if actor.kind == "person":
                mark(people, span.start, span.end)
        for _, start, end in self.recogniser._roles(doc):
            mark(roles, start, end)
            if self.recogniser.is_home_body(doc[start:end]):
                mark(home_bodies, start, end)
        strings = self.nlp.vocab.strings
        for key, start, end in self._trigger_matcher(folded_doc(doc)):
            mark(phrases, start, end)
            if strings[key] == "PLACE":
                mark(place_phrases, start, end)
        for start, end in _find_phrases(folded, self._references):
            mark(references, start, end)

        cues = []
        for index, (start, end) in enumerate(bounds):
            bits = 0
            for value in flags[start:end]:
                bits |= value
            role = index in roles
            named_actor = index in named
            reference = bool(bits & EPITHET) or index in references
            actor = (
                bool(bits & (NATIONALITY | EPITHET))
                or reference
                or named_actor
                # A title or apposition may take its country from a place name ("X,
                # ambassadeur à Paris"): only with a state role in the sentence.
                or (role and index in named_places)
            )
            trigger = bool(bits & TRIGGER) or index in phrases
            place_trigger = bool(bits & PLACE_TRIGGER) or index in place_phrases
            place_event = (
                place_trigger and bool(bits & LOCATIVE) and self.places.occur_in(doc[start:end])
            )
            cues.append(
                SentenceCues(
                    actor=actor,
                    trigger=trigger,
                    place_event=place_event,
                    person=actor and (role or index in people),
                    possessive=bool(bits & POSSESSIVE),
                    possessive_event=bool(bits & POSSESSIVE)
                    and bool(bits & (PLURAL_POSSESSIVE | SINGLE_PARTY)),
                    attack=bool(bits & ATTACK),
                    reference=reference,
                    names=frozenset(t for t in texts[start:end] if t[:1].isupper()),
                    state=index in states or bool(bits & NATIONALITY),
                    home_body=index in home_bodies,
                )
            )
        return cues

    def _token(self, text: str) -> tuple[str, int]:
        """(folded text, flags) of a token text, memoised."""
        known = self._token_memo.get(text)
        if known is not None:
            return known
        if len(self._token_memo) >= MEMO_LIMIT:
            self._token_memo.clear()
        word = fold(text)
        lower = text.lower()
        lemmas = self._lemmatiser.candidates(text)
        bits = 0
        if not self._lemmatiser.complete and word.isalpha():
            # No mirror of this language's lemmatizer: any word may be a trigger's form.
            bits |= TRIGGER | PLACE_TRIGGER | ATTACK | SINGLE_PARTY
        elif self._trigger_keys.matches(word, lemmas):
            bits |= TRIGGER
            if self._place_keys.matches(word, lemmas):
                bits |= PLACE_TRIGGER
            if not self._attack_lemmas.isdisjoint(lemmas):
                bits |= ATTACK
            if self._single_party_keys.matches(word, lemmas):
                bits |= SINGLE_PARTY
        if self._is_nationality(word):
            bits |= NATIONALITY
        if word in self.actors.shared_epithets:
            bits |= EPITHET
        possessives = self.grammar.possessives
        if lower in possessives:
            bits |= POSSESSIVE | (PLURAL_POSSESSIVE if possessives[lower] > 1 else 0)
        elif lower in self.grammar.own_possessives:
            bits |= POSSESSIVE  # "nos agents" in a quote: the speaker's state
        elif word in self.grammar.respective_words:
            bits |= POSSESSIVE | PLURAL_POSSESSIVE  # "les ambassadeurs respectifs"
        if lower in self.grammar.place_cases:
            bits |= LOCATIVE
        self._token_memo[text] = (word, bits)
        return word, bits

    def _only_a_place(self, span: Doc, actor: object) -> bool:
        """The token-level part of ``ActorRecogniser._names_only_a_place`` (no parse needed)."""
        if not getattr(actor, "is_place_name", False) or span.start == 0:
            return False
        before = fold(span.doc[span.start - 1].text)
        if before in self.actors.non_actor_heads:
            return True  # "le fleuve Niger"
        is_capital = ":capital" in span.label_ or ":seat" in span.label_
        return is_capital and before in self.actors.locative_words  # "à Paris"

    def _is_nationality(self, word: str) -> bool:
        demonyms = self.actors.demonyms
        return word in demonyms or ("-" in word and word.rsplit("-", 1)[1] in demonyms)

    # -- planning ---------------------------------------------------------------------

    def plan(self, paragraphs: Sequence[TokenisedParagraph]) -> DocumentPlan:
        """The first-pass plan of one document's tokenised kept paragraphs."""
        sentences = [(p, i) for p in paragraphs for i in range(len(p.bounds))]
        cues = [c for p in paragraphs for c in self.sentence_cues(p.doc, p.bounds)]
        if any(c.state for c in cues):
            # The recogniser may give a home state to institutions named without a country.
            cues = [replace(c, actor=True) if c.home_body else c for c in cues]
        return DocumentPlan(sentences, cues).first_pass()

    def plan_text(self, text: str) -> DocumentPlan:
        """The first-pass plan of a text's lines as paragraphs (for tests and notebooks)."""
        from veille.model import Paragraph

        paragraphs, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                paragraphs.append(
                    Paragraph(offset, offset + len(line), line, self.coder.language, True)
                )
            offset += len(line) + 1
        return self.plan(tokenise(self.nlp, paragraphs))

    def refine(self, plan: DocumentPlan, clean: CleanDocument) -> DocumentPlan:
        """The second pass, once the first-pass sentences are analysed.

        Mention counts matter where a parsed trigger has a possessive ("sa visite") or a
        parsed sentence a reference ("les deux pays"): then every sentence with an actor cue
        is parsed. Surnames of the people found may recur in sentences left out: those get
        the parse (with a trigger or actor cue) or the entity recogniser.
        """
        if plan.skipped:
            return plan
        if any(
            level == Analysis.FULL
            and (c.reference or (c.possessive and c.trigger and self._possessive_trigger(doc)))
            for c, level, doc in plan.analysed()
        ):
            plan.parse_actor_sentences()
        if plan.surnames_may_recur():
            paragraphs = {id(p): p for p, _ in plan.sentences}.values()  # in order, once each
            parsed = [paragraph.parsed() for paragraph in paragraphs]
            plan.add_surnames(surname_words(self.recogniser.recognise(clean, parsed)))
        return plan

    def _possessive_trigger(self, sentence: Doc | None) -> bool:
        """Whether a trigger of a parsed sentence has a possessive ("leur coopération"), or
        the sentence says "respectifs", which the event coder resolves to the states the
        document mentions most."""
        if sentence is None:
            return True
        if any(fold(token.text) in self.grammar.respective_words for token in sentence):
            return True
        return any(
            child.dep_ in POSSESSIVE_DEPS and child.lower_ in self.grammar.possessives
            for match in self.coder._triggers(sentence[:])
            for child in match.token.children
        )


@dataclass(slots=True)
class DocumentPlan:
    """How far each sentence of one document is analysed (see the module docstring)."""

    sentences: list[tuple[TokenisedParagraph, int]]  # (paragraph, sentence index), in order
    cues: list[SentenceCues]
    levels: list[Analysis] = field(default_factory=list)
    #: Character offsets of the sentences in the document (``keeps``), built on first use.
    _char_starts: list[int] | None = field(default=None, init=False, repr=False)
    _char_ends: list[int] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.levels:
            self.levels = [Analysis.NONE] * len(self.cues)

    @classmethod
    def everything(cls, paragraphs: Sequence[TokenisedParagraph]) -> DocumentPlan:
        """No cascade: every sentence through the full pipeline."""
        sentences = [(p, i) for p in paragraphs for i in range(len(p.bounds))]
        no_cues = [SentenceCues(actor=True, trigger=True)] * len(sentences)
        return cls(sentences, no_cues, [Analysis.FULL] * len(sentences))

    @property
    def skipped(self) -> bool:
        """Whether no sentence gets a parse: no event is possible."""
        return Analysis.FULL not in self.levels

    def requests(self) -> Iterator[tuple[TokenisedParagraph, int, Analysis]]:
        """(paragraph, sentence index, level) still to run, for ``veille.nlp.analyse``."""
        for (paragraph, index), level in zip(self.sentences, self.levels, strict=True):
            if level > paragraph.levels[index]:
                yield paragraph, index, level

    def analysed(self) -> Iterator[tuple[SentenceCues, Analysis, Doc | None]]:
        """(cues, level, analysed sentence Doc) of every sentence."""
        for (paragraph, index), cues, level in zip(
            self.sentences, self.cues, self.levels, strict=True
        ):
            yield cues, level, paragraph.analysed[index]

    # -- the rules --------------------------------------------------------------------

    def first_pass(self) -> DocumentPlan:
        has_actor = any(c.actor for c in self.cues)
        for index, c in enumerate(self.cues):
            if c.carries_event or (c.trigger and c.possessive_event and has_actor):
                self.levels[index] = Analysis.FULL
        if not self.skipped or any(c.trigger for c in self.cues):
            # Surnames of people named with an office can be parties elsewhere.
            for index, c in enumerate(self.cues):
                if c.person:
                    self.levels[index] = Analysis.FULL
        self._add_attack_reactions()
        return self

    def parse_actor_sentences(self) -> None:
        for index, c in enumerate(self.cues):
            if c.actor:
                self.levels[index] = Analysis.FULL

    def surnames_may_recur(self) -> bool:
        """Whether a sentence not parsed shares a capitalised word with a parsed sentence
        that can name a person (every surname word is one of those)."""
        named = set().union(
            *(c.names for c, level, _ in self.analysed() if c.person and level == Analysis.FULL)
        )
        return bool(named) and any(
            level < Analysis.FULL and not named.isdisjoint(c.names)
            for c, level, _ in self.analysed()
        )

    def add_surnames(self, surnames: frozenset[str]) -> None:
        """Analyse the sentences where a surname of a person found so far recurs."""
        added = []
        for index, c in enumerate(self.cues):
            if self.levels[index] < Analysis.FULL and not surnames.isdisjoint(c.names):
                if c.trigger or c.actor:
                    self.levels[index] = Analysis.FULL
                    added.append(c)
                else:
                    self.levels[index] = Analysis.NER
        # A trigger with a possessive among them: not parsed yet, so assume it counts.
        if any(c.trigger and c.possessive for c in added):
            self.parse_actor_sentences()
        self._add_attack_reactions()

    def _add_attack_reactions(self) -> None:
        """ "a condamné l'attaque": the author of an attack reported before is a party."""
        if self.skipped:
            return
        seen_event = False
        for index, c in enumerate(self.cues):
            if self.levels[index] == Analysis.FULL and c.trigger:
                seen_event = True
            elif seen_event and c.trigger and c.attack:
                self.levels[index] = Analysis.FULL

    def keeps(self, mention: ActorMention) -> bool:
        """Whether a mention lies where the analysis is that of the full pipeline."""
        if self._char_starts is None:
            self._index_characters()
        # The sentences are in text order and do not overlap: the last one starting at or
        # before the mention is the only one that can hold it.
        position = bisect.bisect_right(self._char_starts, mention.start) - 1
        if position < 0 or mention.start >= self._char_ends[position]:
            return False
        level = self.levels[position]
        return level == Analysis.FULL or (level == Analysis.NER and mention.kind == "person")

    def _index_characters(self) -> None:
        """Document character offsets of each sentence's first and past-last character."""
        self._char_starts, self._char_ends = [], []
        for paragraph, index in self.sentences:
            start, end = paragraph.bounds[index]
            doc = paragraph.doc
            self._char_starts.append(paragraph.paragraph.start + doc[start].idx)
            self._char_ends.append(paragraph.paragraph.start + doc[end - 1].idx + len(doc[end - 1]))


def surname_words(mentions: Iterable[ActorMention]) -> frozenset[str]:
    """Words that can refer back to a person mention (``ActorRecogniser._surname_references``
    keys a person by the last capitalised word of the mention; any capitalised word is kept)."""
    return frozenset(
        word
        for mention in mentions
        if mention.kind == "person"
        for word in mention.actor.entity_text.replace(",", " ").split()
        if word[:1].isupper()
    )


def _takes_place_actor(trigger: Trigger) -> bool:
    return trigger.place in ("actor", "recipient")


def _phrase_index(phrases: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Folded multi-word phrases by first word."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.split())
        index.setdefault(words[0], []).append(words)
    return index


def _find_phrases(
    words: Sequence[str], index: dict[str, list[tuple[str, ...]]]
) -> Iterator[tuple[int, int]]:
    """(start, end) of every contiguous occurrence of an indexed phrase in ``words``."""
    for start, word in enumerate(words):
        for phrase in index.get(word, ()):
            end = start + len(phrase)
            if tuple(words[start:end]) == phrase:
                yield start, end


@dataclass(slots=True)
class TriggerKeys:
    """The trigger lexicon keys of the triggers a predicate selects, and a token test."""

    lemmas: frozenset[str]  # verbs and nouns, matched on any possible lemma
    words: frozenset[str]  # surface forms and nouns, matched on the folded token
    phrases: frozenset[str]

    @classmethod
    def of(cls, lexicon: TriggerLexicon, wanted: Callable[[Trigger], bool]) -> TriggerKeys:
        def keys(table: dict[str, list[Trigger]]) -> frozenset[str]:
            return frozenset(k for k, triggers in table.items() if any(map(wanted, triggers)))

        return cls(
            lemmas=keys(lexicon.verbs) | keys(lexicon.nouns),
            words=keys(lexicon.forms) | keys(lexicon.nouns),
            phrases=keys(lexicon.phrases),
        )

    def matches(self, folded: str, lemmas: set[str]) -> bool:
        return folded in self.words or not self.lemmas.isdisjoint(lemmas)


class PlaceNames:
    """Whether a sentence holds a name the gazetteer resolves (any of its token runs).

    The event coder asks the gazetteer about a proper name or an entity in a locative
    complement; both are token runs of the sentence, and the gazetteer strips leading
    prepositions, articles and "ville de" (whole tokens, "l'" and "d'" included) and the
    punctuation around. So every token run of the sentence is tried, by the gazetteer's own
    keys and acceptance rule, which is a superset of what the coder can find.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.index = gazetteer.index
        self.prefixes = self.index.prefixes  # to stop extending a run early

    def occur_in(self, tokens: Iterable) -> bool:  # tokens: a Span or Doc
        chunks = _chunks(tokens)
        for first, chunk in enumerate(chunks):
            for start in range(len(chunk)):
                head = chunk[start:]
                if self._runs_from(chunks, first, head):
                    return True
                elided = _after_apostrophe(head[0])  # "l'Adrar" if the tokenizer kept it whole
                if elided and self._runs_from(chunks, first, [elided, *head[1:]]):
                    return True
        return False

    def _runs_from(self, chunks: list[list[str]], first: int, head: list[str]) -> bool:
        """Runs starting with the tokens ``head`` (the rest of chunk ``first``)."""
        for end in range(1, len(head) + 1):  # runs inside the first chunk
            if self._resolves("".join(head[:end])):
                return True
        key = place_key("".join(head).lstrip(NAME_STRIP))
        for chunk in chunks[first + 1 :]:
            if key not in self.prefixes:
                return False
            for end in range(1, len(chunk) + 1):
                if self._resolves_key(key, "".join(chunk[:end])):
                    return True
            key = f"{key} {place_key(''.join(chunk))}"
        return False

    def _resolves(self, form: str) -> bool:
        form = form.strip(NAME_STRIP)
        return bool(form) and self._accepted(form, place_key(form))

    def _resolves_key(self, key: str, tail: str) -> bool:
        tail_key = place_key(tail.rstrip(NAME_STRIP))
        return bool(tail_key) and self._accepted(None, f"{key} {tail_key}")

    def _accepted(self, form: str | None, key: str) -> bool:
        candidates = self.index.get(key)
        if not candidates:
            return False
        if form is None:
            return True  # a run over several words: capitalisation is not checked (superset)
        return any(self.gazetteer._accepts(form, key, c) for c in candidates)


def _after_apostrophe(text: str) -> str:
    cut = max(text.rfind("'"), text.rfind("’"))
    return text[cut + 1 :] if 0 <= cut < len(text) - 1 else ""


def _chunks(tokens: Iterable) -> list[list[str]]:
    """Token texts grouped into whitespace-separated words."""
    chunks: list[list[str]] = []
    glued = False
    for token in tokens:
        if token.is_space:
            glued = False
            continue
        if glued and chunks:
            chunks[-1].append(token.text)
        else:
            chunks.append([token.text])
        glued = not token.whitespace_
    return chunks


class LemmaCandidates:
    """Every lemma spaCy's rule lemmatizer can give a token, whatever its POS.

    Mirrors ``spacy.lang.fr.FrenchLemmatizer.rule_lemmatize`` (index, exceptions, suffix
    rules, lookup fallback) without knowing the POS, so it returns a superset.
    """

    def __init__(self, nlp: Language) -> None:
        from spacy.lang.fr.lemmatizer import FrenchLemmatizer

        lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        #: Whether ``candidates`` covers every lemma the pipeline can give (French's rule
        #: lemmatizer is the one mirrored; other languages' cues take any word).
        self.complete = isinstance(lemmatizer, FrenchLemmatizer)
        lookups = lemmatizer.lookups if self.complete else None  # type: ignore[union-attr]
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
