"""Where and when an event happened when its trigger does not say.

The event coder (``veille.events``) reads a date from the event's sentence and a place from
the trigger's own locative complement ("s'est rendu à Rabat"). This module fills in the
rest, in this order, and never invents:

Dates (background events, ``historical: true``, keep only a date their sentence states):

1. the date stated in the sentence (``date_source: "text"``);
2. else the last date stated earlier in the same paragraph, when it is recent (from
   ``PARAGRAPH_DATE_DAYS`` before publication to ``PARAGRAPH_DATE_AHEAD`` after): the
   paragraph goes on about the same news;
3. else, for the lede (the paragraph that the dateline opens), the dateline's date
   ("BAMAKO, 17 février (AFP) -");
4. else the publication date, marked ``date_source: "published"``;
5. else none.

Places. A place name is found after a locative preposition of ``data/placing.yaml`` ("à
Gao", "dans la région de Tillabéri", "au nord du Mali") or, in a parsed sentence, as a town
the entity recogniser marks as a place and that is no actor mention ("ont quitté Tessalit").

1. the trigger's locative complement (``veille.events``); when that is a country and the
   sentence also names a town of that country, the town;
2. else a place the sentence names: attached to the trigger's clause first, then towns
   before regions before countries, the nearest to the trigger first. A name that is an
   actor mention used as an actor ("Rabat a condamné") is no place, but after a locative
   preposition a town is kept ("à Rabat"). A country is taken only after "en", "au", "aux"
   or "dans", where it is attached to the trigger or is a participant's country, and not
   when it is a participant named after "au"/"aux" as a receiver ("a exprimé son soutien au
   Mali"; for attacks, arrests, deployments and protests "au Mali" is where it happened);
   a region without a country ("en Afrique de l'Ouest") only when attached to the trigger;
3. else a place named in a neighbouring sentence of the paragraph (two before, one after;
   the sentences before first), when it lies in a participant's country (a country there
   only after "en" or "dans": only the text of those sentences is read, never their parse,
   which the cascade may have skipped);
4. else the dateline's town ("RABAT -", "Niamey (AFP) -"), then the towns and then the
   countries named in the title and lede, the first that lies in a participant's country (a
   wire agency's regional desk, "LE CAIRE (Reuters)", is not where a Sahel attack happened);
   for events between organisations and groups only, which have no country, the lede's first
   town. Background events take no place from outside their sentence.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Span, Token

from veille.dates import DateMention, find_dates
from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.model import (
    NON_STATE_CODES,
    Actor,
    ActorMention,
    CleanDocument,
    Event,
    EventLocation,
    ParsedParagraph,
    ResolvedDate,
)
from veille.places import PlaceKind, get_gazetteer
from veille.syntax import MentionsByToken, entities_in

#: An earlier sentence's date is the event's only when it lies this close before publication.
PARAGRAPH_DATE_DAYS = 45
#: ... or at most this many days after it (an announcement of the coming days).
PARAGRAPH_DATE_AHEAD = 7
#: Sentences of the paragraph read for a place, before and after the event's.
PARAGRAPH_BEFORE = 2
PARAGRAPH_AFTER = 1
#: Words of a place name tried after a preposition ("Arabie saoudite", "Bordj Badji Mokhtar").
MAX_NAME_WORDS = 4
#: The title and lede: the kept paragraphs up to the second one at least this long (shorter
#: ones are titles, datelines and captions).
MIN_LEDE_PARAGRAPH = 150
LEDE_PARAGRAPHS = 2
#: A dateline on a line of its own or opening the lede: the lede is the first kept paragraph
#: holding at least this many characters of text after the dateline.
MIN_LEDE_CHARS = 40
KIND_RANK: dict[PlaceKind, int] = {"town": 0, "region": 1, "country": 2}
#: Entity labels of the French model that name no place.
NOT_PLACE_LABELS = frozenset({"PER", "ORG"})


# -- vocabulary -------------------------------------------------------------------------


def _alternation(words: Iterable[str]) -> str:
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+").replace("'", "['’]") for w in unique)


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    locative: re.Pattern[str]
    dative: frozenset[str]
    locative_events: frozenset[str]
    town_only: frozenset[str]
    dateline: re.Pattern[str]
    dateline_lines: int


_UPPER = "A-ZÀ-ÖØ-Þ"


def _words_before_name(words: Iterable[str]) -> str:
    """An alternation of function words, each followed by spaces or, after an apostrophe
    ("l'", "d'"), by optional spaces."""
    parts = []
    for word in words:
        elided = word.endswith(("'", "’"))
        stem = re.escape(word.rstrip("'’")).replace(r"\ ", r"\s+")
        parts.append(stem + (r"['’]\s*" if elided else r"\s+"))
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=8)
def _vocabulary(language: str = DEFAULT_LANGUAGE) -> _Vocabulary:
    data = language_yaml(language, "placing.yaml")
    article = _words_before_name(data["name_articles"])
    of = _words_before_name(data["name_of_words"])
    descriptor = rf"(?:{article}?(?:{_alternation(data['place_descriptors'])})(?:\s+|-){of})"
    space = r"[^\S\n]"  # a name never runs over a line break
    connector = rf"(?:(?:{_alternation(data['name_connectors'])})(?:{space}|-)+)"
    name = (
        rf"[{_UPPER}][\w'’-]*(?:(?:{space}|-)+{connector}?(?:d['’]|l['’])?[\w'’-]+)"
        rf"{{0,{MAX_NAME_WORDS - 1}}}"
    )
    # Function words in any case ("Dans la région de"), the name with its capital.
    locative = re.compile(
        rf"(?<![\w'’-])(?P<prep>(?i:{_alternation(data['locative_prepositions'])}))\s+"
        rf"(?P<phrase>(?i:{descriptor}|{article})?)(?=(?P<name>{name}))"
    )  # the name is looked ahead, so that its words may open the next match ("à Gao et à Kidal")
    separators = _alternation(data["dateline_separators"])
    dateline = re.compile(
        rf"^\s*(?P<place>[{_UPPER}][\w'’.]*(?:[ -][{_UPPER}][\w'’.]*){{0,3}})"
        rf"\s*(?:\((?P<source1>[^()\n]{{1,40}})\))?"
        rf"\s*(?:,\s*(?P<date>[^()\n–—-]{{3,40}}?))?"
        rf"\s*(?:\((?P<source2>[^()\n]{{1,40}})\))?"
        rf"\s*(?P<sep>{separators})?(?=\s|$)"
    )
    return _Vocabulary(
        locative=locative,
        dative=frozenset(data["dative_prepositions"]),
        locative_events=frozenset(data["locative_event_types"]),
        town_only=frozenset(data["town_only_prepositions"]),
        dateline=dateline,
        dateline_lines=int(data["dateline_lines"]),
    )


# -- places named in a text -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named at ``[start, end)`` of the text searched."""

    start: int
    end: int
    location: EventLocation
    kind: PlaceKind
    preposition: str | None  # the locative preposition before it (lowercase), if any


