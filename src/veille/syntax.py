"""Reading a dependency parse: the generic helpers the event coder uses to find a trigger's
governors, subject and complements, and the actor mentions inside them.

Nothing here names a language: the function words come from the sentence's own language
(``Grammar.of(token)``, ``veille/lang/<code>/grammar.yaml``), relations are Universal
Dependencies labels.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from veille.lexicon import fold
from veille.lexicons import Grammar, Trigger, modality_of
from veille.model import Actor, ActorMention, ParsedParagraph

#: Relations of a noun that is an argument or a modifier noun (their first part).
ARGUMENT_DEPS = frozenset({"nsubj", "obj", "iobj", "obl", "nmod", "appos", "conj", "ROOT"})
#: Clauses inside an argument that are predicates of their own ("un suspect recherché pour ...").
EMBEDDED_CLAUSES = frozenset({"acl", "acl:relcl", "advcl", "conj", "ccomp", "parataxis"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass"})
#: How a possessive hangs from its noun: a determiner ("son", "su") or "its", "their".
POSSESSIVE_DEPS = frozenset({"det", "nmod:poss"})
#: Dependencies through which a trigger inherits its governor's subject.
CLIMB_DEPS = frozenset(
    {"xcomp", "conj", "advcl", "acl", "ccomp", "obj", "obl", "obl:arg", "obl:mod", "nmod"}
)
MAX_CLIMB = 3


def tokens_inside(paragraph: ParsedParagraph, mentions: Iterable[ActorMention]) -> set[int]:
    base = paragraph.paragraph.start
    inside: set[int] = set()
    for mention in mentions:
        if mention.kind not in ("organisation", "group", "organ"):
            continue
        span = paragraph.doc.char_span(
            mention.start - base, mention.end - base, alignment_mode="expand"
        )
        if span is not None and len(span) > 1:
            inside.update(range(span.start, span.end))
    return inside


def reflexive_ok(token: Token, trigger: Trigger) -> bool:
    reflexives = Grammar.of(token).reflexive_pronouns
    has_se = any(
        c.lemma_.lower() in reflexives and c.dep_.startswith("expl") for c in token.children
    ) or any(c.lower_ in reflexives for c in token.children)
    return has_se if trigger.reflexive else True


def prefer_required_objects(token: Token, candidates: list[Trigger]) -> list[Trigger]:
    """Keep triggers whose required object is present; drop those whose object is missing."""
    if not candidates:
        return candidates  # most tokens: nothing to look at
    # A passive subject is the object ("un convoi a été visé", "des suspects ont été remis").
    complements = [c for c in token.children if c.dep_ != "nsubj"]
    complements += clause_companions(token)
    if token.dep_ == "acl" and "Part" in token.morph.get("VerbForm"):
        complements.append(token.head)  # "les renseignements fournis par X": what is given
    if token.dep_ == "xcomp" and any(c.dep_ == "aux:pass" for c in token.children):
        # "six vedettes devraient être remises": the subject of the governing verb
        complements += [c for c in token.head.children if c.dep_ in SUBJECT_DEPS]
    # The complement heads and their own dependents: "rappeler son ambassadeur", "remettre un
    # lot de drones", but not a noun deep inside ("un rapport sur les flux d'armes").
    objects = _object_words(complements)
    direct_objects = (
        _object_words([c for c in complements if c.dep_ not in INDIRECT_DEPS or c == token.head])
        if token.pos_ in ("VERB", "AUX")
        else objects  # "le rappel de l'ambassadeur": a noun's complement is its object
    )
    # What excludes a trigger is its direct object or complement clause, not a circumstance
    # ("interpellé six personnes lors d'une opération" is still an arrest).
    direct = [c for c in token.children if c.dep_ in ("obj", "nsubj:pass", "nmod", "ccomp")]
    direct_words = [w for child in direct for w in (child, *child.children)]
    excluding = {fold(w.lemma_) for w in direct_words} | {fold(w.text) for w in direct_words}
    candidates = [t for t in candidates if not t.excludes_object & excluding]
    subjects = {
        form
        for c in token.children
        if c.dep_ in SUBJECT_DEPS
        for form in (fold(c.lemma_), fold(c.text))
    }
    candidates = [
        t
        for t in candidates
        if not t.excludes_subject & subjects
        and (not t.requires_subject or t.requires_subject & subjects)
    ]
    satisfied = [
        t
        for t in candidates
        if t.requires_object & (direct_objects if t.direct_object else objects)
    ]
    if satisfied:
        return satisfied
    return [t for t in candidates if not t.requires_object]


#: Complements that are not a verb's direct object (for ``Trigger.direct_object``).
INDIRECT_DEPS = frozenset({"iobj", "obl", "obl:arg", "obl:mod", "nmod"})


def _object_words(complements: Sequence[Token]) -> set[str]:
    """The folded words and lemmas of complement heads and their dependents, and the heads
    with the words right after or before them, for required objects of several words
    ("espace aérien", "air space")."""
    words = [w for child in complements for w in (child, *child.children)]
    found = {fold(w.lemma_) for w in words} | {fold(w.text) for w in words}
    found |= {
        fold(child.doc[max(0, start) : start + size].text)
        for child in complements
        for size in (2, 3)
        for start in (child.i, child.i - size + 1)
    }
    return found


def governors_of(token: Token) -> list[Token]:
    """The chain of heads a trigger is embedded under (xcomp, acl, ccomp, objects...)."""
    chain = []
    current = token
    for _ in range(MAX_CLIMB):
        if current.dep_ not in CLIMB_DEPS or current.head == current:
            break
        current = current.head
        chain.append(current)
    return chain


def find_subject_holder(token: Token, support_verbs: frozenset[str]) -> tuple[Token | None, bool]:
    """The verb whose subject is the trigger's subject, and whether it is passive.

    A verb trigger climbs through xcomp/conj/advcl chains ("ont décidé de renforcer");
    a noun trigger reaches a verb only if it is a support verb ("ont effectué une visite").
    """
    current = token
    for _ in range(MAX_CLIMB + 1):
        if (
            any(c.dep_ in SUBJECT_DEPS for c in current.children)
            or displaced_subject(current) is not None
        ):
            # "s'est impliqué" is reflexive, not passive: only a bare "être + participle" is.
            passive = any(c.dep_ == "aux:pass" for c in current.children) and not any(
                c.dep_.startswith("expl") for c in current.children
            )
            return current, passive
        if current.dep_ not in CLIMB_DEPS or current.head == current:
            break
        if token.pos_ != "VERB" and current == token and token.dep_ in ("nsubj", "nsubj:pass"):
            break  # a noun trigger that is itself a subject has no subject of its own
        if token.pos_ != "VERB" and case_of(current) in modality_of(current).circumstance_cases:
            break  # "a présenté ses condoléances après l'attaque": not the attack's author
        if (
            token.pos_ != "VERB"
            and current.pos_ != "VERB"
            and current.head.pos_ == "VERB"
            and current.head.lemma_.lower() not in support_verbs
            and not suffers_through(current.head)
            and not (current == token and token.dep_ == "xcomp")  # "déclaré persona non grata"
        ):
            break
        current = current.head
    return None, False


def suffers_through(head: Token) -> bool:
    """Whether ``head``'s subject suffers the noun trigger under it: "ont été victimes d'une
    embuscade" (parsed with a verb "victimer"), "la cible d'une attaque", "a fait l'objet
    d'une attaque" (the word is the verb's object)."""
    words = modality_of(head).suffering_words
    if fold(head.lemma_) in words or fold(head.lower_) in words:
        return True
    return head.pos_ in ("VERB", "AUX") and any(
        c.dep_ == "obj" and fold(c.lemma_) in words for c in head.children
    )


def passive_expectation(verb: Token) -> bool:
    """ "est appelé à": the passive of a verb of expectation."""
    return fold(verb.lemma_) in Grammar.of(verb).expectation_verbs and any(
        c.dep_ == "aux:pass" for c in verb.children
    )


def reporter_of(verb: Token) -> Token | None:
    """The subject a reported clause's pronoun stands for: "Morocco said it had arrested
    three suspects", "Le Maroc a annoncé qu'il avait arrêté": "it", "il" is Morocco."""
    if verb.dep_ != "ccomp" or verb.head.pos_ != "VERB":
        return None
    if any(c.dep_ in ("obj", "iobj") for c in verb.head.children):
        return None  # "warned Mali that it would face sanctions": it may be either
    pronouns = Grammar.of(verb).subject_pronouns
    if not any(c.dep_ in SUBJECT_DEPS and c.lower_ in pronouns for c in verb.children):
        return None
    return next(
        (
            c
            for c in verb.head.children
            if c.dep_ in SUBJECT_DEPS and c.lower_ not in pronouns and c.pos_ != "PRON"
        ),
        None,
    )


