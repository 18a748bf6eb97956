"""Stage 5: code PLOVER events from parsed sentences and their actor mentions.

For every trigger (a verb lemma, noun lemma or phrase of ``data/triggers.yaml``) the
coder reads the modality around it (negation, condition, purpose, plan), collects the
actor mentions on its subject side and its object side from the dependency parse, maps
them to actor and recipient through the trigger's role table, and adds date, place,
quantities, contexts and evidence. The same event stated several times in a document
is output once, with its best evidence.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from veille.confidence import confidence
from veille.consolidate import consolidate, derived_signals, is_armed_group
from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.lexicon import fold
from veille.lexicons import Grammar, Modality, Trigger, TriggerLexicon
from veille.model import (
    ORGANISATION_CODES,
    Actor,
    ActorMention,
    CleanDocument,
    Event,
    EventLocation,
    ParsedParagraph,
    ResolvedDate,
    Signals,
)
from veille.placing import earlier_date, event_place, situate
from veille.syntax import (
    POSSESSIVE_DEPS,
    SUBJECT_DEPS,
    case_of,
    circumstance_head,
    clause_companions,
    displaced_subject,
    find_subject_holder,
    governors_of,
    is_agent,
    is_companion,
    is_locative,
    is_topic,
    locative_place,
    mentions_by_token,
    mentions_in,
    nationality_of,
    nearest_other,
    passive_expectation,
    place_of,
    possessor,
    prefer_required_objects,
    pseudo_mentions,
    quote_speakers,
    reflexive_ok,
    reporter_of,
    reporting_verbs,
    source_complements,
    suffers_through,
    tokens_inside,
    without_nested_places,
)

#: Types that need two distinct parties: verbal and material cooperation, verbal conflict.
TWO_PARTY_TYPES = frozenset(
    {
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "CONCEDE",
        "COOPERATE",
        "AID",
        "REQUEST",
        "ACCUSE",
        "REJECT",
        "THREATEN",
    }
)
#: Actions that, done by several states together, are also cooperation between them.
JOINT_ACTION_TYPES = frozenset({"COERCE", "ASSAULT", "MOBILIZE"})
#: ... but for closures: two states shutting their common border each close their own side.
SEPARATE_ACTION_MODES = frozenset({"restrict"})
#: Actions only a state does on its own soil (arrests, seizures, curfews).
TERRITORIAL_TYPES = frozenset({"COERCE"})
COOPERATIVE_TYPES = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID"})
#: Verbal events whose complement is what is threatened, asked, refused, alleged or broken
#: off ("a menacé de rompre", "a appelé X à libérer", "a suspendu sa coopération"): that
#: complement is the content of the event, not an event of its own. An accusation's noun
#: object stays an event ("a condamné l'attaque"), its clause does not ("accusé X de soutenir").
CONTENT_DEPS = {
    "THREATEN": frozenset({"xcomp", "ccomp", "obj", "nmod"}),
    "REQUEST": frozenset({"xcomp", "ccomp", "obj", "nmod"}),
    "REJECT": frozenset({"xcomp", "ccomp", "obj", "nmod"}),
    "ACCUSE": frozenset({"xcomp", "ccomp"}),
    "SANCTION": frozenset({"obj"}),
}
#: Cooperation that is only promised or planned is coded AGREE (PLOVER rule).
PROMISABLE_TYPES = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID"})
#: Where a cooperation noun with no party of its own takes its sentence's two states.
PAIRED_NOUN_DEPS = frozenset({"ROOT", "nsubj", "nsubj:pass", "obj", "obl:agent"})
#: Events whose recipient may be named only in their content ("menace de riposter contre X").
THREAT_TYPES = frozenset({"THREATEN"})
#: Modes of a release of hostages or prisoners.
RELEASE_MODES = frozenset({"release"})
#: Modes of a closure or ban, which may name the traffic it stops ("en provenance du Mali").
RESTRICT_MODES = frozenset({"restrict"})
#: A closure lifted ("a rouvert son espace aérien aux avions maliens") names the traffic it
#: lets through, as a closure names what it stops.
LIFTING_TYPES = frozenset({"CONCEDE"})
#: Restrictions decided are made by the decision ("a décidé de fermer son espace aérien").
DECIDABLE_TYPES = frozenset({"COERCE"})
#: Announced withdrawals stay RETREAT (Veille's rule in the spec); other planned events are dropped.
ANNOUNCEABLE_TYPES = frozenset(
    {"RETREAT", "AGREE", "THREATEN", "REQUEST", "REJECT", "ACCUSE", "SANCTION"}
)
OBJECT_DEPS = frozenset(
    {"obj", "iobj", "obl", "obl:arg", "obl:mod", "nmod", "nmod:poss", "appos", "ccomp"}
)
#: "leur capture", "sa libération", "son expulsion": the possessor is the person arrested,
#: freed or expelled, not a state acting.
#: The sectors of a state's forces, which make the arrests they report.
SECURITY_SECTORS = frozenset({"MIL", "COP", "SPY"})
PATIENT_POSSESSOR_MODES = frozenset({"arrest", "release", "expel", "deport", "abduct"})
#: Events starting in the first characters of an article are in its headline or lede.
LEDE_CHARS = 400
HISTORICAL_YEARS = 1


@dataclass(frozen=True, slots=True)
class TriggerMatch:
    token: Token  # the syntactic head of the trigger
    span: Span
    trigger: Trigger


@dataclass(slots=True)
class Arguments:
    subject: list[ActorMention] = field(default_factory=list)
    agents: list[ActorMention] = field(default_factory=list)  # "par X" of a passive: never flipped
    objects: list[ActorMention] = field(default_factory=list)
    of: list[ActorMention] = field(default_factory=list)
    companions: list[ActorMention] = field(default_factory=list)  # "avec X", "aux côtés de X"
    refers_to_attack: bool = False  # the object is an attack whose author was named before
    places: list[tuple[Span, str | None]] = field(default_factory=list)  # (span, country code)
    passive: bool = False
    from_syntax: bool = True


class EventCoder:
    """Codes the events of one document at a time. Build once per process."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self.lexicon = TriggerLexicon.load(language)
        self.modality = Modality.load(language)
        self.contexts = {
            ctx: tuple(fold(c) for c in cues)
            for ctx, cues in language_yaml(language, "contexts.yaml").items()
        }
        self._phrase_matchers: dict[int, PhraseMatcher] = {}

    def code(
        self,
        clean: CleanDocument,
        parsed: Sequence[ParsedParagraph],
        mentions: Sequence[ActorMention],
    ) -> list[Event]:
        document = clean.document
        main_states = _main_states(mentions)
        best: dict[tuple[str, frozenset[str]], Event] = {}
        tellings: Counter[tuple[str, frozenset[str]]] = Counter()  # sentences giving each key
        last_attackers: list[Actor] = []  # who carried out the last attack the text reported
        document_contexts = self._document_contexts(parsed)
        for paragraph, local in zip(parsed, _by_paragraph(parsed, mentions), strict=True):
            local = self._without_affiliations(paragraph, local)
            local = _chairs_act_for_their_organisation(paragraph, local)
            by_token = mentions_by_token(paragraph, local)
            implied = [
                *_speakers_own_parties(paragraph, by_token),
                *_respective_parties(paragraph, by_token, main_states),
            ]
            if implied:
                by_token = mentions_by_token(paragraph, [*local, *implied])
            # Words inside an actor's name ("Mouvement national de libération...") trigger nothing.
            inside_names = tokens_inside(paragraph, local)
            paragraph_contexts = self._contexts_in(paragraph.paragraph.text) | document_contexts
            for sentence in paragraph.doc.sents:
                if not sentence[0].dep:
                    continue  # not parsed: the cascade found no way to an event in it
                # Attacks first, so a reaction in the same sentence ("a condamné l'attaque
                # revendiquée par X") can name their author.
                matches = sorted(
                    self._triggers(sentence), key=lambda m: m.trigger.event != "ASSAULT"
                )
                for match in matches:
                    if match.token.i in inside_names:
                        continue
                    event = self._code_match(
                        match,
                        paragraph,
                        by_token,
                        main_states,
                        document.published,
                        paragraph_contexts,
                        last_attackers,
                    )
                    if event is None:
                        continue
                    if event.event == "ASSAULT" and event.actor:
                        last_attackers[:] = event.actor
                    # The document first, so a joint cooperation derived from the event has it
                    # too (its id hashes the doc_id).
                    event = replace(event, doc_path=document.doc_path, doc_id=document.doc_id)
                    joint = _joint_cooperation(event)
                    if joint is not None and (joint.event, joint.participants) not in best:
                        best[(joint.event, joint.participants)] = joint
                    key = (event.event, event.participants)
                    tellings[key] += 1
                    if key not in best or _better_evidence(event, best[key]):
                        best[key] = event
        events = sorted(
            (_scored(e, tellings) for e in consolidate(best.values())),
            key=lambda e: (e.start, e.event),
        )
        return situate(events, clean)  # dateline and publication dates, dateline places

    def _without_affiliations(
        self, paragraph: ParsedParagraph, mentions: list[ActorMention]
    ) -> list[ActorMention]:
        """Drop the groups named only as another group's parent ("le JNIM, affilié à
        Al-Qaïda", "un groupe lié à l'EI"): affiliations are not parties (spec)."""
        doc, base = paragraph.doc, paragraph.paragraph.start
        group_tokens = {
            i
            for m in mentions
            if m.kind == "group"
            and (span := doc.char_span(m.start - base, m.end - base, alignment_mode="expand"))
            for i in range(span.start, span.end)
        }
        dropped: set[int] = set()
        for mention in mentions:
            if mention.kind != "group":
                continue
            span = doc.char_span(mention.start - base, mention.end - base, alignment_mode="expand")
            if span is None:
                continue
            # The affiliation word right before the name, maybe with its preposition.
            before = [t for t in doc[max(span.start - 2, 0) : span.start] if not t.is_punct]
            word = next(
                (
                    t
                    for t in reversed(before)
                    if fold(t.lemma_) in self.modality.affiliation_words
                    or fold(t.text) in self.modality.affiliation_words
                ),
                None,
            )
            if word is None:
                continue
            # Whose affiliation: the noun it qualifies, or the word before "X, affilié à" (the
            # parse often hangs the participle elsewhere).
            owners = [word.head] if word.dep_ in ("acl", "amod") else []
            owners += [t for t in reversed(doc[max(word.i - 3, 0) : word.i]) if not t.is_punct][:1]
            if any(
                owner.i in group_tokens or fold(owner.lemma_) in self.modality.group_nouns
                for owner in owners
            ):
                dropped.add(id(mention))
        return [m for m in mentions if id(m) not in dropped]

    # -- triggers -------------------------------------------------------------------

    def _triggers(self, sentence: Span) -> list[TriggerMatch]:
        matches: list[TriggerMatch] = []
        phrase_tokens: set[int] = set()
        found = self._phrase_matcher(sentence.doc)(folded_doc(sentence))
        # Overlapping phrases: the longest wins ("eu un échange téléphonique" is a phone call,
        # not "eu un échange").
        for match_id, start, end in sorted(found, key=lambda m: (m[1] - m[2], m[1])):
            if phrase_tokens & set(range(sentence.start + start, sentence.start + end)):
                continue
            span = sentence.doc[sentence.start + start : sentence.start + end]
            key = sentence.doc.vocab.strings[match_id]
            phrase_tokens.update(range(span.start, span.end))
            matches.extend(TriggerMatch(span.root, span, t) for t in self.lexicon.phrases[key])
        for token in sentence:
            if token.i in phrase_tokens:
                continue
            lemma = fold(token.lemma_)
            if token.pos_ == "VERB":
                candidates = self.lexicon.verbs.get(lemma, [])
                if not candidates and lemma == fold(token.text):
                    # The lemmatizer left the form as it is ("demande", "cible"): read it
                    # as an inflection of a trigger verb.
                    candidates = self.lexicon.inflections.get(lemma, [])
            elif token.pos_ in ("NOUN", "PROPN"):
                candidates = self.lexicon.nouns.get(lemma, []) or self.lexicon.nouns.get(
                    fold(token.text), []
                )
            else:
                candidates = []
            candidates = candidates or self.lexicon.forms.get(fold(token.text), [])
            candidates = [t for t in candidates if reflexive_ok(token, t)]
            candidates = prefer_required_objects(token, candidates)
            matches.extend(
                TriggerMatch(token, sentence.doc[token.i : token.i + 1], t) for t in candidates
            )
        return matches

    def _phrase_matcher(self, doc: Doc) -> PhraseMatcher:
        vocab_id = id(doc.vocab)
        if vocab_id not in self._phrase_matchers:
            matcher = PhraseMatcher(doc.vocab, attr="LOWER")
            for phrase, patterns in self.lexicon.phrase_patterns.items():
                matcher.add(phrase, patterns)
            self._phrase_matchers[vocab_id] = matcher
        return self._phrase_matchers[vocab_id]

    # -- one trigger ----------------------------------------------------------------

    def _code_match(
        self,
        match: TriggerMatch,
        paragraph: ParsedParagraph,
        by_token: dict[int, list[ActorMention]],
        main_states: Sequence[Actor],
        published: date | None,
        paragraph_contexts: set[str],
        last_attackers: Sequence[Actor],
    ) -> Event | None:
        token, trigger = match.token, match.trigger
        if self._describes_a_noun(token) or self._content_of_other_event(token, trigger):
            return None
        governors = governors_of(token)
        if self._negated(token, governors):
            return None
        if passive_expectation(token):
            return None  # "X est appelé à doter Y": no one asks, X is to do it
        # "six vedettes devraient être remises", "est appelée à doter les FAR": cooperation
        # expected to come is a commitment (AGREE), not a mere hypothesis.
        expected = trigger.event in PROMISABLE_TYPES and self._expected(token, governors)
        if not expected and self._hypothetical(token, governors):
            return None
        event_type = trigger.event
        if event_type == "ASSAULT" and self._situation_subject(token):
            return None
        if expected or self._planned(token, governors):
            if event_type in PROMISABLE_TYPES:
                event_type = "AGREE"
            elif event_type not in ANNOUNCEABLE_TYPES and not (
                event_type in DECIDABLE_TYPES and self._decided(token, governors)
            ):
                return None
        args = self._arguments(match, by_token, main_states)
        _share_first_conjunct(token, args, by_token, match.trigger.event in TWO_PARTY_TYPES)
        actors, recipients = _assign_roles(trigger, args)
        if event_type == "COERCE" and "arrest" in trigger.mode:
            if not actors:
                actors = self._reporting_force(token, by_token)
            recipients = [*recipients, *self._suspects_group(token, by_token, actors, recipients)]
        if self._suspends_a_member(token, event_type, actors, recipients):
            event_type, trigger = (
                "SANCTION",
                replace(trigger, event="SANCTION", mode=("discontinue",)),
            )
        if args.refers_to_attack and not recipients:
            # "X a condamné l'attaque": the attack's author, reported earlier, is the target.
            known = {a.identity for a in actors}
            recipients = [a for a in last_attackers if a.identity not in known]
        identities = {a.identity for a in (*actors, *recipients)}
        needed = 2 if event_type in TWO_PARTY_TYPES else 1
        if event_type == "ACCUSE" and args.refers_to_attack:
            needed = 1  # "a condamné l'attaque": against its author only when one is named
        if trigger.requires_subject and (
            not actors
            or {a.code for a in actors}
            & {*(m.actor.code for m in args.objects), *(code for _, code in args.places)}
        ):
            # "200 soldats ont quitté le Mali pour suivre une formation": troops named by no
            # state, or leaving their own, withdraw from nowhere.
            return None
        if trigger.joint_only:
            if sum(a.is_state for a in _unique([*actors, *recipients])) < 2:
                return None
        elif (
            len(identities) == 1
            and needed == 2
            and (token.pos_ == "VERB" or not self._under_trigger(token, governors))
        ):
            # The parse missed an argument: take the nearest other actor in the sentence
            # (not for a noun that is the topic of another trigger: "a demandé l'aide de X";
            # never the speaker of reported speech).
            speakers = self._speakers(token, by_token)
            nearest = nearest_other(token, by_token, identities | speakers, before=not actors)
            if nearest is not None:
                (recipients if actors else actors).append(nearest.actor)
                identities.add(nearest.actor.identity)
                args.from_syntax = False
        if (
            not identities
            and not trigger.joint_only
            and event_type in COOPERATIVE_TYPES
            and token.pos_ != "VERB"
            # What the sentence says happened, not its topic ("les discussions ont porté sur
            # la formation") or a purpose ("pour un entretien").
            and token.dep_ in PAIRED_NOUN_DEPS
            and not self._under_trigger(token, governors)
        ):
            # "La visite a été marquée par la signature de l'accord": a cooperation named
            # with no party of its own is between the two states of its sentence, if two.
            pair = self._sentence_pair(token, by_token)
            if pair:
                actors, identities = pair, {a.identity for a in pair}
                args.from_syntax = False
        if len(identities) < needed:
            return None
        if not identities:
            return None
        if "visit" in trigger.mode and actors and all("CVL" in a.sector for a in actors):
            return None  # "des citoyens tunisiens se rendant en territoire libyen": no visit
        sentence = token.sent
        start, end = paragraph.offset(sentence.start_char), paragraph.offset(sentence.end_char)
        text = sentence.text
        event_date = _closest_date(text, sentence.start_char, token.idx, published, self.language)
        historical = self._historical(text, event_date, published)
        if event_date is None and not historical:
            event_date = earlier_date(
                paragraph.paragraph.text, sentence.start_char, published, self.language
            )
        return Event(
            doc_path="",
            doc_id="",
            event=event_type,
            actor=actors,
            recipient=recipients,
            event_text=text,
            start=start,
            end=end,
            mode=list(trigger.mode) if event_type == trigger.event else [],
            context=self._event_contexts(text, paragraph_contexts, trigger),
            date=event_date,
            date_source="text" if event_date else None,
            historical=historical,
            event_loc=event_place(
                _location(args, actors, recipients),
                token,
                paragraph,
                by_token,
                [*actors, *recipients],
                historical,
                event_type,
            ),
            size=_size(text, self.language),
            signals=Signals(
                event=event_type,
                from_syntax=args.from_syntax,
                has_actor=bool(actors),
                has_recipient=bool(recipients),
                parties=len(identities),
                noun_trigger=token.pos_ != "VERB",
                planned=event_type != trigger.event,
                nonstate=any(not a.is_state for a in (*actors, *recipients)),
                lede=start < LEDE_CHARS,
            ),
        )

    def _sentence_pair(self, token: Token, by_token: dict[int, list[ActorMention]]) -> list[Actor]:
        """The two states a sentence names, when it names exactly two and no other actor."""
        sentence = token.sent
        # The sentence's tokens, not the paragraph's index: a huge paragraph stays linear.
        found = _unique(
            m.actor
            for index in range(sentence.start, sentence.end)
            for m in by_token.get(index, ())
        )
        if len(found) == 2 and all(a.is_state for a in found):
            return found
        return []

    def _suspends_a_member(
        self, token: Token, event_type: str, actors: Sequence[Actor], recipients: Sequence[Actor]
    ) -> bool:
        """ "L'Union africaine a suspendu le Gabon de ses instances": an organisation
        suspending a state is a SANCTION (spec), where suspending flights or a border is a
        restriction."""
        return (
            event_type == "COERCE"
            and fold(token.lemma_) in self.modality.member_suspension_verbs
            and bool(actors)
            and all(a.code in ORGANISATION_CODES for a in actors)
            and bool(recipients)
            and all(a.is_state for a in recipients)
        )

    def _casualties(
        self,
        verb: Token,
        args: Arguments,
        by_token: dict[int, list[ActorMention]],
        excluded: set[int],
    ) -> None:
        """The victims and places a verb of casualties names for an attack: "ayant coûté la
        vie à 53 soldats nigériens au Niger"."""
        place_cases = Grammar.of(verb).place_cases
        for complement in verb.children:
            if complement.dep_ not in ("obj", "iobj", "obl", "obl:arg", "obl:mod"):
                continue
            found = mentions_in(complement, by_token, excluded)
            place = place_of(complement, found)
            if case_of(complement) in place_cases and place is not None:
                args.places.append(place)
            else:
                args.objects.extend(found)

    def _reporting_force(
        self, token: Token, by_token: dict[int, list[ActorMention]]
    ) -> list[Actor]:
        """ "Quatre assaillants ont été interpellés, indique l'armée ivoirienne": a state's
        security force that reports arrests no one is said to have made made them."""
        clause, _ = reporting_verbs(token)
        for speaker in (*quote_speakers(token), *source_complements(clause)):
            for mention in mentions_in(speaker, by_token, set()):
                if (
                    mention.kind != "reference"  # "the ministry" may be anyone's
                    and mention.actor.is_state
                    and SECURITY_SECTORS & set(mention.actor.sector)
                ):
                    return [mention.actor]
        return []

    def _suspects_group(
        self,
        token: Token,
        by_token: dict[int, list[ActorMention]],
        actors: Sequence[Actor],
        recipients: Sequence[Actor],
    ) -> list[Actor]:
        """The group of the people arrested, when the parse did not reach it: the one armed
        group of the sentence, tied to them by a word of membership ("en lien avec X",
        "membres de X", "partisans de X")."""
        if any(is_armed_group(a) for a in (*actors, *recipients)):
            return []
        sentence = token.sent
        groups = {
            m.actor.identity: m.actor
            for t in sentence
            for m in by_token.get(t.i, ())
            if is_armed_group(m.actor)
        }
        if len(groups) != 1:
            return []
        words = {fold(t.lemma_) for t in sentence} | {fold(t.text) for t in sentence}
        return list(groups.values()) if words & self.modality.membership_cues else []

    def _controller(self, token: Token) -> Token | None:
        """The "à X" of "permettre à X de + trigger", which is the trigger's subject."""
        head = token.head
        if (
            token.pos_ == "VERB"
            and token.dep_ == "acl"
            and head.dep_ in ("obl:arg", "iobj", "obl")
            and case_of(head) in Grammar.of(head).to_cases
            and fold(head.head.lemma_) in self.modality.control_verbs
        ):
            return head  # the parse may hang the infinitive on X: "permis aux autorités d'arrêter"
        if (
            token.pos_ != "VERB"
            or head == token
            or fold(head.lemma_) not in self.modality.control_verbs
        ):
            return None
        for child in head.children:
            if (
                child != token
                and child.dep_ in ("obl:arg", "iobj", "obl")
                and case_of(child) in Grammar.of(child).to_cases
            ):
                return child
        return None

    def _situation_subject(self, token: Token) -> bool:
        """ "les violences qui frappent le Mali": a situation hits, nobody attacks."""
        if token.pos_ != "VERB":
            return False
        for child in token.children:
            if child.dep_ in SUBJECT_DEPS:
                subject = child.head if "Rel" in child.morph.get("PronType") else child
                if token.dep_ == "acl:relcl" and subject == token:
                    subject = token.head  # "qui" stands for the noun the clause is on
                return fold(subject.lemma_) in self.modality.non_agent_subjects
        return False

    def _describes_a_noun(self, token: Token) -> bool:
        """ "un accord de coopération": the trigger only qualifies the noun it hangs from."""
        if token.pos_ == "VERB":
            return False
        if token.dep_ == "conj" and token.head != token and token.head.pos_ != "VERB":
            return self._describes_a_noun(token.head)  # "en matière de formation, d'équipement"
        if any(
            c.dep_ in ("case", "fixed") and c.lemma_.lower() in self.modality.descriptor_heads
            for c in token.children
        ):
            return True  # "en matière de formation", "dans le domaine de la coopération"
        if token.dep_ == "compound":  # "a cooperation agreement"
            return token.head.lemma_.lower() in self.modality.descriptor_heads
        return (
            token.dep_ == "nmod"
            and case_of(token) in Grammar.of(token).describing_cases
            and token.head.lemma_.lower() in self.modality.descriptor_heads
        )

    def _content_of_other_event(self, token: Token, trigger: Trigger) -> bool:
        """ "a menacé de rompre ses relations": the rupture is what is threatened."""
        head, dep = token.head, token.dep_
        if head == token or dep in SUBJECT_DEPS or passive_expectation(head):
            return False  # "X est appelé à former Y": no request, what X is to do
        if (
            dep == "acl"
            and "Inf" in token.morph.get("VerbForm")
            and head.dep_ == "obj"
            and head.head.pos_ == "VERB"
        ):
            head, dep = head.head, "xcomp"  # "a appelé la junte à libérer": object control
        if (
            token.pos_ == "NOUN"
            and dep == "nmod"
            and case_of(token) in Grammar.of(token).of_cases
            and head.pos_ == "NOUN"
            and any(t.event != trigger.event for t in self.lexicon.nouns.get(fold(head.lemma_), []))
        ):
            return True  # "la session de la commission mixte": one meeting, not a cooperation
        if head.pos_ == "VERB":
            candidates = self.lexicon.verbs.get(fold(head.lemma_), [])
        elif head.pos_ == "NOUN":
            candidates = self.lexicon.nouns.get(fold(head.lemma_), [])
        else:
            return False
        candidates = [t for t in candidates if reflexive_ok(head, t)]
        candidates = prefer_required_objects(head, candidates)
        return any(
            t.event != trigger.event and dep in CONTENT_DEPS.get(t.event, ()) for t in candidates
        )

    def _speakers(self, token: Token, by_token: dict[int, list[ActorMention]]) -> set[str]:
        """Who reports the trigger's clause: the subject of a verb of saying the clause is the
        complement of ("X a affirmé que ...") or that hangs from it ("..., a précisé X"), and
        the source after "selon"."""
        clause, reporters = reporting_verbs(token)
        found: set[str] = set()
        for verb in reporters:
            for child in verb.children:
                if child.dep_ in SUBJECT_DEPS:
                    found |= {m.actor.identity for m in mentions_in(child, by_token, set())}
        for source in source_complements(clause):
            found |= {m.actor.identity for m in mentions_in(source, by_token, set())}
        return found

    def _negated(self, token: Token, governors: Sequence[Token]) -> bool:
        for word in (token, *governors[:1]):
            for child in word.children:
                if child.lemma_.lower() in self.modality.negation and child.dep_ in (
                    "advmod",
                    "det",
                    "cc",
                ):
                    return True
        return any(g.lemma_.lower() in self.modality.denial_governors for g in governors)

    def _hypothetical(self, token: Token, governors: Sequence[Token]) -> bool:
        # A verb coordinated with a demand is no content of it: "ont exigé X et fixé un
        # ultimatum" fixes the ultimatum.
        ruling = _before_coordination(token, governors)
        for word in (token, *governors):
            if "Cnd" in word.morph.get("Mood") or any(
                "Cnd" in c.morph.get("Mood")
                or (
                    c.lemma_.lower() in self.modality.hypothetical_auxiliaries
                    and "Past" not in c.morph.get("Tense")  # "pudo llevarse a cabo": it was
                )
                for c in word.children
                if c.dep_.startswith("aux")
            ):
                return True  # "signerait", "could sign"
            if any(
                c.dep_ == "mark" and c.lemma_.lower() in self.modality.conditional_marks
                for c in word.children
            ):
                return True
            if word in ruling and word.lemma_.lower() in self.modality.hypothetical_governors:
                return True
        if any(
            c.dep_ in ("amod", "det") and c.lemma_.lower() in self.modality.hypothetical_governors
            for c in token.children
        ):
            return True  # "une éventuelle intervention", "contre toute incursion"
        # A purpose clause ("pour approfondir la coopération") states an aim, not an event.
        for word in (token, *governors[:2]):
            if word.pos_ == "VERB" and any(
                c.dep_ == "mark" and c.lemma_.lower() in self.modality.purpose_marks
                for c in word.children
            ):
                return True
        return False

    def _expected(self, token: Token, governors: Sequence[Token]) -> bool:
        """Under "devrait/devraient" or a passive "être appelé à": what is to come."""
        for word in (token, *governors):
            for verb in (word, *(c for c in word.children if c.dep_.startswith("aux"))):
                conditional = "Cnd" in verb.morph.get("Mood")
                if (conditional and fold(verb.lemma_) in Grammar.of(verb).expectation_verbs) or (
                    passive_expectation(verb)
                ):
                    return True
        return False

    def _decided(self, token: Token, governors: Sequence[Token]) -> bool:
        """ "a décidé de fermer", "decided to close": a decision taken, not one to come."""
        if token.dep_ != "xcomp" or not governors:
            return False
        decision = governors[0]
        # "va décider de fermer", "will decide": the decision itself is to come.
        return fold(decision.lemma_) in self.modality.decision_verbs and not self._planned(
            decision, governors[1:]
        )

    def _planned(self, token: Token, governors: Sequence[Token]) -> bool:
        if "Fut" in token.morph.get("Tense"):
            return True
        if (
            token.dep_ in SUBJECT_DEPS
            and token.head.lemma_.lower() in self.modality.planned_predicates
        ):
            return True  # "une visite est prévue"
        if any(
            c.dep_ == "amod" and c.lemma_.lower() in self.modality.planned_predicates
            for c in token.children
        ):
            return True  # "la prochaine réunion", "la visite prévue"
        if any("Fut" in c.morph.get("Tense") for c in token.children if c.dep_.startswith("aux")):
            return True
        if any(
            c.dep_.startswith("aux") and c.lemma_.lower() in self.modality.future_auxiliaries
            for word in (token, *governors[:1])
            for c in word.children
        ):
            return True  # "will deploy", "va signer"
        if any(g.lemma_.lower() in self.modality.future_governors for g in governors):
            return True
        # "a réaffirmé l'engagement du Maroc à soutenir", "exprimé leur volonté de coopérer":
        # the infinitive shares its verb with a noun of plan or commitment.
        if (
            bool(governors)
            and token.dep_ == "xcomp"
            and any(
                c.dep_ == "obj" and c.lemma_.lower() in self.modality.future_governors
                for c in governors[0].children
            )
        ):
            return True
        # "a réaffirmé son engagement aux côtés du Burkina pour la formation de ses
        # militaires": a noun trigger in a purpose complement of that verb is what is
        # committed to (not "en visite à Dakar, a signé un accord").
        below, purpose = token, False
        for governor in governors:
            if case_of(below) in self.modality.circumstance_cases or circumstance_head(below):
                return False
            purpose = purpose or case_of(below) in self.modality.purpose_marks
            if governor.pos_ == "VERB":
                return (
                    purpose
                    and token.pos_ != "VERB"
                    and any(
                        c.dep_ == "obj"
                        and c.i not in {t.i for t in below.subtree}
                        and c.lemma_.lower() in self.modality.future_governors
                        for c in governor.children
                    )
                )
            below = governor
        return False

    def _arguments(
        self,
        match: TriggerMatch,
        by_token: dict[int, list[ActorMention]],
        main_states: Sequence[Actor],
    ) -> Arguments:
        token = match.token
        grammar = Grammar.of(token)
        args = Arguments()
        # What a cooperation is directed against is not a partner in it.
        blocking = (
            self.modality.against_cases if match.trigger.event in COOPERATIVE_TYPES else frozenset()
        )
        excluded = set(range(match.span.start, match.span.end))
        # "a condamné l'attaque contre l'ambassade du Maroc": the victim is not the accused.
        nested_blocking = blocking | (
            self.modality.against_cases if match.trigger.event == "ACCUSE" else frozenset()
        )
        subject_holder, args.passive = find_subject_holder(token, self.modality.support_verbs)
        if subject_holder is not None and passive_expectation(subject_holder):
            args.passive = False  # "X est appelé à former Y": X does it
        holder_passive = args.passive
        if (
            subject_holder is not None
            and token.pos_ != "VERB"
            and (
                subject_holder.lemma_.lower() in self.modality.receiving_verbs
                or suffers_through(subject_holder)
                or (
                    match.trigger.event == "AID"
                    and fold(subject_holder.lemma_) in self.modality.undergoing_verbs
                )
            )
        ):
            args.passive = not args.passive  # "X a bénéficié d'une formation": X receives it
        if subject_holder is not None:
            for child in subject_holder.children:
                if child.dep_ in SUBJECT_DEPS:
                    if subject_holder.dep_ == "acl:relcl" and "Rel" in child.morph.get("PronType"):
                        # "le président, qui avait reçu X": the antecedent is the subject
                        child = subject_holder.head
                    args.subject.extend(
                        mentions_in(child, by_token, excluded, grammar.nested_blocking_cases)
                    )
                if is_agent(child, holder_passive):
                    args.agents.extend(
                        mentions_in(child, by_token, excluded, grammar.nested_blocking_cases)
                    )
        controller = self._controller(token)
        if controller is not None:
            # "ont permis aux autorités tunisiennes d'arrêter": they arrest, not the subject
            args.subject = mentions_in(
                controller, by_token, excluded, grammar.nested_blocking_cases
            )
            args.passive = False
        if subject_holder is None and match.trigger.event == "CONSULT" and token.pos_ != "VERB":
            # "a signé un mémorandum lors d'une rencontre avec Meloni": who acts during a
            # meeting takes part in it.
            circumstances = self.modality.circumstance_cases
            adverb = token.head.pos_ == "ADV" and token.head.lower_ in circumstances  # "lors"
            verb = token.head.head if adverb else token.head
            if verb.pos_ == "VERB" and (adverb or case_of(token) in circumstances):
                for child in verb.children:
                    if child.dep_ in SUBJECT_DEPS:
                        args.subject.extend(
                            mentions_in(child, by_token, excluded, grammar.nested_blocking_cases)
                        )
        if subject_holder is not None and not args.subject:
            stands_for = displaced_subject(subject_holder) or reporter_of(subject_holder)
            if stands_for is not None:
                args.subject.extend(
                    mentions_in(stands_for, by_token, excluded, grammar.nested_blocking_cases)
                )
        if (
            subject_holder is not None
            and token.pos_ != "VERB"
            and RELEASE_MODES & set(match.trigger.mode)
            and subject_holder.lemma_.lower() in self.modality.receiving_verbs
        ):
            # "les autorités nigériennes ont obtenu la libération des otages": who obtained
            # a release did not release anyone (spec: the captors, else the hostages' states).
            args.subject, args.passive = [], False
        # A phrase's place may hang from any of its words ("a mis fin à sa présence dans la
        # région de Kidal").
        for word in match.span:
            if word == token:
                continue
            for child in word.children:
                if child.i not in excluded and child.dep_ in ("nmod", "obl", "obl:mod", "obl:arg"):
                    args.places.extend(locative_place(child, by_token, excluded))
        # A phrase's agent may hang from any of its words ("persona non grata par X").
        inner_agents = [
            c
            for word in match.span
            if word != token
            for c in word.children
            if c.dep_ == "obl:agent" and c.i not in excluded
        ]
        for child in (*token.children, *inner_agents):
            if child.i in excluded or child.dep_ in SUBJECT_DEPS:
                continue
            if (
                match.trigger.event == "ASSAULT"
                and token.pos_ != "VERB"
                and child.dep_ in ("acl", "acl:relcl")
                and fold(child.lemma_) in self.modality.casualty_verbs
            ):
                # "l'attaque qui a coûté la vie à 53 soldats nigériens au Niger"
                self._casualties(child, args, by_token, excluded)
                continue
            if (
                token.pos_ != "VERB"
                and child.dep_ == "acl"
                and fold(child.lemma_) in self.modality.targeting_verbs
            ):
                # "une enquête visant des membres du groupe Wagner": whom it targets
                for target in child.children:
                    if target.dep_ == "obj":
                        args.objects.extend(mentions_in(target, by_token, excluded))
                continue
            if (
                token.pos_ != "VERB"
                and child.dep_ == "acl"
                and (
                    child.lemma_.lower() in self.modality.support_verbs
                    or (
                        "Part" in child.morph.get("VerbForm")
                        and fold(child.lemma_) not in self.lexicon.verbs
                    )
                )
            ):
                # "l'attaque revendiquée par l'EIGS", "une formation dispensée par des
                # instructeurs américains": the claimant or giver is the author (not so
                # for "l'attaque condamnée par X", itself an event)
                against = self.modality.against_cases
                for grandchild in child.children:
                    if grandchild.dep_ == "obl:agent":
                        args.agents.extend(mentions_in(grandchild, by_token, excluded, against))
                    # "l'attaque menée par le JNIM contre l'armée" (the parse may hang the
                    # target from the agent: "revendiquée par l'EIGS contre ses soldats")
                    for target in (grandchild, *grandchild.children):
                        if case_of(target) in against:
                            args.objects.extend(
                                mentions_in(target, by_token, excluded)
                                or possessor(target, main_states)
                            )
                continue
            if is_agent(child, holder_passive and subject_holder == token):
                if subject_holder != token:  # else already taken above
                    args.agents.extend(
                        mentions_in(child, by_token, excluded, grammar.nested_blocking_cases)
                    )
                continue
            if (
                child.dep_ in POSSESSIVE_DEPS
                and child.lower_ in Grammar.of(child).possessives
                and not args.subject
                and not PATIENT_POSSESSOR_MODES & set(match.trigger.mode)
            ):
                count = Grammar.of(child).possessives[child.lower_]
                args.subject.extend(pseudo_mentions(main_states[:count], child))
                args.from_syntax = False
                continue
            if child.dep_ == "amod":
                args.subject.extend(mentions_in(child, by_token, excluded))
                continue
            if child.dep_ not in OBJECT_DEPS:
                continue
            case = case_of(child)
            if case in self.modality.circumstance_cases:
                continue
            if case is not None and circumstance_head(child):
                continue  # "en marge du sommet de l'UA", "à l'occasion de la visite de X"
            if token.pos_ == "VERB" and is_topic(child, match.trigger.event, token):
                continue  # "ont discuté de la réforme du Conseil de sécurité"
            if case in blocking:
                continue
            # A place may hang from the object ("a inauguré un consulat à Casablanca"), but
            # not the one helped ("a suspendu son appui au Burkina Faso").
            helped = fold(child.lemma_) in self.modality.beneficiary_heads
            for grandchild in child.children:
                if helped and case_of(grandchild) in grammar.to_cases:
                    continue
                if grandchild.dep_ in ("nmod", "obl") and is_locative(grandchild):
                    nested = mentions_in(grandchild, by_token, excluded)
                    if (place := place_of(grandchild, nested)) is not None:
                        args.places.append(place)
                        excluded |= {t.i for t in grandchild.subtree}
            found = without_nested_places(
                child, mentions_in(child, by_token, excluded, nested_blocking), by_token
            )
            if match.trigger.event == "COOPERATE":
                # "a extradé vers le Maroc un membre de Daech": the group only says who the
                # person handed over is; it is no partner (but "soutien aux combattants du
                # Polisario" supports the group).
                own = by_token.get(child.i, ())
                found = [m for m in found if m.kind != "group" or m in own]
            if (
                fold(child.lemma_) in self.modality.beneficiary_words
                or fold(child.text) in self.modality.beneficiary_words
            ):
                args.objects.extend(found)  # "au profit du Niger", "en faveur de X"
                continue
            if is_companion(child):
                args.companions.extend(found)
                continue
            if child.dep_ == "obj" and not found and self._is_attack(child):
                args.refers_to_attack = True
            # "interpellées à Sfax par les unités de la Garde nationale": the agent of a
            # passive that the parse hung on the place.
            if holder_passive and subject_holder == token and is_locative(child):
                for grandchild in child.children:
                    if grandchild.dep_.startswith("nmod") and case_of(grandchild) in (
                        grammar.agent_cases
                    ):
                        args.agents.extend(
                            mentions_in(
                                grandchild, by_token, excluded, grammar.nested_blocking_cases
                            )
                        )
                        excluded |= {t.i for t in grandchild.subtree}
            # "ont quitté Kidal": a place left, named as the object, is a place too.
            left = child.dep_ == "obj" and not found and match.trigger.place != "none"
            if (is_locative(child) or left) and (place := place_of(child, found)) is not None:
                if (
                    found
                    and match.trigger.place == "none"
                    and match.trigger.event in TWO_PARTY_TYPES
                ):
                    args.objects.extend(found)  # "extrader vers le Maroc": a state reached
                    continue
                args.places.append(place)
                continue
            if token.pos_ != "VERB" and case in grammar.of_cases:
                args.of.extend(found)
                if match.trigger.event not in COOPERATIVE_TYPES:
                    # "les accusations de la Mauritanie contre l'armée malienne": the parse
                    # may hang the target on the author rather than on the noun.
                    for grandchild in child.children:
                        if case_of(grandchild) in self.modality.against_cases:
                            args.objects.extend(mentions_in(grandchild, by_token, excluded))
            else:
                args.objects.extend(found)
        # "a menacé de riposter contre l'Algérie": who the threatened act is against is
        # threatened.
        against = self.modality.against_cases
        if match.trigger.event in THREAT_TYPES and not args.objects:
            for act in token.children:
                if act.dep_ != "xcomp":
                    continue
                for target in act.children:
                    if target.dep_.startswith("obl") and case_of(target) in against:
                        args.objects.extend(mentions_in(target, by_token, excluded))
        # "l'attaque a été revendiquée par le JNIM", "l'accord a été signé par X": the agent
        # of a support verb whose passive subject the noun trigger is did it.
        if (
            token.pos_ != "VERB"
            and token.dep_ == "nsubj:pass"
            and token.head.lemma_.lower() in self.modality.support_verbs
        ):
            for sibling in token.head.children:
                if is_agent(sibling, True):
                    args.agents.extend(
                        mentions_in(sibling, by_token, excluded, grammar.nested_blocking_cases)
                    )
        # "un engin explosif a touché un convoi de la MINUSMA": an attack noun that is the
        # subject of a verb of casualties hits that verb's object.
        if (
            match.trigger.event == "ASSAULT"
            and token.pos_ != "VERB"
            and token.dep_ == "nsubj"
            and fold(token.head.lemma_) in self.modality.casualty_verbs
        ):
            self._casualties(token.head, args, by_token, excluded)
        # "a déclaré l'ambassadeur persona non grata": a predicative noun trigger bears on
        # its verb's object.
        if token.pos_ != "VERB" and token.dep_ == "xcomp" and token.head == subject_holder:
            for sibling in token.head.children:
                if sibling.dep_ == "obj":
                    args.objects.extend(mentions_in(sibling, by_token, excluded))
        # "un convoi a été visé par un engin explosif": a noun trigger that is the agent
        # of a passive verb acts on that verb's subject.
        if (
            token.pos_ != "VERB"
            and token.head.pos_ == "VERB"
            and is_agent(token, any(c.dep_ == "aux:pass" for c in token.head.children))
        ):
            for sibling in token.head.children:
                if sibling.dep_ == "nsubj:pass":
                    args.objects.extend(
                        mentions_in(sibling, by_token, excluded, grammar.nested_blocking_cases)
                    )
        # Partners named at clause level go with a noun trigger
        # ("lors de sa présidence, aux côtés de X").
        for sibling in clause_companions(token):
            args.companions.extend(mentions_in(sibling, by_token, excluded))
        # A noun trigger that is the object of a verb inherits the verb's places
        # ("a effectué une visite à Y").
        if (
            token.pos_ != "VERB"
            and token.dep_ in ("obj", "nsubj:pass")
            and token.head.pos_ == "VERB"
        ):
            for child in token.head.children:
                if child.dep_.startswith("obl"):
                    args.places.extend(locative_place(child, by_token, excluded))
        if match.trigger.event == "RETREAT" and match.trigger.place == "recipient":
            args.places.extend(_places_left(token, by_token, excluded))
        if RESTRICT_MODES & set(match.trigger.mode) or match.trigger.event in LIFTING_TYPES:
            args.objects.extend(self._restricted_traffic(token, by_token, excluded))
        args.subject = self._members_listed(args.subject, by_token, token)
        args.objects = self._members_listed(args.objects, by_token, token)
        return args

    def _restricted_traffic(
        self, token: Token, by_token: dict[int, list[ActorMention]], excluded: set[int]
    ) -> list[ActorMention]:
        """A closure "aux avions en provenance ou à destination du Mali" or "aux avions maliens"
        targets Mali, wherever the parse hangs that complement: on the trigger, on what it
        closes, or on the verb that governs it ("a décidé de fermer son espace aérien ..., en
        provenance du Mali")."""
        found: list[ActorMention] = []
        closed = [c for c in token.children if c.dep_ == "obj"]  # "son espace aérien aux avions"
        to_cases = Grammar.of(token).to_cases
        for holder in (token, *governors_of(token)[:1], *closed):
            for child in holder.children:
                # "a los aviones malienses" may be parsed as an object
                to_object = child.dep_ in ("obj", "iobj") and case_of(child) in to_cases
                if not child.dep_.startswith(("obl", "nmod")) and not to_object:
                    continue
                if fold(child.lemma_) in self.modality.traffic_words:
                    found.extend(mentions_in(child, by_token, excluded))
                elif fold(child.lemma_) in self.modality.vehicle_words and (
                    code := nationality_of(child)
                ):
                    # "aux avions maliens", "to Malian aircraft": the vehicles' state
                    state = Actor(code, ("GOV",), _country_name(code), child.text)
                    found.extend(pseudo_mentions([state], child))
        return found

    def _members_listed(
        self, mentions: list[ActorMention], by_token: dict[int, list[ActorMention]], anchor: Token
    ) -> list[ActorMention]:
        """ "les ministres de l'AES, regroupant le Burkina Faso, le Mali et le Niger": the
        member states an organisation is said to group take part in its stead (``anchor``:
        the trigger, whose sentence holds the clause)."""
        if not any(_is_organisation(m) for m in mentions):
            return mentions
        doc, sentence = anchor.doc, anchor.sent  # its sentence only: linear in long paragraphs
        tokens_of: dict[int, list[int]] = {}
        for index in range(sentence.start, sentence.end):
            for mention in by_token.get(index, ()):
                tokens_of.setdefault(id(mention), []).append(index)
        members: dict[str, list[ActorMention]] = {}  # organisation identity -> its states
        for mention in mentions:
            if not _is_organisation(mention):
                continue
            # The clause may hang from the noun the name qualifies ("les ministres de
            # l'AES, regroupant...").
            holders = {
                word.i
                for index in tokens_of.get(id(mention), ())
                for word in (doc[index], *_nominal_heads(doc[index]))
            }
            listed = [
                m
                for index in holders
                for clause in doc[index].children
                if clause.dep_.startswith("acl")
                and fold(clause.lemma_) in self.modality.grouping_verbs
                for m in mentions_in(clause, by_token, set())
                if m.actor.is_state
            ]
            if len({m.actor.identity for m in listed}) >= 2:
                members.setdefault(mention.actor.identity, []).extend(listed)
        if not members:
            return mentions
        result: list[ActorMention] = []
        for mention in mentions:
            result.extend(members.get(mention.actor.identity, [mention]))
        return result

    def _under_trigger(self, token: Token, governors: Sequence[Token]) -> bool:
        """Whether a noun trigger is the topic of another trigger ("a demandé l'aide de X",
        "une aide a été demandée")."""
        lexicon = self.lexicon
        heads = [*governors, token.head] if token.dep_ in SUBJECT_DEPS else governors
        if case_of(token) in self.modality.circumstance_cases or any(
            g.pos_ in ("ADV", "ADP") and g.lower_ in self.modality.circumstance_cases
            for g in governors
        ):
            return True  # "lors d'une réunion de la CEDEAO": the setting of another event
        return any(
            fold(g.lemma_) in (lexicon.verbs if g.pos_ == "VERB" else lexicon.nouns) for g in heads
        )

    def _is_attack(self, token: Token) -> bool:
        triggers = self.lexicon.nouns.get(fold(token.lemma_), [])
        return any(t.event == "ASSAULT" for t in triggers)

    def _event_contexts(
        self, text: str, paragraph_contexts: set[str], trigger: Trigger
    ) -> list[str]:
        found = self._contexts_in(text) | paragraph_contexts | set(trigger.contexts)
        return sorted(found)

    def _document_contexts(self, parsed: Sequence[ParsedParagraph]) -> set[str]:
        """Contexts the whole article is about: cued in at least half of its paragraphs."""
        counts = Counter(c for p in parsed for c in self._contexts_in(p.paragraph.text))
        needed = max(2, (len(parsed) + 1) // 2)
        return {context for context, count in counts.items() if count >= needed}

    def _contexts_in(self, text: str) -> set[str]:
        folded = fold(text)
        return {
            ctx
            for ctx, cues in self.contexts.items()
            if any(_has_word_start(folded, cue) for cue in cues)
        }

    def _historical(
        self, text: str, event_date: ResolvedDate | None, published: date | None
    ) -> bool:
        if event_date is not None and published is not None:
            return event_date.value.year < published.year - HISTORICAL_YEARS
        folded = fold(text)
        return (
            any(cue in folded for cue in self.modality.historical_cues) and event_date is not None
        )


# -- helpers ------------------------------------------------------------------------


def _places_left(
    token: Token, by_token: dict[int, list[ActorMention]], excluded: set[int]
) -> list[tuple[Span, str | None]]:
    """Where a withdrawal leaves: "se sont retirés de Ménaka", "ont quitté la base de Gao",
    "leave their bases in Gao" (a town, placed in its country by the gazetteer)."""
    grammar = Grammar.of(token)
    complements = [
        c for c in token.children if c.dep_.startswith("obl") and case_of(c) in grammar.origin_cases
    ]
    # In the object, two levels down at most ("les bases de l'opération Barkhane à Gao").
    nested = [c for c in token.children if c.dep_ == "obj"]
    for _ in range(2):
        nested = [g for c in nested for g in c.children if g.dep_ == "nmod"]
        complements += [
            c for c in nested if case_of(c) in grammar.origin_cases | grammar.place_cases
        ]
    places = []
    for complement in complements:
        if complement.i in excluded:
            continue
        place = place_of(complement, mentions_in(complement, by_token, excluded))
        if place is not None:
            places.append(place)
    return places


def _is_organisation(mention: ActorMention) -> bool:
    return mention.actor.code in ORGANISATION_CODES or mention.kind == "organisation"


def _nominal_heads(token: Token, depth: int = 3) -> list[Token]:
    """The nouns a name is the complement or apposition of ("les ministres de l'AES")."""
    heads = []
    while token.dep_ in ("nmod", "appos", "flat:name") and token.head != token and depth:
        token, depth = token.head, depth - 1
        heads.append(token)
    return heads


def folded_doc(tokens: Doc | Span) -> Doc:
    """The words of ``tokens`` folded like the lexicon's phrase keys ("frappes aériennes" is
    matched by the key "frappes aeriennes"), token for token, for the phrase matchers."""
    return Doc(tokens.doc.vocab, words=[fold(token.text) for token in tokens])


def _joint_cooperation(event: Event) -> Event | None:
    """States acting together ("la police marocaine et la police espagnole ont interpellé")
    also cooperate: PLOVER codes the joint action and a COOPERATE between them."""
    if event.event not in JOINT_ACTION_TYPES or SEPARATE_ACTION_MODES & set(event.mode):
        return None
    states = [a for a in event.actor if a.is_state]
    if len({a.identity for a in states}) < 2:
        return None
    return replace(
        event,
        event="COOPERATE",
        actor=states,
        recipient=[],
        mode=[],
        signals=derived_signals(event, "COOPERATE"),
    )


def _before_coordination(token: Token, governors: Sequence[Token]) -> list[Token]:
    """The governors of ``token`` up to the first one reached through a coordination."""
    ruling: list[Token] = []
    below = token
    for governor in governors:
        if below.dep_ == "conj":
            break
        ruling.append(governor)
        below = governor
    return ruling


def _share_first_conjunct(
    token: Token, args: Arguments, by_token: dict[int, list[ActorMention]], two_party: bool
) -> None:
    """ "X a reçu Y et lui a exprimé son soutien": a verb coordinated with a first one and
    without a subject of its own shares that verb's subject, and its clitic pronoun ("lui",
    "l'", "leur") stands for the first verb's object. A two-party event with no other party
    of its own bears on the first verb's object too ("ont exigé la libération du président
    nigérien et fixé un ultimatum")."""
    verb = token if token.pos_ == "VERB" else token.head
    if token.pos_ != "VERB" and token.dep_ != "obj":
        return
    if verb.pos_ != "VERB" or verb.dep_ != "conj" or verb.head.pos_ != "VERB":
        return
    first = verb.head
    clitics = [
        c
        for c in verb.children
        if c.pos_ == "PRON" and c.lower_ in Grammar.of(c).clitic_objects and c.i < verb.i
    ]
    own_subject = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and c not in clitics]
    if not own_subject and (not args.subject or not args.from_syntax):
        subject = [
            m
            for c in first.children
            if c.dep_ in SUBJECT_DEPS
            for m in mentions_in(c, by_token, set(), Grammar.of(c).subject_blocking_cases)
        ]
        if subject:
            args.subject = subject
            args.passive = any(c.dep_ == "aux:pass" for c in first.children)
    if (clitics or (two_party and not own_subject)) and not args.objects and not args.of:
        args.objects.extend(
            m
            for c in first.children
            if c.dep_ in ("obj", "iobj")
            for m in mentions_in(c, by_token, set())
        )