def locative_places(
    text: str,
    countries: Sequence[str] = (),
    language: str = DEFAULT_LANGUAGE,
    window: tuple[int, int] | None = None,
) -> list[PlaceMention]:
    """Place names after a locative preposition ("à Gao", "dans le nord du Mali"); only those
    whose preposition starts in ``window`` (start, end) of ``text`` and that end by its end,
    if given (offsets stay those of ``text``)."""
    gazetteer = get_gazetteer()
    found = []
    start, end = window or (0, len(text))
    for match in _vocabulary(language).locative.finditer(text, start, end):
        name = match.group("name")
        words = list(re.finditer(r"\S+", name))
        for count in range(len(words), 0, -1):
            end = match.start("name") + words[count - 1].end()
            phrase = text[match.start("phrase") : end].rstrip(" ,.;:!?»)")
            resolved = gazetteer.resolve(phrase, countries)
            if resolved is not None:
                location, kind = resolved
                preposition = " ".join(match.group("prep").lower().split()).replace("’", "'")
                found.append(PlaceMention(match.start("name"), end, location, kind, preposition))
                break
    return found


def _entity_places(sentence: Span, countries: Sequence[str]) -> list[PlaceMention]:
    """Place entities of a parsed sentence, wherever they stand ("ont quitté Tessalit")."""
    gazetteer = get_gazetteer()
    found = []
    for entity in entities_in(sentence):
        if entity.label_ != "LOC":
            continue
        resolved = gazetteer.resolve(entity.text, countries)
        # Without a preposition only a town says where ("opérant depuis le Sahel" does not).
        if resolved is not None and resolved[1] == "town":
            start = entity.start_char - sentence.start_char
            end = entity.end_char - sentence.start_char
            found.append(PlaceMention(start, end, resolved[0], resolved[1], None))
    return found


