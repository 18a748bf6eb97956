"""The coder's lexicons: what a language's folder (``veille/lang/<code>/``) says, as read.

- ``TriggerLexicon``: the event triggers of ``triggers.yaml``;
- ``Modality``: the cues of negation, plans, conditions and support verbs (``modality.yaml``);
- ``Grammar``: the function words the coder reads in a parse (``grammar.yaml``).

Each is loaded once per language. The coder's parse-reading helpers get the language of the
sentence they look at from its tokens (``Grammar.of(token)``), so no code names a language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import spacy
from spacy.attrs import LOWER
from spacy.tokenizer import Tokenizer
from spacy.tokens import Token

from veille.cache import cached, data_sources
from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.lexicon import fold


@dataclass(frozen=True, slots=True)
class Trigger:
    event: str
    mode: tuple[str, ...] = ()
    subject: str = "actor"
    object: str = "recipient"
    of: str = "actor"
    place: str = "none"
    reciprocal: bool = False
    reflexive: bool = False
    requires_object: frozenset[str] = frozenset()
    #: The required object must be the direct one ("rappeler son ambassadeur", not
    #: "rappeler à l'ambassadeur que...", which is reminding him).
    direct_object: bool = False
    excludes_object: frozenset[str] = frozenset()
    #: The trigger does not count with one of these nouns as its subject's head ("les
    #: convois sont arrivés à Gao" is no visit).
    excludes_subject: frozenset[str] = frozenset()
    #: The trigger counts only with one of these nouns as its subject's head ("les soldats
    #: français ont quitté le Niger" is a withdrawal, "le ministre a quitté Alger" is not).
    requires_subject: frozenset[str] = frozenset()
    #: The trigger counts only when its own words name two states or more ("les FAR et
    #: l'armée française ont lancé l'exercice", "l'exercice maroco-français").
    joint_only: bool = False
    contexts: tuple[str, ...] = ()
    with_: str = "recipient"


@dataclass(slots=True)
class TriggerLexicon:
    verbs: dict[str, list[Trigger]] = field(default_factory=dict)
    nouns: dict[str, list[Trigger]] = field(default_factory=dict)
    phrases: dict[str, list[Trigger]] = field(default_factory=dict)
    #: The written forms of each phrase key (keys are folded, text keeps its accents): the
    #: lowercase phrase as written in the lexicon and its folded form.
    phrase_forms: dict[str, set[str]] = field(default_factory=dict)
    forms: dict[str, list[Trigger]] = field(default_factory=dict)  # surface forms, any POS
    #: Regular inflections of the trigger verbs (folded), for verbs the lemmatizer misreads
    #: ("demande" lemmatized as "demande", not "demander"); see grammar.yaml.
    inflections: dict[str, list[Trigger]] = field(default_factory=dict)
    #: What a ``PhraseMatcher(attr="LOWER")`` keeps of each phrase's forms (sorted) as the
    #: blank tokenizer cuts them: their tokens' LOWER hashes, which ``PhraseMatcher.add``
    #: takes in place of Docs (the event coder's and the cascade's phrase matchers).
    phrase_patterns: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)

    @classmethod
    @cache
    def load(cls, language: str = DEFAULT_LANGUAGE) -> TriggerLexicon:
        """The lexicon of ``language``, cached on disk (``veille.cache``): reading the YAML
        and making a tokenizer for the phrases took a tenth of a second at each start."""
        return cached(
            f"triggers_{language}",
            lambda: cls._read(language),
            # This module too: the pickled triggers are its classes (a field added to
            # ``Trigger`` must not meet entries written without it).
            files=[*data_sources(language), Path(__file__)],
            packages=["spacy"],
        )

    @classmethod
    def _read(cls, language: str) -> TriggerLexicon:
        lexicon = cls()
        tokenizer = blank_tokenizer(language)  # "sit-in", "co-chair": several tokens, a phrase
        for entry in language_yaml(language, "triggers.yaml")["triggers"]:
            trigger = Trigger(
                event=entry["event"],
                mode=tuple(entry.get("mode") or ()),
                subject=entry.get("subject", "actor"),
                object=entry.get("object", "recipient"),
                of=entry.get("of", "actor"),
                place=entry.get("place", "none"),
                reciprocal=bool(entry.get("reciprocal", False)),
                reflexive=bool(entry.get("reflexive", False)),
                requires_object=frozenset(fold(w) for w in entry.get("requires_object") or ()),
                direct_object=bool(entry.get("direct_object", False)),
                excludes_object=frozenset(fold(w) for w in entry.get("excludes_object") or ()),
                excludes_subject=frozenset(fold(w) for w in entry.get("excludes_subject") or ()),
                requires_subject=frozenset(fold(w) for w in entry.get("requires_subject") or ()),
                joint_only=bool(entry.get("joint_only", False)),
                contexts=tuple(entry.get("contexts") or ()),
                with_=entry.get("with", entry.get("object", "recipient")),
            )
            for verb in entry.get("verbs") or ():
                lexicon.verbs.setdefault(fold(verb), []).append(trigger)
            for form in entry.get("forms") or ():
                lexicon.forms.setdefault(fold(form), []).append(trigger)
            for noun in entry.get("nouns") or ():
                if " " in noun or "'" in noun or len(tokenizer(noun)) > 1:
                    lexicon.phrases.setdefault(fold(noun), []).append(trigger)
                    lexicon.phrase_forms.setdefault(fold(noun), set()).update(
                        {noun.lower().replace("’", "'"), fold(noun)}
                    )
                else:
                    lexicon.nouns.setdefault(fold(noun), []).append(trigger)
        lexicon._add_inflections(language_yaml(language, "grammar.yaml").get("verb_inflections"))
        lexicon.phrase_patterns = {
            phrase: [tuple(tokenizer(form).to_array(LOWER).tolist()) for form in sorted(forms)]
            for phrase, forms in lexicon.phrase_forms.items()
        }
        return lexicon

    def _add_inflections(self, endings: dict[str, list[str]] | None) -> None:
        """Regular forms of each verb: the infinitive's ending swapped for each inflection."""
        for verb, triggers in self.verbs.items():
            for form in regular_forms(verb, endings, fold):
                if form not in self.verbs:
                    self.inflections.setdefault(form, []).extend(triggers)