def _assign_roles(trigger: Trigger, args: Arguments) -> tuple[list[Actor], list[Actor]]:
    sides: dict[str, list[ActorMention]] = {"actor": [], "recipient": [], "none": []}
    subject_role = trigger.subject
    object_role = trigger.object
    if args.passive:
        subject_role, object_role = object_role, subject_role
    sides[subject_role].extend(args.subject)
    sides[trigger.subject].extend(args.agents)
    sides[object_role].extend(args.objects)
    sides[trigger.of].extend(args.of)
    sides[trigger.with_].extend(args.companions)
    # An armed group pulling out of a town of its own land leaves no state ("la CMA s'est
    # retirée d'Anéfis"); foreign troops, mercenaries and missions leave a country (spec).
    home_groups = (
        {m.actor.code for m in sides["actor"] if is_armed_group(m.actor)}
        if "withdraw" in trigger.mode
        else set()
    )
    # A party named on the other side too does not count here: "quitteront les bases à Gao,
    # a annoncé Emmanuel Macron" (the inverted subject parsed as an object).
    other_side = "recipient" if trigger.place == "actor" else "actor"
    other_ids = {m.actor.identity for m in sides.get(other_side, ())}
    if trigger.place in ("actor", "recipient") and not [
        m for m in sides[trigger.place] if m.actor.identity not in other_ids
    ]:
        # Only where no one is named: "des soldats maliens tués au Niger" targets Mali.
        for span, code in args.places:
            if code and code not in home_groups:
                place_actor = Actor(code, ("GOV",), _country_name(code), span.text)
                sides[trigger.place].append(ActorMention(place_actor, 0, 0, "country"))
    actors = _unique(m.actor for m in sides["actor"])
    actor_ids = {a.identity for a in actors}
    recipients = [
        a for a in _unique(m.actor for m in sides["recipient"]) if a.identity not in actor_ids
    ]
    if not actors and len(recipients) >= 2 and trigger.reciprocal:
        actors, recipients = recipients, []
    if not actors and recipients and trigger.event in TERRITORIAL_TYPES:
        # "un membre du JNIM a été arrêté au Sénégal": with no one named, the state where
        # the arrest or seizure happened carried it out.
        recipient_ids = {a.identity for a in recipients}
        for span, code in args.places:
            if code and code not in recipient_ids:
                actors = [Actor(code, ("GOV",), _country_name(code), span.text)]
                break
    return actors, recipients