# -- the place of one event -------------------------------------------------------------


def event_place(
    from_trigger: EventLocation | None,
    trigger: Token,
    paragraph: ParsedParagraph,
    by_token: MentionsByToken,
    participants: Sequence[Actor],
    historical: bool,
    event_type: str,
) -> EventLocation | None:
    """The place of the event of ``trigger``: its own complement, else the sentence's, else
    the paragraph's (the dateline comes later, from ``situate``)."""
    sentence = trigger.sent
    language = trigger.doc.lang_
    countries = _countries(participants)
    # Who may be named after "à"/"au" as a party rather than as the place.
    locative_events = _vocabulary(language).locative_events
    parties = set() if event_type in locative_events else _identities(participants)
    in_sentence = _sentence_places(sentence, trigger, by_token, parties, countries)
    if from_trigger is not None:
        return _town_of(from_trigger, in_sentence) or from_trigger
    if in_sentence:
        return in_sentence[0].location
    if historical:
        return None
    return _paragraph_place(paragraph, sentence, countries, language)


def _sentence_places(
    sentence: Span,
    trigger: Token,
    by_token: MentionsByToken,
    parties: set[str],
    countries: Sequence[str],
) -> list[PlaceMention]:
    """The sentence's places that can be the event's, best first."""
    text = sentence.text
    base = sentence.start_char
    local = [(s - base, e - base, m) for s, e, m in by_token.starting_in(base, base + len(text))]
    language = sentence.doc.lang_
    candidates = locative_places(text, countries, language)
    for place in _entity_places(sentence, countries):
        if not any(_overlaps(place, (p.start, p.end)) for p in candidates):
            candidates.append(place)
    ranked = []
    for place in candidates:
        span = sentence.char_span(place.start, place.end, alignment_mode="expand")
        if span is None or span[0].ent_type_ in NOT_PLACE_LABELS:
            continue  # "a remis à Nasser Bourita": a person, not a place
        actor_uses = [m for s, e, m in local if _overlaps(place, (s, e))]
        if place.preposition is None and actor_uses:
            continue  # "Rabat a condamné": the government, not the place
        attached = _attached(span.root, place.preposition, trigger)
        if place.location.country_code is None and not attached:
            continue  # "un groupe actif en Afrique de l'Ouest": the group's, not the event's
        # "les opérations françaises au Mali": a noun's place, no party of the event
        receivers = set() if _modifies_other_noun(span.root, trigger) else parties
        if place.kind == "country" and not _country_says_where(
            place, attached, actor_uses, receivers, countries, language
        ):
            continue
        distance = abs(base + place.start - trigger.idx)
        key = (not attached, KIND_RANK[place.kind], place.preposition is None, distance)
        ranked.append((key, place))
    return [place for _, place in sorted(ranked, key=lambda item: item[0])]