def regular_forms(
    verb: str, endings: dict[str, list[str]] | None, spell: Callable[[str], str] = str
) -> list[str]:
    """The forms of ``verb`` made by swapping its infinitive's ending for each inflection of
    ``grammar.yaml``'s ``verb_inflections`` (``spell`` writes endings as ``verb`` is written)."""
    forms = []
    for ending, inflections in (endings or {}).items():
        if " " in verb or not verb.endswith(spell(ending)):
            continue
        stem = verb[: -len(spell(ending))]
        forms += [stem + spell(str(i)) for i in inflections if stem + spell(str(i)) != verb]
    return forms


#: Word lists of modality.yaml matched on folded lemmas or forms.
FOLDED_MODALITY_LISTS = (
    "affiliation_words",
    "group_nouns",
    "casualty_verbs",
    "undergoing_verbs",
    "suffering_words",
    "beneficiary_heads",
    "traffic_words",
    "vehicle_words",
    "targeting_verbs",
    "non_agent_subjects",
    "membership_cues",
    "control_verbs",
    "member_suspension_verbs",
    "decision_verbs",
    "grouping_verbs",
)


@dataclass(frozen=True, slots=True)
class Modality:
    negation: frozenset[str]
    future_governors: frozenset[str]
    hypothetical_governors: frozenset[str]
    conditional_marks: frozenset[str]
    purpose_marks: frozenset[str]
    denial_governors: frozenset[str]
    historical_cues: tuple[str, ...]
    support_verbs: frozenset[str]
    circumstance_cases: frozenset[str]
    receiving_verbs: frozenset[str]
    against_cases: frozenset[str]
    descriptor_heads: frozenset[str]
    beneficiary_words: frozenset[str]
    planned_predicates: frozenset[str]
    reporting_verbs: frozenset[str] = frozenset()
    affiliation_words: frozenset[str] = frozenset()
    group_nouns: frozenset[str] = frozenset()
    casualty_verbs: frozenset[str] = frozenset()
    undergoing_verbs: frozenset[str] = frozenset()
    suffering_words: frozenset[str] = frozenset()
    beneficiary_heads: frozenset[str] = frozenset()
    traffic_words: frozenset[str] = frozenset()
    vehicle_words: frozenset[str] = frozenset()
    targeting_verbs: frozenset[str] = frozenset()
    non_agent_subjects: frozenset[str] = frozenset()
    membership_cues: frozenset[str] = frozenset()
    control_verbs: frozenset[str] = frozenset()
    member_suspension_verbs: frozenset[str] = frozenset()
    decision_verbs: frozenset[str] = frozenset()
    grouping_verbs: frozenset[str] = frozenset()
    #: Auxiliaries of the future and of what may happen, where the language has words for
    #: them ("will", "could") rather than verb forms (French "signera", "signerait").
    future_auxiliaries: frozenset[str] = frozenset()
    hypothetical_auxiliaries: frozenset[str] = frozenset()

    @classmethod
    @cache
    def load(cls, language: str = DEFAULT_LANGUAGE) -> Modality:
        data = language_yaml(language, "modality.yaml")
        return cls(
            negation=frozenset(data["negation"]),
            future_governors=frozenset(data["future_governors"]),
            hypothetical_governors=frozenset(data["hypothetical_governors"]),
            conditional_marks=frozenset(data["conditional_marks"]),
            purpose_marks=frozenset(data["purpose_marks"]),
            denial_governors=frozenset(data["denial_governors"]),
            historical_cues=tuple(fold(c) for c in data["historical_cues"]),
            support_verbs=frozenset(data["support_verbs"]),
            circumstance_cases=frozenset(data["circumstance_cases"]),
            receiving_verbs=frozenset(data["receiving_verbs"]),
            against_cases=frozenset(data["against_cases"]),
            descriptor_heads=frozenset(data["descriptor_heads"]),
            beneficiary_words=frozenset(fold(w) for w in data["beneficiary_words"]),
            planned_predicates=frozenset(data["planned_predicates"]),
            # The lemmatizer leaves some present forms as written ("indique", "précise").
            reporting_verbs=frozenset(
                form
                for verb in data.get("reporting_verbs") or ()
                for form in (
                    verb,
                    *regular_forms(
                        verb, language_yaml(language, "grammar.yaml").get("verb_inflections")
                    ),
                )
            ),
            future_auxiliaries=frozenset(data.get("future_auxiliaries") or ()),
            hypothetical_auxiliaries=frozenset(data.get("hypothetical_auxiliaries") or ()),
            **{
                name: frozenset(fold(w) for w in data.get(name) or ())
                for name in FOLDED_MODALITY_LISTS
            },
        )