def clause_verb(token: Token) -> Token:
    """The verb of the clause ``token`` is in (the token itself for a verb; the root when
    no verb governs it)."""
    clause = token
    while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
        clause = clause.head
    return clause


def source_complements(clause: Token) -> list[Token]:
    """The complements of ``clause`` that name the source of a statement ("selon X")."""
    return [
        c
        for c in clause.children
        if c.dep_.startswith("obl") and case_of(c) in Grammar.of(c).source_cases
    ]


def reporting_verbs(token: Token) -> tuple[Token, list[Token]]:
    """The clause ``token`` is in, and the verbs of saying that report it: the verb the
    clause is the complement of ("X a affirmé que ...") and those hanging from it ("...,
    a précisé X")."""
    clause = clause_verb(token)
    reporting = modality_of(token).reporting_verbs
    verbs = [
        c
        for c in clause.children
        if c.lemma_.lower() in reporting
        and (c.dep_ in ("parataxis", "ccomp", "advcl") or _inserted_as_conjunct(c))
    ]
    if clause.dep_ in ("ccomp", "parataxis", "advcl") and clause.head.lemma_.lower() in reporting:
        verbs.append(clause.head)
    return clause, verbs


def _inserted_as_conjunct(verb: Token) -> bool:
    """ "Trois suspects ont été arrêtés, a annoncé la police": an inserted verb of saying
    that the parse coordinated with the clause it reports (no conjunction, no complement)."""
    children = list(verb.children)
    return (
        verb.dep_ == "conj"
        and verb.i > verb.head.i
        and any(c.dep_ == "punct" and c.text == "," and c.i < verb.i for c in children)
        and not any(c.dep_ in ("cc", "ccomp", "xcomp") for c in children)
        # its subject after it, which the parse may call an object
        and any(c.dep_ in (*SUBJECT_DEPS, "obj") and c.i > verb.i for c in children)
        and not any(c.dep_ in SUBJECT_DEPS and c.i < verb.i for c in children)
    )