def _country_says_where(
    place: PlaceMention,
    attached: bool,
    actor_uses: Sequence[ActorMention],
    parties: set[str],
    countries: Sequence[str],
    language: str,
) -> bool:
    """A country is the place where the sentence puts the event there ("au Mali" attached to
    the trigger) or where it is a participant's own country ("en Mauritanie")."""
    vocabulary = _vocabulary(language)
    if place.preposition is None or place.preposition in vocabulary.town_only:
        return False
    if place.preposition in vocabulary.dative and any(
        m.actor.identity in parties for m in actor_uses
    ):
        return False  # "a exprimé son soutien au Mali": the party, not the place
    return attached or _in_participant_country(place.location, countries)


def _town_of(country: EventLocation, places: Sequence[PlaceMention]) -> EventLocation | None:
    """A town of ``country`` the sentence names, when the trigger's place is that country."""
    if country.geonameid is None or country.country_code is None:
        return None
    resolved = get_gazetteer().resolve(country.extracted_place, [country.country_code])
    if resolved is None or resolved[1] != "country":
        return None
    for place in places:
        if place.kind == "town" and place.location.country_code == country.country_code:
            return place.location
    return None


def _paragraph_place(
    paragraph: ParsedParagraph, sentence: Span, countries: Sequence[str], language: str
) -> EventLocation | None:
    """A place named after a locative preposition in a neighbouring sentence of the paragraph
    (``PARAGRAPH_BEFORE`` sentences before, ``PARAGRAPH_AFTER`` after), in a participant's
    country; towns first, then the sentences before, the nearest first."""
    text = paragraph.paragraph.text  # the Doc's text, without joining its tokens again
    # The neighbours are reached from the sentence (not by listing the paragraph's sentences
    # for each event: quadratic on a long paragraph).
    first = last = sentence
    for _ in range(PARAGRAPH_BEFORE):
        if first.start > 0:
            first = first.doc[first.start - 1].sent
    for _ in range(PARAGRAPH_AFTER):
        if last.end < len(last.doc):
            last = last.doc[last.end].sent
    window_start, window_end = first.start_char, last.end_char
    ranked = []
    vocabulary = _vocabulary(language)
    # No locative phrase runs over a sentence start: those of the window are all found.
    for place in locative_places(text, countries, language, (window_start, window_end)):
        if place.start < window_start or sentence.start_char <= place.start < sentence.end_char:
            continue
        if not _in_participant_country(place.location, countries):
            continue
        # Another sentence's parse and mentions are not read (the cascade may not have
        # analysed it): a country counts there only after "en" or "dans".
        if place.kind == "country" and (
            place.preposition in vocabulary.dative or place.preposition in vocabulary.town_only
        ):
            continue
        before = place.start < sentence.start_char
        distance = sentence.start_char - place.start if before else place.start - sentence.end_char
        ranked.append(((KIND_RANK[place.kind], not before, distance), place))
    return min(ranked, key=lambda item: item[0])[1].location if ranked else None


def _in_participant_country(location: EventLocation, countries: Sequence[str]) -> bool:
    return location.country_code is not None and location.country_code in countries


def _identities(participants: Sequence[Actor]) -> set[str]:
    return {a.identity for a in participants}


def _countries(participants: Sequence[Actor]) -> list[str]:
    """The participants' country codes (armed groups carry the country they act in)."""
    codes = (a.code for a in participants if len(a.code) == 3 and a.code not in NON_STATE_CODES)
    return list(dict.fromkeys(codes))


def _overlaps(place: PlaceMention, span: tuple[int, int]) -> bool:
    return place.start < span[1] and span[0] < place.end


def _attached(place: Token, preposition: str | None, trigger: Token) -> bool:
    """The place's phrase hangs from the trigger ("arrêtés dans la région de Nador"), or from
    the verb the trigger hangs from ("a mené une attaque à Gao"); not from a noun in between
    ("a arrêté un membre de la cellule démantelée en France")."""
    if not trigger.dep_:
        return False
    phrase = _phrase_head(place, preposition)
    if phrase.head == trigger:
        return True
    return trigger.head != trigger and phrase.head == trigger.head and phrase != trigger