def _speakers_own_parties(
    paragraph: ParsedParagraph, by_token: dict[int, list[ActorMention]]
) -> list[ActorMention]:
    """ "Nos agents", "our soldiers", "nous" in a quote stand for the quoted speaker's state:
    one mention of it on each such noun that names no one itself, and on the pronoun."""
    grammar = Grammar.load(paragraph.doc.lang_)
    base = paragraph.paragraph.start
    found: list[ActorMention] = []
    for token in paragraph.doc:
        noun = token.head
        if token.lower_ in grammar.own_pronouns and token.dep_ in SUBJECT_DEPS:
            noun = token  # "« Nous retirerons nos troupes », a annoncé le président"
        elif (
            token.lower_ not in grammar.own_possessives
            or token.dep_ not in POSSESSIVE_DEPS
            or fold(noun.text) not in grammar.own_party_nouns
            or noun.i in by_token
        ):
            continue
        states: dict[str, Actor] = {}
        for speaker in quote_speakers(noun):
            states = {
                m.actor.code: m.actor
                for m in mentions_in(speaker, by_token, set())
                if m.actor.is_state
            }
            if states:
                break
        if len(states) != 1:
            continue
        (state,) = states.values()
        span = paragraph.doc[min(token.i, noun.i) : max(token.i, noun.i) + 1]
        actor = Actor(state.code, ("GOV",), _country_name(state.code), span.text)
        found.append(ActorMention(actor, base + span.start_char, base + span.end_char, "reference"))
    return found