def quote_speakers(token: Token) -> list[Token]:
    """Who may speak the clause ``token`` is in, when a verb of saying reports it, best first:
    its subject, else the nouns after it (an inverted subject the parse may hang anywhere:
    "« Nos soldats ont été attaqués », a déclaré mardi le ministre")."""
    clause, verbs = reporting_verbs(token)
    for verb in verbs:
        # The quote is inside the reporting verb's subtree only when it is its complement.
        quoted = {t.i for t in clause.subtree} if verb == clause.head else set()
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.pos_ != "PRON"]
        if not subjects and verb.dep_ == "acl:relcl":
            # "indique l'armée, qui précise que ...": the relative pronoun's antecedent
            subjects = [
                verb.head
                for c in verb.children
                if c.dep_ in SUBJECT_DEPS and "Rel" in c.morph.get("PronType")
            ]
        if subjects:
            return subjects
        after = [
            t
            for t in verb.subtree
            if t.i > verb.i and t.i not in quoted and t.pos_ in ("NOUN", "PROPN")
        ]
        if after:
            return after
    return []


def displaced_subject(verb: Token) -> Token | None:
    """The subject the parse hung on a participle before a subjectless verb ("Le JNIM,
    affilié à Al-Qaïda, a revendiqué l'attaque": "JNIM" is the subject of "affilié")."""
    if verb.pos_ != "VERB" or any(c.dep_ in SUBJECT_DEPS for c in verb.children):
        return None
    for clause in verb.children:
        if (
            clause.dep_ == "advcl"
            and clause.i < verb.i
            and "Part" in clause.morph.get("VerbForm")
            and not any(c.dep_.startswith("aux") for c in clause.children)
        ):
            for child in clause.children:
                if child.dep_ in SUBJECT_DEPS:
                    return child
    return None


