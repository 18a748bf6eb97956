"""Stage 4: recognise actor mentions and normalise them to PLOVER entities.

What is recognised, in order of precedence:

1. named actors from the lexicons (countries by name, capitals and seats of power,
   epithets, named state organs, people, armed groups, international organisations),
   matched as token phrases, longest match first; a country or capital that only names
   a place ("à Rabat", "le fleuve Niger") is left out;
2. nationality adjectives ("soldats maliens", "la partie marocaine", "la coopération
   maroco-mauritanienne") on a state role or a relation noun, and nationality nouns
   ("les Algériens");
3. state roles with a "de + country" complement ("l'ambassadeur de France");
4. people found by spaCy's NER whose title or apposition gives an office and a country,
   and later surname references to them ("M. Bourita");
5. in-document references ("les deux pays", "le Royaume") resolved to the states the
   document is about.

All knowledge comes from ``veille/data`` (see ``veille.lexicon``); this module is generic.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import accumulate
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from veille.cache import cached, data_sources
from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.lexicon import fold, load_csv, load_yaml
from veille.lexicons import Grammar
from veille.model import Actor, ActorKind, ActorMention, CleanDocument, ParsedParagraph
from veille.nlp import phrase_patterns
from veille.places import get_gazetteer

COUNTRY_SECTOR = ("GOV",)
#: How far (tokens) a title may stand before a name, and an apposition run after it.
TITLE_WINDOW = 8
APPOSITION_WINDOW = 14
NOUN_POS = frozenset({"NOUN", "PROPN"})
#: Country forms of one language only (the others, names and capitals, serve every language).
LANGUAGE_BOUND_KINDS = frozenset({"demonym", "compound_prefix", "epithet", "epithet_context"})


@dataclass(frozen=True, slots=True)
class NamedActor:
    """A lexicon entry that is an actor by itself (a country, organ, group, person...)."""

    code: str
    sector: tuple[str, ...]
    name: str
    kind: ActorKind
    wikidata: str | None = None
    office: str | None = None
    is_place_name: bool = False  # country names and capitals can also just name a place


@dataclass(frozen=True, slots=True)
class StateRole:
    """A generic head ("soldats", "ministère de la Défense") that needs a country."""

    sector: tuple[str, ...]
    role: str  # body, office or members
    office: str | None


@dataclass(slots=True)
class ActorLexicon:
    """Every surface form Veille knows, compiled from the data files."""

    named: dict[str, NamedActor] = field(default_factory=dict)  # key -> actor
    named_forms: list[tuple[str, str, bool]] = field(
        default_factory=list
    )  # key, form, case-sensitive
    roles: dict[str, StateRole] = field(default_factory=dict)  # folded form -> role
    role_forms: set[str] = field(default_factory=set)  # forms as written, for the matcher
    demonyms: dict[str, str] = field(default_factory=dict)  # folded form -> code
    compound_prefixes: dict[str, str] = field(default_factory=dict)  # folded prefix -> code
    shared_epithets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded -> codes
    country_names: dict[str, str] = field(default_factory=dict)  # code -> canonical name
    #: canonical organ name -> other countries with an organ of that name (organs.yaml)
    shared_names: dict[str, set[str]] = field(default_factory=dict)
    references: dict[str, int] = field(default_factory=dict)  # folded phrase -> number of states
    relation_heads: frozenset[str] = frozenset()
    agent_heads: dict[str, str] = field(
        default_factory=dict
    )  # folded head -> sector or "counterpart"
    non_actor_heads: frozenset[str] = frozenset()
    locative_words: frozenset[str] = frozenset()
    addressee_verbs: frozenset[str] = frozenset()
    title_stops: frozenset[str] = frozenset()
    apposition_stops: frozenset[str] = frozenset()
    courtesy_titles: frozenset[str] = frozenset()
    #: Bodies too vague to stand for the home state ("l'État islamique", "le régime syrien").
    vague_bodies: frozenset[str] = frozenset()
    misused_demonyms: dict[str, str] = field(default_factory=dict)  # folded form -> code
    boundary_nouns: frozenset[str] = frozenset()  # folded
    boundary_links: frozenset[str] = frozenset()  # folded
    boundary_closing_verbs: frozenset[str] = frozenset()  # folded lemmas
    neighbour_nouns: frozenset[str] = frozenset()  # folded
    organisation_references: tuple[str, ...] = ()  # folded phrases, longest first
    articles: frozenset[str] = frozenset()  # "le", "the": may stand before a name
    of_words: frozenset[str] = frozenset()  # "de", "of": join a role to its country

    @classmethod
    @cache
    def load(cls, language: str = DEFAULT_LANGUAGE) -> ActorLexicon:
        """Names of every language (``veille/data``); how ``language`` refers to actors.
        Compiled once and cached on disk (``veille.cache``), rebuilt when a source changes."""
        return cached(
            f"actor_lexicon_{language}",
            lambda: cls._build(language),
            files=[*data_sources(language), Path(__file__)],
            packages=LEXICON_PACKAGES,
        )

    @classmethod
    def _build(cls, language: str) -> ActorLexicon:
        context = language_yaml(language, "actor_context.yaml")
        grammar = Grammar.load(language)

        def folded(key: str) -> frozenset[str]:
            return frozenset(fold(w) for w in context.get(key) or ())

        lexicon = cls(
            references={fold(k): int(v) for k, v in context["country_references"].items()},
            relation_heads=frozenset(context["relation_heads"]),
            agent_heads={
                fold(w): sector for sector, words in context["agent_heads"].items() for w in words
            },
            non_actor_heads=frozenset(context["non_actor_heads"]),
            locative_words=frozenset(context["locative_words"]),
            addressee_verbs=folded("addressee_verbs"),
            title_stops=folded("title_stops"),
            apposition_stops=frozenset(context["apposition_stops"]),
            courtesy_titles=frozenset(context["courtesy_titles"]),
            vague_bodies=folded("vague_bodies"),
            boundary_nouns=folded("boundary_nouns"),
            boundary_links=folded("boundary_links"),
            boundary_closing_verbs=folded("boundary_closing_verbs"),
            neighbour_nouns=folded("neighbour_nouns"),
            organisation_references=tuple(
                sorted(
                    (fold(p) for p in context.get("organisation_references") or ()),
                    key=len,
                    reverse=True,
                )
            ),
            misused_demonyms={
                fold(k): str(v) for k, v in (context.get("misused_demonyms") or {}).items()
            },
            articles=grammar.articles,
            of_words=grammar.of_cases,
        )
        lexicon._add_countries(load_csv("countries.csv"), language)
        lexicon._add_named(load_yaml("organs.yaml"), "organ")
        lexicon._add_named(load_yaml("groups.yaml"), "group")
        lexicon._add_named(load_yaml("organisations.yaml"), "organisation")
        lexicon._add_people(load_yaml("people.yaml"))
        lexicon._add_roles(language_yaml(language, "state_roles.yaml"))
        return lexicon

    def country_name(self, code: str) -> str:
        return self.country_names.get(code, code)

    def _add_countries(self, rows: Iterable[dict[str, str]], language: str) -> None:
        for row in rows:
            code, kind, form = row["code"], row["kind"], row["form"].replace("’", "'")
            if kind in LANGUAGE_BOUND_KINDS and row["lang"] != language:
                continue
            self.country_names.setdefault(code, row["name"])
            if kind == "demonym":
                self.demonyms[fold(form)] = code
            elif kind == "compound_prefix":
                self.compound_prefixes[fold(form)] = code
            elif kind == "epithet_context":
                self.shared_epithets[fold(form)] = (*self.shared_epithets.get(fold(form), ()), code)
            else:
                actor = NamedActor(
                    code,
                    COUNTRY_SECTOR,
                    row["name"],
                    "country",
                    is_place_name=kind in ("name", "capital"),
                )
                self._add_form(f"country:{code}:{kind}", actor, form, case_sensitive=True)

    def _add_named(self, entries: Sequence[dict] | None, kind: ActorKind) -> None:
        for entry in entries or ():
            for code in entry.get("shared_by") or ():
                self.shared_names.setdefault(entry["name"], set()).add(code)
            parent = entry.get("part_of")
            actor = NamedActor(
                entry["code"],
                tuple(entry.get("sector") or ()),
                parent or entry["name"],
                kind,
                entry.get("wikidata"),
                office=entry["name"] if parent else None,
            )
            case_sensitive = bool(entry.get("case_sensitive", False))
            for form in (entry["name"], *(entry.get("aliases") or ())):
                self._add_form(f"{kind}:{entry['name']}", actor, str(form), case_sensitive)

    def _add_people(self, entries: Sequence[dict] | None) -> None:
        bodies = {a.name: a for a in self.named.values() if a.kind in ("group", "organisation")}
        for entry in entries or ():
            group = bodies.get(entry.get("group") or entry.get("organisation") or "")
            actor = NamedActor(
                group.code if group else entry["code"],
                group.sector if group else tuple(entry.get("sector") or ()),
                group.name if group else self.country_name(entry["code"]),
                "person",
                office=entry.get("office"),
            )
            for form in (entry["name"], *(entry.get("aliases") or ())):
                self._add_form(f"person:{entry['name']}", actor, str(form), case_sensitive=True)

    def _add_roles(self, entries: Sequence[dict] | None) -> None:
        for entry in entries or ():
            role = StateRole(
                tuple(entry.get("sector") or ()),
                entry.get("role", "body"),
                entry.get("office_canonical"),
            )
            for form in entry["forms"]:
                self.roles.setdefault(fold(str(form)), role)
                self.role_forms.add(str(form))

    def _add_form(self, key: str, actor: NamedActor, form: str, case_sensitive: bool) -> None:
        self.named.setdefault(key, actor)
        self.named_forms.append((key, form, case_sensitive))


#: Packages whose data the actor lexicon may read (their versions key its cache).
LEXICON_PACKAGES = ("babel", "pycountry")


class ActorRecogniser:
    """Finds ``ActorMention``s in parsed paragraphs; build once per process (compiles matchers)."""

    def __init__(self, nlp: Language, lexicon: ActorLexicon | None = None) -> None:
        self.lexicon = lexicon or ActorLexicon.load(nlp.lang)
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._roles = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add_patterns(nlp)

    def _add_patterns(self, nlp: Language) -> None:
        variants: dict[bool, list[tuple[str, str]]] = {True: [], False: []}
        for key, form, case_sensitive in self.lexicon.named_forms:
            # Both apostrophes: lexicons write "'", the press often "’". Sorted: the variants
            # key the patterns' cache entry, which a set's order (per process) would change.
            for variant in sorted(
                {v for f in (form, _strip_accents(form)) for v in (f, f.replace("'", "’"))}
            ):
                variants[case_sensitive].append((key, variant))
        for case_sensitive, matcher in ((True, self._exact), (False, self._lower)):
            attr = "ORTH" if case_sensitive else "LOWER"
            forms = variants[case_sensitive]
            name = f"actor_forms_{attr.lower()}_{nlp.lang}"
            patterns: dict[str, list[tuple[int, ...]]] = {}
            for (key, _), pattern in zip(
                forms, phrase_patterns(nlp, name, [v for _, v in forms], attr), strict=True
            ):
                patterns.setdefault(key, []).append(pattern)
            for key, found in patterns.items():
                matcher.add(key, found)
        forms = {v for form in self.lexicon.role_forms for v in (form, _strip_accents(form))}
        self._roles.add(
            "ROLE", phrase_patterns(nlp, f"role_forms_{nlp.lang}", sorted(forms), "LOWER")
        )

    # -- public ---------------------------------------------------------------------

    def recognise(
        self, clean: CleanDocument, parsed: Sequence[ParsedParagraph]
    ) -> list[ActorMention]:
        mentions: list[ActorMention] = []
        for paragraph in parsed:
            mentions.extend(self._paragraph_mentions(paragraph))
        mentions.extend(self._surname_references(parsed, mentions))
        mentions.extend(self._resolve_references(parsed, mentions))
        mentions = self._read_misused_demonyms(mentions)
        home = self.home_state(parsed)
        if home is not None:
            mentions = [self._at_home(m, home) for m in mentions]
            mentions.extend(self._home_state_roles(parsed, mentions, home))
        return sorted(mentions, key=lambda m: (m.start, m.end, m.actor.code))

    def _read_misused_demonyms(self, mentions: list[ActorMention]) -> list[ActorMention]:
        """ "Nigerian soldiers" in a story that names Niger and not Nigeria are Niger's."""

        def meant(mention: ActorMention) -> str | None:
            forms = [fold(w) for w in mention.actor.entity_text.split()]
            form = next((f for f in forms if f in self.lexicon.misused_demonyms), None)
            if form is None or mention.actor.code != self.lexicon.demonyms.get(form):
                return None
            neighbour, own = self.lexicon.misused_demonyms[form], mention.actor.code
            # Only forces known by the state's adjective ("Nigerian soldiers"), not a named
            # organ ("Nigerian Army") or an office ("Nigerian President Tinubu").
            if (
                mention.actor.name != self.lexicon.country_name(own)
                or mention.actor.office is not None
                or not MISUSED_DEMONYM_SECTORS & set(mention.actor.sector)
            ):
                return None
            return neighbour

        readings = [(mention, meant(mention)) for mention in mentions]
        named = {
            m.actor.code for m, neighbour in readings if m.actor.is_state and neighbour is None
        }
        read: list[ActorMention] = []
        for mention, neighbour in readings:
            if neighbour in named and mention.actor.code not in named:
                actor = replace(
                    mention.actor, code=neighbour, name=self.lexicon.country_name(neighbour)
                )
                mention = replace(mention, actor=actor)
            read.append(mention)
        return read

    def _at_home(self, mention: ActorMention, home: str) -> ActorMention:
        """A name several states give an organ ("la DGSN") is the home state's, if it has one."""
        if home in self.lexicon.shared_names.get(mention.actor.name, ()):
            return replace(mention, actor=replace(mention.actor, code=home))
        return mention

    def recognise_text(self, nlp: Language, text: str) -> list[ActorMention]:
        """Convenience for tests and notebooks: the mentions in a plain string."""
        from veille.model import Document, Paragraph

        document = Document(Document.content_id(text), "<text>", text, "txt")
        paragraph = Paragraph(0, len(text), text, nlp.lang, True)
        return self.recognise(
            CleanDocument(document, (paragraph,)), [ParsedParagraph(paragraph, nlp(text))]
        )

    # -- per paragraph ----------------------------------------------------------------

    def _paragraph_mentions(self, parsed: ParsedParagraph) -> list[ActorMention]:
        doc = parsed.doc
        named = [(s, a) for s, a in self._named_spans(doc) if not self._names_only_a_place(s, a)]
        named_tokens = {i for span, _ in named for i in range(span.start, span.end)}
        roles = [r for r in self._role_spans(doc) if not named_tokens & set(range(r.start, r.end))]
        people = self._people(doc, named_tokens)
        covered = {i for span, _ in people for i in range(span.start, span.end)}

        found: list[tuple[Span, Actor, ActorKind]] = []
        for span, actor in people:
            found.append((span, actor, "person"))
        absorbed: set[int] = set()
        for span, actor, absorbs in self._role_mentions(doc, roles, named, covered):
            found.append((span, actor, "organ"))
            absorbed.update(absorbs)
        found.extend(self._adjective_mentions(doc, roles, named_tokens | covered))
        for span, named_actor in named:
            if span.start in absorbed:
                continue
            if named_actor.kind not in ("person",) and set(range(span.start, span.end)) & covered:
                continue  # an organ inside a person's office is part of that mention
            found.append((span, _actor(named_actor, span), named_actor.kind))
        return [_to_mention(parsed, span, actor, kind) for span, actor, kind in found]

    def _named_spans(self, doc: Doc) -> list[tuple[Span, NamedActor]]:
        candidates = [
            Span(doc, start, end, label=match_id)
            for matcher in (self._exact, self._lower)
            for match_id, start, end in matcher(doc)
        ]
        return [(span, self.lexicon.named[span.label_]) for span in _longest_first(candidates)]

    def _role_spans(self, doc: Doc) -> list[Span]:
        return _longest_first(Span(doc, s, e) for _, s, e in self._roles(doc))

    def _names_only_a_place(self, span: Span, actor: NamedActor) -> bool:
        """A country or capital used as a place or inside the name of a thing."""
        if not actor.is_place_name:
            return False
        doc = span.doc
        before = doc[span.start - 1] if span.start > 0 else None
        if before is not None and fold(before.text) in self.lexicon.non_actor_heads:
            return True  # "le fleuve Niger", "le rallye Dakar"
        for word in _governing_nouns(span) if _introduced_by_of(span) else ():
            if (
                fold(word.lemma_) in self.lexicon.non_actor_heads
                or fold(word.text) in self.lexicon.non_actor_heads
            ):
                return True  # "l'accord d'Alger", "le palais de la culture de Bamako"
        if self._beyond_a_border(span) or self._locates_a_neighbour(span):
            return True  # "sa frontière avec le Mali", "le Tchad, voisin du Niger"
        is_capital = ":capital" in span.label_ or ":seat" in span.label_
        head = span.root.head
        if (
            fold(getattr(before, "text", "")) == "a"
            and head.pos_ == "VERB"
            and fold(head.lemma_) in self.lexicon.addressee_verbs
        ):
            return False  # "a demandé à Madrid": the government addressed
        return (
            is_capital and before is not None and fold(before.text) in self.lexicon.locative_words
        )

    def _beyond_a_border(self, span: Span) -> bool:
        """ "its border with Libya", "la frontière avec le Mali": the country is a place,
        unless the border is closed to it ("a fermé sa frontière avec le Bénin")."""
        before = _words_before(span, self.lexicon.articles)
        if len(before) < 2 or fold(before[-1].text) not in self.lexicon.boundary_links:
            return False
        border = before[-2]
        return (
            fold(border.text) in self.lexicon.boundary_nouns
            and fold(border.head.lemma_) not in self.lexicon.boundary_closing_verbs
        )

    def _locates_a_neighbour(self, span: Span) -> bool:
        """ "Niger neighbour Chad", "Mali's neighbours", "voisin du Niger"."""
        after = [
            t for t in span.doc[span.end : span.end + 2] if t.lower_ not in self.lexicon.of_words
        ]
        if after and after[0].pos_ != "ADJ" and fold(after[0].text) in self.lexicon.neighbour_nouns:
            return True  # not "le Mali voisin" (neighbouring Mali), an actor
        # "voisine du Mali", "a neighbour of Niger": read on the words, which the parse may
        # hang elsewhere.
        before = _words_before(span, self.lexicon.articles - self.lexicon.of_words)  # keep "du"
        return (
            len(before) >= 2
            and before[-1].lower_ in self.lexicon.of_words
            and fold(before[-2].text) in self.lexicon.neighbour_nouns
        )

    def _adjective_codes(self, token: Token) -> tuple[str, ...]:
        """Country codes a nationality adjective or compound adjective stands for."""
        folded = fold(token.text)
        if folded in self.lexicon.demonyms:
            return (self.lexicon.demonyms[folded],)
        if "-" in folded:
            *prefixes, last = folded.split("-")
            codes = [self.lexicon.compound_prefixes.get(p) for p in prefixes]
            last_code = self.lexicon.demonyms.get(last)
            if last_code and all(codes):
                return (*[c for c in codes if c], last_code)
        return ()

    def _adjective_mentions(
        self, doc: Doc, roles: Sequence[Span], taken: set[int]
    ) -> list[tuple[Span, Actor, ActorKind]]:
        role_at = {i: role for role in roles for i in range(role.start, role.end)}
        found = []
        for token in doc:
            if token.i in taken:
                continue
            codes = self._adjective_codes(token)
            if not codes:
                continue
            if (
                token.text[:1].isupper()
                and token.i > 0
                and token.pos_ in NOUN_POS
                and token.dep_ != "amod"  # "Malian soldiers": an adjective, whatever its tag
                and len(codes) == 1
            ):
                span = doc[token.i : token.i + 1]  # "les Algériens": citizens
                found.append(
                    (
                        span,
                        Actor(codes[0], (), self.lexicon.country_name(codes[0]), span.text),
                        "country",
                    )
                )
                continue
            after = Grammar.of(token).adjective_after_noun
            head = _qualified_noun(token, self._adjective_codes)
            beside = token.i - 1 if after else token.i + 1
            if beside in role_at and (head is None or head.i not in role_at):
                head = doc[beside]  # the tagger sometimes misses a role noun ("imams")
            if head is None:
                continue
            role = role_at.get(head.i)
            if role is not None and _titles_a_name(doc, token):
                continue  # "le président mauritanien Mohamed Ould Ghazouani": one person mention
            if role is not None:
                if after:  # "le ministre malien de la Défense", "les soldats maliens"
                    inside = role.start <= token.i < role.end
                    adjacent = role.end <= token.i <= role.end + 2 or inside
                    span = doc[role.start : token.i + 1] if adjacent else doc[token.i : token.i + 1]
                else:  # "the Malian defence minister"
                    adjacent = token.i < role.start <= token.i + 3
                    span = doc[token.i : role.end] if adjacent else doc[token.i : token.i + 1]
                for code in codes:
                    found.append((span, self._role_actor(code, role, span.text), "organ"))
            elif (agent := self.lexicon.agent_heads.get(fold(head.text))) is not None:
                if after:
                    adjacent = head.i < token.i <= head.i + 2
                    span = doc[head.i : token.i + 1] if adjacent else doc[token.i : token.i + 1]
                else:
                    adjacent = token.i < head.i <= token.i + 2
                    span = doc[token.i : head.i + 1] if adjacent else doc[token.i : token.i + 1]
                sector = _counterpart_sector(found, head) if agent == "counterpart" else (agent,)
                for code in codes:
                    found.append(
                        (
                            span,
                            Actor(code, sector, self.lexicon.country_name(code), span.text),
                            "organ",
                        )
                    )
            elif (
                fold(head.lemma_) in self.lexicon.relation_heads
                or fold(head.text) in self.lexicon.relation_heads
            ):
                span = doc[token.i : token.i + 1]
                for code in codes:
                    found.append(
                        (
                            span,
                            Actor(code, (), self.lexicon.country_name(code), span.text),
                            "country",
                        )
                    )
        return found

    def _role_mentions(
        self,
        doc: Doc,
        roles: Sequence[Span],
        named: Sequence[tuple[Span, NamedActor]],
        covered: set[int],
    ) -> list[tuple[Span, Actor, set[int]]]:
        """Roles with a "de + country" complement; returns the country tokens they absorb."""
        country_at = {span.start: (span, actor) for span, actor in named if actor.kind == "country"}
        found = []
        for role in roles:
            if role.start in covered:
                continue
            index = role.end
            while index < len(doc) and (
                doc[index].lower_ in self.lexicon.of_words
                or doc[index].lower_ in self.lexicon.articles
            ):
                index += 1
            if index == role.end or index not in country_at or index - role.end > 3:
                continue
            country, actor = country_at[index]
            span = doc[role.start : country.end]
            state_role = self.lexicon.roles[fold(role.text)]
            found.append(
                (
                    span,
                    Actor(
                        actor.code,
                        state_role.sector,
                        actor.name,
                        span.text,
                        office=_office(state_role, role),
                    ),
                    {country.start},
                )
            )
        return found

    # -- people ----------------------------------------------------------------------

    def _people(self, doc: Doc, named_tokens: set[int]) -> list[tuple[Span, Actor]]:
        """People named by NER whose title or apposition gives an office and a country."""
        gazetteer = get_gazetteer()
        found = []
        for entity in doc.ents:
            if entity.label_ != "PER" or named_tokens & set(range(entity.start, entity.end)):
                continue
            if gazetteer.resolve(entity.text) is not None:
                continue  # "a Tánger": a town the entity recogniser took for a person
            title = self._title_before(entity)
            apposition = self._apposition_after(entity)
            pieces = [p for p in (title, apposition) if p is not None and len(p)]
            role = next((r for piece in pieces for r in self._role_spans(piece.as_doc())), None)
            if role is None:
                continue
            owner = next((o for piece in pieces if (o := self._owner_in(piece))), None)
            if owner is None:
                continue
            start = title.start if title is not None else entity.start
            end = apposition.end if apposition is not None else entity.end
            span = doc[start:end]
            state_role = self.lexicon.roles[fold(role.text)]
            office = ", ".join(p.text for p in pieces)
            # A group's leader belongs to the group ("le chef de l'EIGS"), an official to a state.
            if owner.is_state:
                owner = replace(
                    owner, name=self.lexicon.country_name(owner.code), sector=state_role.sector
                )
            found.append((span, replace(owner, entity_text=span.text, office=office)))
        return found

    def _title_before(self, person: Span) -> Span | None:
        """The noun phrase right before a name that holds a title ("le président mauritanien")."""
        doc = person.doc
        start = person.start
        while start > max(person.sent.start, person.start - TITLE_WINDOW):
            previous = doc[start - 1]
            if (
                previous.is_punct
                and previous.text != "'"
                or previous.pos_ in ("VERB", "AUX", "CCONJ", "PRON")
                or fold(previous.text) in self.lexicon.title_stops
            ):
                break
            start -= 1
        while start < person.start and doc[start].pos_ in ("DET", "ADP"):
            start += 1
        return doc[start : person.start] if start < person.start else None

    def _apposition_after(self, person: Span) -> Span | None:
        """ ", <office phrase>" right after a name, up to the next comma, verb or stop word."""
        doc = person.doc
        if person.end >= len(doc) or doc[person.end].text != ",":
            return None
        index = person.end + 1
        end_limit = min(person.sent.end, index + APPOSITION_WINDOW)
        while index < end_limit:
            token = doc[index]
            if (
                token.text in ",;:.()"
                or token.pos_ in ("VERB", "AUX")
                or fold(token.text) in self.lexicon.apposition_stops
            ):
                break
            index += 1
        start = person.end + 1
        if start < len(doc) and doc[start].pos_ in ("ADP", "ADV", "SCONJ", "CCONJ", "PRON"):
            return None  # ", pour une visite au Mali": a complement, not an office
        while start < index and doc[start].pos_ == "DET":
            start += 1
        return doc[start:index] if start < index else None

    def _owner_in(self, window: Span) -> Actor | None:
        """The state (or group) an office phrase belongs to: a demonym or a named actor in it."""
        for token in window:
            codes = self._adjective_codes(token)
            if codes:
                return Actor(codes[-1], COUNTRY_SECTOR, self.lexicon.country_name(codes[-1]), "")
        for _span, actor in self._named_spans(window.as_doc()):
            if actor.kind in ("country", "organ", "person", "group"):
                return _actor(actor, _span)
        return None

    # -- document level -------------------------------------------------------------

    def _surname_references(
        self, parsed: Sequence[ParsedParagraph], mentions: Sequence[ActorMention]
    ) -> list[ActorMention]:
        """A later mention of a person's surname ("M. Bourita", "Ag Ghaly") is the same actor."""
        by_surname: dict[str, Actor] = {}
        for mention in mentions:
            if mention.kind == "person":
                words = [
                    w
                    for w in mention.actor.entity_text.replace(",", " ").split()
                    if w[:1].isupper()
                ]
                if words:
                    by_surname.setdefault(words[-1], mention.actor)
        if not by_surname:
            return []
        taken = _Covered(mentions)
        found = []
        for paragraph in parsed:
            for entity in paragraph.doc.ents:
                if entity.label_ != "PER":
                    continue
                start, end = paragraph.offset(entity.start_char), paragraph.offset(entity.end_char)
                actor = by_surname.get(entity[-1].text)
                if actor is None or taken.overlaps(start, end):
                    continue
                span = entity
                if (
                    entity.start > 0
                    and fold(entity.doc[entity.start - 1].text) in self.lexicon.courtesy_titles
                ):
                    span = entity.doc[entity.start - 1 : entity.end]
                found.append(_to_mention(paragraph, span, actor, "person"))
        return found

    def home_state(self, parsed: Sequence[ParsedParagraph]) -> str | None:
        """The state a document is about: the state most named (as a country, capital, organ
        or nationality adjective, place uses included), when it clearly leads the others.

        Only the phrase matchers count, on tokens, so the cascade, which parses some sentences
        only, sees the same home state as a full analysis (veille.cascade).
        """
        counts: Counter[str] = Counter()
        for paragraph in parsed:
            for _, actor in self._named_spans(paragraph.doc):
                # an organ name several states use says nothing of which one (_at_home)
                if (
                    actor.kind in ("country", "organ")
                    and actor.name not in self.lexicon.shared_names
                ):
                    counts[actor.code] += 1
            for token in paragraph.doc:
                code = self.lexicon.demonyms.get(fold(token.text))  # "nigérien", "marocaines"
                if code is not None:
                    counts[code] += 1
        ranked = counts.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] < HOME_STATE_LEAD * ranked[1][1]):
            return None
        return ranked[0][0]

    def _role_actor(self, code: str, role: Span, text: str) -> Actor:
        """The organ of state ``code`` that a generic role ("ministère", "armée") names."""
        state_role = self.lexicon.roles[fold(role.text)]
        return Actor(
            code,
            state_role.sector,
            self.lexicon.country_name(code),
            text,
            office=_office(state_role, role),
        )

    def is_home_body(self, role: Span) -> bool:
        """A state role that, with no country, is an organ of the home state: an institution
        ("la Garde nationale", "l'armée"), not people ("des soldats") or a vague word."""
        state_role = self.lexicon.roles.get(fold(role.text))
        return (
            state_role is not None
            and state_role.role == "body"
            and fold(role.text) not in self.lexicon.vague_bodies
        )

    def _home_state_roles(
        self, parsed: Sequence[ParsedParagraph], mentions: Sequence[ActorMention], home: str
    ) -> list[ActorMention]:
        """ "Le ministère de l'Intérieur", "la Garde nationale", "l'armée" with no country: in
        national news these are the home state's, the state the article is about (its states
        named and the towns where it happens); with no clear home state they stay unresolved."""
        taken = _Covered(mentions)
        found: list[ActorMention] = []
        for paragraph in parsed:
            for role in self._role_spans(paragraph.doc):
                start, end = paragraph.offset(role.start_char), paragraph.offset(role.end_char)
                if taken.overlaps(start, end):
                    continue
                if not self.is_home_body(role):
                    continue  # "des soldats", "l'administration": not the home state's organ
                actor = self._role_actor(home, role, role.text)
                found.append(_to_mention(paragraph, role, actor, "reference"))
        return found

    def _resolve_references(
        self, parsed: Sequence[ParsedParagraph], mentions: Sequence[ActorMention]
    ) -> list[ActorMention]:
        """Mentions for "les deux pays" and shared epithets, from the document's main states."""
        state_counts = Counter(m.actor.code for m in mentions if m.actor.is_state)
        taken = _Covered(mentions)
        # "les deux pays" resolves from the mentions before it: its places are kept here and
        # all are resolved at the end in one pass over the mentions (linear, not one pass each).
        resolved: list[ActorMention | tuple[ParsedParagraph, Span, int]] = []
        for paragraph in parsed:
            doc = paragraph.doc
            folded = [fold(t.text) for t in doc]
            for phrase, count in self.lexicon.references.items():
                for start, end in _find_phrase(folded, phrase.split()):
                    resolved.append((paragraph, doc[start:end], count))
            resolved.extend(self._organisation_references(paragraph, folded, mentions, taken))
            for index, word in enumerate(folded):
                candidates = self.lexicon.shared_epithets.get(word)
                position = paragraph.offset(doc[index].idx)
                if not candidates or taken.overlaps(position, position + 1):
                    continue
                best = max(candidates, key=lambda c: state_counts.get(c, 0))
                if state_counts.get(best, 0) == 0:
                    continue
                span = doc[index : index + 1]
                actor = Actor(best, COUNTRY_SECTOR, self.lexicon.country_name(best), span.text)
                resolved.append(_to_mention(paragraph, span, actor, "reference"))
        references = [item for item in resolved if isinstance(item, tuple)]
        codes = iter(
            _main_codes_before(
                mentions, [(p.offset(span.start_char), count) for p, span, count in references]
            )
        )
        found: list[ActorMention] = []
        for item in resolved:
            if not isinstance(item, tuple):
                found.append(item)
                continue
            paragraph, span, _ = item
            for code in next(codes):
                actor = Actor(code, COUNTRY_SECTOR, self.lexicon.country_name(code), span.text)
                found.append(_to_mention(paragraph, span, actor, "reference"))
        return found

    def _organisation_references(
        self,
        paragraph: ParsedParagraph,
        folded: Sequence[str],
        mentions: Sequence[ActorMention],
        taken: _Covered,
    ) -> list[ActorMention]:
        """ "the regional bloc", "l'organisation régionale": the organisation named last."""
        spans = _phrase_spans(paragraph.doc, folded, self.lexicon.organisation_references)
        if not spans:
            return []
        # Sorted starts, so each phrase finds its organisation by bisection: a long paragraph
        # stays linear.
        organisations = sorted(
            (m for m in mentions if m.kind == "organisation"), key=lambda m: m.start
        )
        organisation_starts = [m.start for m in organisations]
        found: list[ActorMention] = []
        claimed: set[int] = set()
        for span in spans:  # longest phrases first (the lexicon's order)
            position = paragraph.offset(span.start_char)
            if claimed & set(range(span.start, span.end)) or taken.overlaps(position, position + 1):
                continue
            last = bisect_left(organisation_starts, position)
            if not last:
                continue
            claimed.update(range(span.start, span.end))
            actor = replace(organisations[last - 1].actor, entity_text=span.text)
            found.append(_to_mention(paragraph, span, actor, "reference"))
        return found