def _chairs_act_for_their_organisation(
    paragraph: ParsedParagraph, mentions: list[ActorMention]
) -> list[ActorMention]:
    """ "Le président nigérian Bola Tinubu, à la tête de la Cédéao", "Macky Sall, président
    en exercice de l'UA": who chairs an organisation acts for it. The person's own state is
    dropped from that noun phrase and the organisation stands for the person."""
    words = Grammar.load(paragraph.doc.lang_).chair_words
    doc, base = paragraph.doc, paragraph.paragraph.start
    if not any(fold(token.lemma_) in words for token in doc):
        return mentions  # most paragraphs
    spans = [
        (m, doc.char_span(m.start - base, m.end - base, alignment_mode="expand")) for m in mentions
    ]
    dropped: set[int] = set()
    added: list[ActorMention] = []
    for token in doc:
        if fold(token.lemma_) not in words or token.pos_ != "NOUN":
            continue
        chaired = {t.i for t in token.subtree}
        organisations = [
            m
            for m, span in spans
            if span is not None
            and span.root.i in chaired
            and not m.actor.is_state
            and not is_armed_group(m.actor)
        ]
        if not organisations:
            continue
        phrase = token
        while phrase.dep_.split(":")[0] in ("nmod", "appos", "flat") and phrase.head.pos_ in (
            "NOUN",
            "PROPN",
        ):
            phrase = phrase.head
        if phrase == token:
            continue
        person = {t.i for t in phrase.subtree} - chaired
        states = [
            i
            for i, (m, span) in enumerate(spans)
            if span is not None and span.root.i in person and m.actor.is_state
        ]
        if not states:
            continue  # the phrase names no one of a state: nothing stands for the chair
        dropped.update(states)
        organisation = organisations[0].actor
        start, end = base + phrase.idx, base + phrase.idx + len(phrase.text)
        added.append(
            ActorMention(replace(organisation, entity_text=phrase.text), start, end, "reference")
        )
    if not added:
        return mentions
    return [m for i, m in enumerate(mentions) if i not in dropped] + added