def clause_companions(token: Token) -> list[Token]:
    """Partners ("avec X", "aux côtés de X", "entre X et Y") attached to the verb of a noun
    trigger's clause."""
    if token.pos_ == "VERB":
        return []
    verb = token.head
    for _ in range(2):
        if verb.pos_ == "VERB" or verb.head == verb:
            break
        verb = verb.head
    if verb.pos_ != "VERB":
        return []
    path = {token.i, *(a.i for a in token.ancestors)}
    return [c for c in verb.children if c.i not in path and is_companion(c)]


def is_companion(token: Token) -> bool:
    """ "avec X", "aux côtés de X", "conjointement avec X"."""
    words = {fold(c.text) for c in token.children if c.dep_ in ("case", "advmod", "fixed")}
    words.add(fold(token.text))
    return bool(words & Grammar.of(token).companion_words) and token.dep_ != "nsubj"


def case_of(token: Token) -> str | None:
    cases = [c for c in token.children if c.dep_ in ("case", "mark")]
    if not cases:
        return None
    first = cases[0]
    # "au profit de", "aux côtés de", "auprès de": the first word decides the relation
    return first.lower_


class MentionsByToken(dict[int, list[ActorMention]]):
    """A paragraph's mentions indexed by token (``mentions_by_token``), and, built on first
    use, the distinct ones ordered by where they start (``starting_in``)."""

    def __init__(self, base: int) -> None:
        super().__init__()
        self.base = base  # the paragraph's offset in the document
        self._by_start: list[tuple[int, int, ActorMention]] | None = None
        self._starts: list[int] = []

    def starting_in(self, start: int, end: int) -> list[tuple[int, int, ActorMention]]:
        """(start, end, mention) of the non-empty mentions starting in ``[start, end)``,
        offsets into the paragraph's text."""
        if self._by_start is None:
            distinct = {
                id(m): (m.start - self.base, m.end - self.base, m)
                for mentions in self.values()
                for m in mentions
                if m.end > m.start
            }
            self._by_start = sorted(distinct.values(), key=lambda item: item[0])
            self._starts = [item[0] for item in self._by_start]
        return self._by_start[bisect_left(self._starts, start) : bisect_left(self._starts, end)]


def mentions_by_token(
    paragraph: ParsedParagraph, mentions: Iterable[ActorMention]
) -> MentionsByToken:
    """Mentions indexed by the syntactic root token of their span."""
    base = paragraph.paragraph.start
    index = MentionsByToken(base)
    for mention in mentions:
        span = paragraph.doc.char_span(
            mention.start - base, mention.end - base, alignment_mode="expand"
        )
        if span is None:
            continue
        index.setdefault(span.root.i, []).append(mention)
        # A name the parse split ("Boko" advmod, "Haram" nsubj) hangs from outside by more
        # than one token: when its root is no argument, the others lead to the mention too.
        if span.root.dep_.split(":")[0] in ARGUMENT_DEPS:
            continue
        for token in span:
            if token.i != span.root.i and not span.start <= token.head.i < span.end:
                index.setdefault(token.i, []).append(mention)
    return index