# -- helpers ---------------------------------------------------------------------------


def _words_before(span: Span, skipped: frozenset[str]) -> list[Token]:
    """The (up to three) words right before ``span``, without those in ``skipped``."""
    return [t for t in span.doc[max(0, span.start - 3) : span.start] if t.lower_ not in skipped]


def _phrase_spans(doc: Doc, folded: Sequence[str], phrases: Sequence[str]) -> list[Span]:
    """Where each folded phrase of ``phrases`` is written in ``doc`` (whose folded token texts
    are ``folded``) as whole words, whatever the tokeniser made of its hyphens
    ("ouest-africain" is one token or three); by phrase in the order given, then in text order.

    One pass over the tokens for all the phrases: from each word start, the folded text is
    extended token by token (a space where the text has one) up to the longest phrase; a
    phrase is found where the text first reaches its length and equals it.
    """
    rank = {phrase: index for index, phrase in enumerate(phrases)}
    longest = max(map(len, phrases), default=0)
    found: list[tuple[int, int, int]] = []  # (phrase rank, start, end)
    for start in range(len(doc)):
        before = doc[start - 1] if start else None
        if before is not None and not (
            before.whitespace_ or before.is_punct or folded[start - 1].endswith("'")
        ):
            continue
        text = ""
        for end in range(start, len(doc)):
            previous = len(text)
            text += folded[end]
            # A phrase is decided where the text first reaches its length: only if it grew.
            if len(text) > previous and text in rank:
                found.append((rank[text], start, end + 1))
            if len(text) >= longest:
                break
            text += " " if doc[end].whitespace_ else ""
    return [doc[start:end] for _, start, end in sorted(found)]