def _respective_parties(
    paragraph: ParsedParagraph,
    by_token: dict[int, list[ActorMention]],
    main_states: Sequence[Actor],
) -> list[ActorMention]:
    """ "Les ambassadeurs respectifs": a noun that names no one itself, made the two main
    states' own by "respectifs", stands for both (as "leurs" does on a trigger)."""
    if len(main_states) < 2:
        return []
    words = Grammar.load(paragraph.doc.lang_).respective_words
    base = paragraph.paragraph.start
    found: list[ActorMention] = []
    for token in paragraph.doc:
        noun = token.head
        if token.dep_ != "amod" or fold(token.text) not in words or noun.i in by_token:
            continue
        start, end = base + noun.idx, base + noun.idx + len(noun.text)
        found.extend(
            ActorMention(replace(state, entity_text=noun.text), start, end, "reference")
            for state in main_states[:2]
        )
    return found


def _unique(actors: Iterable[Actor]) -> list[Actor]:
    seen: dict[str, Actor] = {}
    for actor in actors:
        # Prefer the most specific mention of an identity (an organ or person over a bare country).
        current = seen.get(actor.identity)
        if current is None or (current.sector == ("GOV",) and actor.sector not in ((), ("GOV",))):
            seen[actor.identity] = actor
    return list(seen.values())