def mentions_in(
    token: Token,
    by_token: dict[int, list[ActorMention]],
    excluded: set[int],
    blocking_cases: frozenset[str] = frozenset(),
) -> list[ActorMention]:
    """Mentions rooted in ``token``'s subtree, not descending into embedded verb clauses."""
    found: list[ActorMention] = []
    stack = [token]
    while stack:
        current = stack.pop()
        if current.i in excluded:
            continue
        here = by_token.get(current.i, ())
        found.extend(here)
        for child in current.children:
            if here and describes(child, by_token):
                continue  # "le Niger, voisin du Nigeria": the apposition only describes it
            if is_circumstance(child):
                continue  # "son homologue, en marge du sommet de l'UA"
            if (
                child.pos_ == "VERB"
                and child.dep_ in EMBEDDED_CLAUSES
                and not says_membership(child)
            ):
                continue
            if blocking_cases and blocked(child, blocking_cases):
                continue
            stack.append(child)
    return sorted(found, key=lambda m: m.start)


def without_nested_places(
    argument: Token, found: list[ActorMention], by_token: dict[int, list[ActorMention]]
) -> list[ActorMention]:
    """ "des positions de Boko Haram au Cameroun": a country named as the place of a noun
    inside an argument that names a party already is a location, not one more party."""
    places: set[int] = set()
    for token in argument.subtree:
        if (
            token is not argument
            and token.dep_ == "nmod"
            and case_of(token) in Grammar.of(token).place_cases
            and by_token.get(token.i)
            and all(m.kind == "country" for m in by_token[token.i])
        ):
            places.update(id(m) for m in by_token[token.i])
    if not places or all(id(m) in places for m in found):
        return found
    return [m for m in found if id(m) not in places]


def is_topic(child: Token, event: str, verb: Token) -> bool:
    """What talks are about ("discuter de X", "s'entretenir sur X") and what praise is for
    once its object is named ("a félicité X pour Y")."""
    case = case_of(child)
    grammar = Grammar.of(child)
    if event == "CONSULT" and child.dep_ != "obj" and case in grammar.describing_cases:
        return True
    return (
        case in grammar.reason_cases
        and child.dep_ != "obj"
        and any(c.dep_ == "obj" and c.i < child.i for c in verb.children)
    )


def is_agent(token: Token, passive: bool) -> bool:
    """ "par X" of a passive, also when the parse calls it an oblique of manner."""
    if token.dep_ == "obl:agent":
        return True
    return (
        passive and token.dep_.startswith("obl") and case_of(token) in Grammar.of(token).agent_cases
    )


def describes(child: Token, by_token: dict[int, list[ActorMention]]) -> bool:
    """An apposition or detached adjective on a named actor ("le Niger, voisin du Nigeria")."""
    if child.dep_ == "appos":
        return child.i not in by_token
    left = child.left_edge
    return child.dep_ == "amod" and left.i > 0 and left.nbor(-1).text == ","


def is_circumstance(token: Token) -> bool:
    case = case_of(token)
    if case is None:
        return False
    return circumstance_head(token) or case in modality_of(token).circumstance_cases


def circumstance_head(token: Token) -> bool:
    """A complement of circumstance by its head: "en marge du sommet" (the head "marge"), or
    a complex preposition parsed as one ("al margen de la cumbre": "margen" is fixed in it)."""
    heads = Grammar.of(token).circumstance_heads
    if fold(token.lemma_) in heads:
        return True
    return any(
        fold(word.lemma_) in heads or fold(word.text) in heads
        for case in token.children
        if case.dep_ == "case"
        for word in case.children
        if word.dep_ == "fixed"
    )


def says_membership(clause: Token) -> bool:
    """ "liés à X", "soupçonnés d'appartenir à X": a participle clause on a noun."""
    if clause.dep_ != "acl":
        return False
    chain = [clause, *(c for c in clause.children if c.dep_ == "xcomp")]
    return any(fold(verb.lemma_) in Grammar.of(verb).membership_verbs for verb in chain)


def blocked(token: Token, blocking_cases: frozenset[str]) -> bool:
    """ "contre X", "auprès de X" (also with "auprès" as the head adverb), but never a partner
    ("aux côtés de X")."""
    if is_companion(token):
        return False
    case = case_of(token)
    grammar = Grammar.of(token)
    if case in grammar.place_cases and case not in grammar.subject_blocking_cases:
        # a place under a noun ("la paix au Mali"), not the complement of a verb ("lié au JNIM")
        return case in blocking_cases and token.dep_ == "nmod"
    return case in blocking_cases or (token.pos_ == "ADV" and token.lower_ in blocking_cases)