def _phrase_head(place: Token, preposition: str | None) -> Token:
    """The word the locative preposition introduces: the name itself, or the descriptor
    before it ("dans la région de Nador": "région")."""
    if preposition is None:
        return place
    first = preposition.split()[0]
    current = place
    for _ in range(3):
        if any(c.lower_ == first for c in current.children):
            return current
        if current.head == current or current.head.i > current.i:
            break
        current = current.head
    return place


def _modifies_other_noun(place: Token, trigger: Token) -> bool:
    """ "les opérations militaires au Mali": the place of a noun that is neither the trigger
    nor its object, so no receiver of the event ("a autorisé la vente au Maroc" has one)."""
    head = place.head
    return (
        head.pos_ in ("NOUN", "PROPN")
        and head != trigger
        and head.head != trigger
        and place.dep_ == "nmod"
    )


# -- dates --------------------------------------------------------------------------------


def earlier_date(
    text: str,
    sentence_start: int,
    published: datetime.date | None,
    language: str = DEFAULT_LANGUAGE,
) -> ResolvedDate | None:
    """The last date stated before ``sentence_start`` in ``text`` (its paragraph), when it is
    recent: the paragraph is still telling the same news. Without a publication date, only a
    full day (stated with its year) counts."""
    # The paragraph's dates are read once for all its sentences (reading the text before each
    # sentence is quadratic on a long paragraph); no date expression runs over a sentence start.
    found, ends = _paragraph_dates(text, published, language)
    before = bisect_right(ends, sentence_start)
    if not before:
        return None
    last = found[before - 1].date
    if published is None:
        return last if last.precision == "day" else None  # relative dates need ``published``
    if last.precision == "year":
        return None
    ahead = (last.value - published).days
    if -PARAGRAPH_DATE_DAYS <= ahead <= PARAGRAPH_DATE_AHEAD:
        return last
    return None


@lru_cache(maxsize=8)
def _paragraph_dates(
    text: str, published: datetime.date | None, language: str
) -> tuple[list[DateMention], list[int]]:
    """The dates of a paragraph (in text order, never overlapping) and where each ends."""
    found = find_dates(text, published, language=language)
    return found, [mention.end for mention in found]


def published_date(published: datetime.date) -> ResolvedDate:
    """The publication date as an event date (``date_source: "published"``)."""
    return ResolvedDate(published, "day", "")


# -- datelines ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dateline:
    """ "BAMAKO, 17 février (AFP) -" at the top of a document; offsets into its text."""

    start: int
    end: int
    place: EventLocation
    date: ResolvedDate | None


def find_dateline(
    text: str, published: datetime.date | None, language: str = DEFAULT_LANGUAGE
) -> Dateline | None:
    """The dateline among the first lines of ``text``: a town the gazetteer knows, then a
    date, an agency in parentheses or a dash. A country or a title ("Mali : ...") is none."""
    vocabulary = _vocabulary(language)
    offset = 0
    lines = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            lines += 1
            found = _dateline_in(line, offset, published, language)
            if found is not None:
                return found
            if lines >= vocabulary.dateline_lines:
                break
        offset += len(line)
    return None


def _dateline_in(
    line: str, offset: int, published: datetime.date | None, language: str
) -> Dateline | None:
    match = _vocabulary(language).dateline.match(line)
    if match is None:
        return None
    source = match.group("source1") or match.group("source2")
    date_text = match.group("date")
    date = None
    if date_text:
        dates = find_dates(date_text, published, language=language)
        if not dates or dates[0].start > 3:
            return None  # "Paris, capitale -": not a dateline's date
        date = dates[0].date
    if not (match.group("sep") or source or date):
        return None
    place = _dateline_town(match.group("place"))
    if place is None:
        return None
    return Dateline(offset + match.start("place"), offset + match.end(), place, date)