@lru_cache(maxsize=512)
def _country_name(code: str) -> str:
    from veille.actors import ActorLexicon

    return ActorLexicon.load().country_names.get(code, code)


def _by_paragraph(
    parsed: Sequence[ParsedParagraph], mentions: Sequence[ActorMention]
) -> list[list[ActorMention]]:
    """The mentions starting in each paragraph, in their order (each placed by bisection:
    linear in the number of paragraphs, not paragraphs times mentions)."""
    starts = [p.paragraph.start for p in parsed]
    local: list[list[ActorMention]] = [[] for _ in parsed]
    for mention in mentions:
        index = bisect_right(starts, mention.start) - 1
        if index >= 0 and mention.start < parsed[index].paragraph.end:
            local[index].append(mention)
    return local


def _main_states(mentions: Sequence[ActorMention]) -> list[Actor]:
    counts = Counter(m.actor.code for m in mentions if m.actor.is_state)
    first: dict[str, Actor] = {}
    for mention in mentions:
        if mention.actor.is_state:
            first.setdefault(
                mention.actor.code, replace(mention.actor, sector=("GOV",), office=None)
            )
    return [first[code] for code, _ in counts.most_common()]


def _closest_date(
    text: str, sentence_start: int, trigger_char: int, published: date | None, language: str
) -> ResolvedDate | None:
    from veille.dates import find_dates

    found = find_dates(text, published, language=language)
    if not found:
        return None
    position = trigger_char - sentence_start
    return min(found, key=lambda d: abs(d.start - position)).date