def nearest_other(
    token: Token,
    by_token: dict[int, list[ActorMention]],
    identities: set[str],
    before: bool,
) -> ActorMention | None:
    """The sentence's actor mention closest to the trigger that is not yet a participant.

    Mentions on the expected side come first (before the verb for a missing actor, after it
    for a missing recipient); one behind "auprès de" or "contre" is never taken.
    """
    sentence = token.sent
    candidates = []
    others = _other_clauses_subjects(token)
    # The sentence's tokens, not every entry of the paragraph (linear on a long paragraph);
    # ties only arise between mentions of one token, whose order is kept.
    for index in range(sentence.start, sentence.end):
        mentions = by_token.get(index)
        if not mentions or behind_blocking_word(token.doc[index]) or index in others:
            continue
        wrong_side = (index > token.i) if before else (index < token.i)
        for mention in mentions:
            if mention.actor.identity not in identities:
                candidates.append(((wrong_side, abs(index - token.i)), mention))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _other_clauses_subjects(token: Token) -> set[int]:
    """The tokens of the subjects of clauses above or beside the trigger's own: "L'Algérie
    est le principal médiateur depuis un accord signé entre le Mali et des groupes armés":
    Algeria is no party to the accord. A clause under the trigger's may name its other
    party ("a menacé de recourir à la force si la junte ne libère pas le président")."""
    clause = clause_verb(token)
    own = {t.i for t in clause.subtree}
    marks = Grammar.of(token).concession_marks
    inside: set[int] = set()
    for word in token.sent:
        if (
            word.dep_ in SUBJECT_DEPS
            and word.head != clause
            and (word.head.i not in own or _opens_with(word.head, marks))
            and not word.left_edge.i <= token.i <= word.right_edge.i  # the trigger's own
        ):
            inside.update(t.i for t in word.subtree)
    return inside


def _opens_with(verb: Token, phrases: Sequence[str]) -> bool:
    """Whether the clause of ``verb`` opens with one of ``phrases`` ("bien que", "while")."""
    start = verb.left_edge.i
    opening = fold(verb.doc[start : min(start + 3, verb.i + 1)].text.lower())
    return any(opening == p or opening.startswith(p + " ") for p in phrases)


def behind_blocking_word(token: Token) -> bool:
    words = {c.lower_ for c in token.children if c.dep_ == "case"}
    if token.head.pos_ in ("ADV", "ADP"):
        words.add(token.head.lower_)
    return bool(words & Grammar.of(token).subject_blocking_cases)


def possessor(token: Token, main_states: Sequence[Actor]) -> list[ActorMention]:
    """ "contre ses soldats": the article's main state(s), as for a possessive on a trigger."""
    for child in token.children:
        possessives = Grammar.of(child).possessives
        if child.dep_ in POSSESSIVE_DEPS and child.lower_ in possessives:
            return pseudo_mentions(main_states[: possessives[child.lower_]], child)
    return []


def pseudo_mentions(actors: Sequence[Actor], token: Token) -> list[ActorMention]:
    return [ActorMention(replace(a, entity_text=token.text), 0, 0, "reference") for a in actors]


def place_of(token: Token, found: Sequence[ActorMention]) -> tuple[Span, str | None] | None:
    """A locative complement as (place span, country code).

    The country comes from a country mention in it, else from the gazetteer.
    """
    span = token.doc[token.left_edge.i : token.right_edge.i + 1]
    countries = [m for m in found if m.kind in ("country", "reference") or m.actor.is_state]
    if countries:
        return span, countries[0].actor.code
    if found:
        return None  # "à l'ONU", "auprès du MNLA": an actor, not a place
    grammar = Grammar.of(token)
    # "sur le territoire français", "on French soil": the nationality says the country
    if fold(token.lemma_) in grammar.territory_nouns | grammar.side_nouns and (
        code := nationality_of(token)
    ):
        return span, code
    name = proper_name(token)
    if name is None:
        return None
    from veille.places import get_gazetteer

    location = get_gazetteer().lookup(name)
    if location is None:
        return None
    return token.doc[token.i : token.i + 1] if name == token.text else span, location.country_code