@dataclass(frozen=True, slots=True)
class Grammar:
    """Function words of one language (``grammar.yaml``; each key is documented there)."""

    place_cases: frozenset[str]
    to_cases: frozenset[str]
    of_cases: frozenset[str]
    describing_cases: frozenset[str]  # of_cases included
    reason_cases: frozenset[str]
    subject_blocking_cases: frozenset[str]
    nested_blocking_cases: frozenset[str]  # subject_blocking_cases included
    companion_words: frozenset[str]  # folded
    circumstance_heads: frozenset[str]  # folded lemmas
    membership_verbs: frozenset[str]  # folded lemmas
    possessives: dict[str, int]
    own_possessives: frozenset[str]  # lowercase forms
    own_pronouns: frozenset[str]  # lowercase forms
    own_party_nouns: frozenset[str]  # folded forms
    respective_words: frozenset[str]  # folded forms
    side_nouns: frozenset[str]  # folded lemmas
    territory_nouns: frozenset[str]  # folded lemmas
    territory_cases: frozenset[str]
    expectation_verbs: frozenset[str]  # folded lemmas
    clitic_objects: frozenset[str]
    reflexive_pronouns: frozenset[str]
    subject_pronouns: frozenset[str]  # lowercase forms
    articles: frozenset[str]
    agent_cases: frozenset[str]
    source_cases: frozenset[str]
    concession_marks: tuple[str, ...]  # folded phrases
    chair_words: frozenset[str]  # folded lemmas
    origin_cases: frozenset[str]
    adjective_after_noun: bool  # "les soldats maliens" (fr, es), not "Malian soldiers" (en)
    passive_auxiliaries: frozenset[str]  # lemmas, where the parser leaves passives unmarked

    @classmethod
    @cache
    def load(cls, language: str = DEFAULT_LANGUAGE) -> Grammar:
        data = language_yaml(language, "grammar.yaml")

        def words(key: str) -> frozenset[str]:
            return frozenset(str(w) for w in data.get(key) or ())

        def folded(key: str) -> frozenset[str]:
            return frozenset(fold(str(w)) for w in data.get(key) or ())

        return cls(
            place_cases=words("place_cases"),
            to_cases=words("to_cases"),
            of_cases=words("of_cases"),
            describing_cases=words("of_cases") | words("describing_cases"),
            reason_cases=words("reason_cases"),
            subject_blocking_cases=words("subject_blocking_cases"),
            nested_blocking_cases=words("subject_blocking_cases") | words("nested_blocking_cases"),
            companion_words=folded("companion_words"),
            circumstance_heads=folded("circumstance_heads"),
            membership_verbs=folded("membership_verbs"),
            possessives={str(k): int(v) for k, v in (data.get("possessives") or {}).items()},
            own_possessives=words("own_possessives"),
            own_pronouns=words("own_pronouns"),
            own_party_nouns=folded("own_party_nouns"),
            respective_words=folded("respective_words"),
            side_nouns=folded("side_nouns"),
            territory_nouns=folded("territory_nouns"),
            territory_cases=words("territory_cases"),
            expectation_verbs=folded("expectation_verbs"),
            clitic_objects=words("clitic_objects"),
            reflexive_pronouns=words("reflexive_pronouns"),
            subject_pronouns=words("subject_pronouns"),
            articles=words("articles"),
            agent_cases=words("agent_cases"),
            source_cases=words("source_cases"),
            concession_marks=tuple(sorted(folded("concession_marks"))),
            chair_words=folded("chair_words"),
            origin_cases=words("origin_cases"),
            adjective_after_noun=data.get("adjective_position", "after") == "after",
            passive_auxiliaries=words("passive_auxiliaries"),
        )

    @staticmethod
    def of(token: Token) -> Grammar:
        """The grammar of the language ``token`` is in (its pipeline's language)."""
        return Grammar.load(token.doc.lang_)


@cache
def blank_tokenizer(language: str) -> Tokenizer:
    """The rule-based tokenizer of ``language``, for lexicon phrases (no model needed)."""
    return spacy.blank(language).tokenizer


def modality_of(token: Token) -> Modality:
    """The modality cues of the language ``token`` is in."""
    return Modality.load(token.doc.lang_)