def _size(text: str, language: str) -> dict[str, int] | None:
    from veille.quantities import size_of

    return size_of(text, language=language)


def _location(
    args: Arguments, actors: Sequence[Actor], recipients: Sequence[Actor]
) -> EventLocation | None:
    from veille.places import get_gazetteer

    gazetteer = get_gazetteer()
    countries = [a.code for a in (*actors, *recipients) if a.is_state]
    for span, _code in args.places:
        name = _strip_article(span.text, Grammar.of(span.root))
        location = gazetteer.lookup(name, countries)
        if location is not None:
            return location
    return None


def _strip_article(text: str, grammar: Grammar) -> str:
    """A place name without its preposition and article ("au Mali", "la région de Gao")."""
    for words in (grammar.place_cases, grammar.articles):
        lower = text.lower().replace("’", "'")
        for word in sorted(words, key=len, reverse=True):
            prefix = word.replace("’", "'") + ("" if word.endswith(("'", "’")) else " ")
            if lower.startswith(prefix):
                text = text[len(prefix) :]
                break
    return text


def _better_evidence(event: Event, other: Event) -> bool:
    """Of two tellings of one event, the one whose parties the parse gave, else the first."""

    def from_syntax(e: Event) -> bool:
        return (e.signals or Signals(e.event)).from_syntax

    return from_syntax(event) and not from_syntax(other)


def _scored(event: Event, tellings: Counter[tuple[str, frozenset[str]]]) -> Event:
    """The event with its final signals (how often the article tells it) and confidence."""
    signals = replace(
        event.signals or Signals(event.event),
        event=event.event,
        repeats=tellings.get((event.event, event.participants), 1),  # derived: told once
    )
    return replace(event, signals=signals, confidence=confidence(signals))


def _has_word_start(folded_text: str, cue: str) -> bool:
    index = folded_text.find(cue)
    while index != -1:
        if index == 0 or not folded_text[index - 1].isalnum():
            return True
        index = folded_text.find(cue, index + 1)
    return False