def nationality_of(noun: Token) -> str | None:
    """The country of a nationality adjective on ``noun`` ("territoire français", "Malian
    aircraft"), if any."""
    from veille.actors import ActorLexicon

    demonyms = ActorLexicon.load(noun.doc.lang_).demonyms
    for child in noun.children:
        if child.dep_ == "amod" and (code := demonyms.get(fold(child.text))) is not None:
            return code
    return None


def is_locative(token: Token) -> bool:
    """A complement that says where: "à Gao", "dans la région", "du côté libyen", "sur le
    territoire français"."""
    grammar = Grammar.of(token)
    case = case_of(token)
    lemma = fold(token.lemma_)
    return (
        case in grammar.place_cases
        or lemma in grammar.side_nouns
        or (case in grammar.territory_cases and lemma in grammar.territory_nouns)
    )


def locative_place(
    token: Token, by_token: dict[int, list[ActorMention]], excluded: set[int]
) -> list[tuple[Span, str | None]]:
    """The place of a complement introduced by "à", "en", "dans"... (none or one)."""
    if not is_locative(token):
        return []
    place = place_of(token, mentions_in(token, by_token, excluded))
    return [place] if place is not None else []


def proper_name(token: Token) -> str | None:
    """The proper name in a locative complement ("à Bamako", "dans la ville de Smara")."""
    for candidate in token.subtree:
        if candidate.pos_ == "PROPN" or (
            candidate.ent_type_ in ("LOC", "GPE") and candidate.text[:1].isupper()
        ):
            doc = candidate.doc
            if not doc.has_annotation("ENT_IOB"):
                return _capitalised_run(candidate).text  # a pipeline without entities
            entity = entity_of(candidate) or doc[candidate.i : candidate.i + 1]
            return entity.text
    return None


# Entities read from the tokens' IOB tags as ``Doc.ents`` reads them, in time linear in the
# tokens looked at (``Doc.ents`` and ``Span.ents`` read the whole Doc: quadratic on a long
# paragraph). IOB codes: 1 inside, 2 outside, 3 beginning, 0 missing.
INSIDE, BEGIN = 1, 3


def entity_of(token: Token) -> Span | None:
    """The entity of ``doc.ents`` that holds ``token``, if any."""
    doc = token.doc
    if token.ent_iob not in (INSIDE, BEGIN):
        return None
    start = token.i
    while start > 0 and doc[start].ent_iob == INSIDE:
        start -= 1
    if doc[start].ent_iob != BEGIN or not doc[start].ent_type:
        return None  # "B" without a type reads as outside
    return doc[start : _entity_end(doc, token.i)]


def entities_in(span: Span) -> list[Span]:
    """``span.ents``: the entities of ``doc.ents`` lying inside ``span``."""
    doc = span.doc
    found = []
    for token in span:
        if token.ent_iob != BEGIN or not token.ent_type:
            continue
        end = _entity_end(doc, token.i)
        if end > span.end:
            break  # as Span.ents: an entity running past the span ends the list
        found.append(Span(doc, token.i, end, label=token.ent_type))
    return found


def _entity_end(doc: Doc, index: int) -> int:
    end = index + 1
    while end < len(doc) and doc[end].ent_iob == INSIDE:
        end += 1
    return end


def _capitalised_run(token: Token) -> Span:
    """A name read without entities: the capitalised words from ``token`` on ("Tillabéri",
    "North Africa", "North African", never "North" alone)."""
    end = token.i + 1
    doc = token.doc
    while (
        end < len(doc) and doc[end].text[:1].isupper() and doc[end].pos_ in ("PROPN", "ADJ", "NOUN")
    ):
        end += 1
    return doc[token.i : end]