#: Sectors of the mentions a misused demonym is read for: the soldiers and police of an
#: attack or an operation, where the press confuses "Nigerian" and "Nigerien".
MISUSED_DEMONYM_SECTORS = frozenset({"MIL", "COP"})

#: The home state must lead the next state by this factor (mentions and places counted).
HOME_STATE_LEAD = 2


def _strip_accents(form: str) -> str:
    decomposed = unicodedata.normalize("NFKD", form)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _longest_first(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, preferring longer ones (spaCy's filter_spans rule)."""
    return sorted(filter_spans(list(spans)), key=lambda s: s.start)


def _introduced_by_of(span: Span) -> bool:
    """ "l'accord d'Alger" (a name part), not "l'accord entre le Maroc et le Tchad" (parties)."""
    cases = [c.lower_ for c in span.root.children if c.dep_ == "case"]
    return not cases or cases[0] in Grammar.of(span.root).of_cases


def _governing_nouns(span: Span) -> list[Token]:
    """The nouns a name hangs from through "de" ("l'accord d'Alger" -> accord)."""
    nouns = []
    current = span.root
    for _ in range(2):
        if current.dep_ not in ("nmod", "appos", "flat:name") or current.head == current:
            break
        current = current.head
        if current.pos_ in NOUN_POS:
            nouns.append(current)
    return nouns


def _qualified_noun(adjective: Token, country_codes: object) -> Token | None:
    """The noun a nationality adjective qualifies, robust to a noisy parse.

    Coordinated adjectives ("délégations algérienne et malienne") share their first
    conjunct's noun; otherwise the syntactic head if it is a noun on the side where the
    language puts nouns ("forces maliennes", "Malian forces"), else the nearest noun there.
    """
    after = Grammar.of(adjective).adjective_after_noun
    current = adjective
    while current.dep_ == "conj" and current.head.pos_ == "ADJ" and current.head != current:
        current = current.head
    if current.head.pos_ in NOUN_POS and (current.head.i < current.i) == after:
        return current.head
    step = -1 if after else 1
    doc = adjective.doc
    for index in range(current.i + step, current.i + 3 * step, step):
        if not 0 <= index < len(doc):
            break
        token = doc[index]
        if token.pos_ in NOUN_POS:
            return token
        if token.pos_ not in ("ADJ", "ADV"):
            break
    return None


def _titles_a_name(doc: Doc, adjective: Token) -> bool:
    """Whether a proper name follows the title's adjective ("président sénégalais Macky Sall")."""
    following = adjective.i + 1
    return (
        following < len(doc)
        and doc[following].pos_ == "PROPN"
        and doc[following].ent_type_ == "PER"
    )


def _counterpart_sector(
    found: Sequence[tuple[Span, Actor, ActorKind]], head: Token
) -> tuple[str, ...]:
    """A counterpart has the sector of the closest preceding state actor of its sentence."""
    earlier = [
        actor
        for span, actor, _ in found
        if span.sent.start == head.sent.start and span.end <= head.i and actor.sector
    ]
    return earlier[-1].sector if earlier else COUNTRY_SECTOR


def _find_phrase(tokens: Sequence[str], phrase: Sequence[str]) -> Iterable[tuple[int, int]]:
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if list(tokens[start : start + size]) == list(phrase):
            yield start, start + size


class _Covered:
    """The character ranges of mentions, for overlap tests by bisection (a long paragraph
    stays linear)."""

    def __init__(self, mentions: Iterable[ActorMention]) -> None:
        ranges = sorted((m.start, m.end) for m in mentions)
        self._starts = [s for s, _ in ranges]
        self._reach = list(accumulate((e for _, e in ranges), max))  # furthest end so far

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a range overlaps ``[start, end)``."""
        before = bisect_left(self._starts, end)  # the ranges starting before ``end``
        return before > 0 and self._reach[before - 1] > start


def _main_codes_before(
    mentions: Sequence[ActorMention], queries: Sequence[tuple[int, int]]
) -> list[list[str]]:
    """For each (position, count): ``_main_codes`` of the mentions starting before the
    position (all of them if none does), in one sweep over the mentions by start."""
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}  # a code's first state mention, in list order (the tie-break)
    last: dict[str, tuple[int, int]] = {}  # (list index, start) of a code's last mention
    results: list[list[str]] = [[] for _ in queries]
    added = 0
    for query in sorted(range(len(queries)), key=lambda q: queries[q][0]):
        position, count = queries[query]
        while added < len(order) and mentions[order[added]].start < position:
            index = order[added]
            actor = mentions[index].actor
            if actor.is_state:
                counts[actor.code] += 1
                first[actor.code] = min(first.get(actor.code, index), index)
            if last.get(actor.code, (-1, 0))[0] < index:
                last[actor.code] = (index, mentions[index].start)
            added += 1
        if not added:
            results[query] = _main_codes(mentions, count)
            continue
        ranked = sorted(counts, key=lambda c: (-counts[c], -last[c][1], first[c]))
        results[query] = ranked[:count] if len(ranked) >= count else []
    return results


def _main_codes(mentions: Sequence[ActorMention], count: int) -> list[str]:
    """The ``count`` states mentioned most (most recent first on ties)."""
    counts = Counter(m.actor.code for m in mentions if m.actor.is_state)
    last_seen = {m.actor.code: m.start for m in mentions}
    ranked = sorted(counts, key=lambda c: (-counts[c], -last_seen[c]))
    return ranked[:count] if len(ranked) >= count else []


def _office(role: StateRole, span: Span) -> str | None:
    return (role.office or span.text) if role.role == "office" else None


def _actor(named: NamedActor, span: Span) -> Actor:
    return Actor(
        code=named.code,
        sector=named.sector,
        name=named.name,
        entity_text=span.text,
        wikidata=named.wikidata,
        office=named.office,
    )


def _to_mention(parsed: ParsedParagraph, span: Span, actor: Actor, kind: ActorKind) -> ActorMention:
    actor = replace(actor, entity_text=span.text)
    return ActorMention(actor, parsed.offset(span.start_char), parsed.offset(span.end_char), kind)