def _dateline_town(name: str) -> EventLocation | None:
    """ "RABAT", "LE CAIRE", "Rabat-Maroc" (the town, then its country)."""
    gazetteer = get_gazetteer()
    parts = [name, *re.split(r"\s*-\s*", name)[:1]]
    for part in parts:
        resolved = gazetteer.resolve(part)
        if resolved is not None:
            location, kind = resolved
            return location if kind == "town" else None
    return None


def lede_places(
    clean: CleanDocument, language: str = DEFAULT_LANGUAGE
) -> tuple[list[EventLocation], list[EventLocation]]:
    """The places named after a locative preposition in the title and the lede (the kept
    paragraphs up to the ``LEDE_PARAGRAPHS``-th long one): where the article sets its news
    ("a reçu mardi à Rabat son homologue", "s'est rendue au Maroc"). Its towns, then its
    regions of one country ("dans le nord de la Côte d'Ivoire"), then its countries, each in
    order of appearance; never a region without a country (the "Sahel" of a remark).
    ``language``: the document's, whose prepositions say which places are towns only."""
    found: list[PlaceMention] = []
    long_ones = 0
    for paragraph in clean.kept:
        found += locative_places(paragraph.text, (), paragraph.language or DEFAULT_LANGUAGE)
        long_ones += len(paragraph.text) >= MIN_LEDE_PARAGRAPH
        if long_ones == LEDE_PARAGRAPHS:
            break
    town_only = _vocabulary(language).town_only
    towns = [p.location for p in found if p.kind == "town"]
    regions = [p.location for p in found if p.kind == "region" and p.location.country_code]
    countries = [
        p.location for p in found if p.kind == "country" and p.preposition not in town_only
    ]
    return towns + regions, countries


def _lede_end(clean: CleanDocument, dateline: Dateline) -> int:
    """Where the lede that the dateline opens ends (a document offset)."""
    for paragraph in clean.kept:
        if paragraph.end - max(paragraph.start, dateline.end) >= MIN_LEDE_CHARS:
            return paragraph.end
    return dateline.end


# -- the document pass --------------------------------------------------------------------


def document_language(clean: CleanDocument) -> str:
    """The language of most of a document's kept text (the default for an empty one)."""
    sizes: Counter[str] = Counter()
    for paragraph in clean.kept:
        sizes[paragraph.language or DEFAULT_LANGUAGE] += len(paragraph.text)
    return sizes.most_common(1)[0][0] if sizes else DEFAULT_LANGUAGE


def situate(events: Sequence[Event], clean: CleanDocument) -> list[Event]:
    """Every event with its date source, and the dateline's date and place or the publication
    date where its sentence and paragraph gave none (see the module's docstring)."""
    if not events:
        return []
    published = clean.document.published
    language = document_language(clean)
    dateline = find_dateline(clean.document.text, published, language)
    lede_end = _lede_end(clean, dateline) if dateline is not None else -1
    # Where the dateline says the article was written, then the lede's places.
    towns, countries_named = lede_places(clean, language)
    settings = ([dateline.place] if dateline is not None else []) + towns + countries_named
    out = []
    for event in events:
        date, source = event.date, event.date_source
        if date is not None:
            source = source or "text"
        elif not event.historical:
            if dateline is not None and dateline.date is not None and event.start < lede_end:
                date, source = dateline.date, "text"
            elif published is not None:
                date, source = published_date(published), "published"
        place = event.event_loc
        if place is None and not event.historical:
            countries = _countries(_participants(event))
            if countries:
                place = next((t for t in settings if _in_participant_country(t, countries)), None)
            else:  # only organisations and groups: the lede's town, if any (not a wire desk's)
                place = towns[0] if towns else None
        out.append(replace(event, date=date, date_source=source, event_loc=place))
    return out


def _participants(event: Event) -> list[Actor]:
    return [*event.actor, *event.recipient]
