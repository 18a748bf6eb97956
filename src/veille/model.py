"""Typed data classes that the pipeline stages pass to each other.

The flow is ingest -> clean -> nlp -> actors -> events -> store, and every stage
speaks in these classes only. Offsets (``start``/``end``) are always character
offsets into ``Document.text``, the original text of the input, so evidence can
be sliced out of the source exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from veille import __version__

if TYPE_CHECKING:
    from spacy.tokens import Doc

CODER = f"veille {__version__}"

DatePrecision = Literal["day", "month", "year"]
#: Where an event's date comes from: its text (sentence, paragraph or dateline) or, when the
#: text states none, the document's publication date.
DateSource = Literal["text", "published"]

#: The 16 PLOVER event types (shared/spec/EVENTS.md), by quad.
PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",  # verbal cooperation
    "COOPERATE",
    "AID",
    "RETREAT",  # material cooperation
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",  # verbal conflict
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",  # material conflict
)
#: PLOVER quads; ``PLOVER_TYPES`` lists the 16 types quad by quad (4, 3, 4, 5).
QUADS: dict[str, tuple[str, ...]] = {
    "verbal_cooperation": PLOVER_TYPES[0:4],
    "material_cooperation": PLOVER_TYPES[4:7],
    "verbal_conflict": PLOVER_TYPES[7:11],
    "material_conflict": PLOVER_TYPES[11:16],
}
QUAD_OF = {event_type: quad for quad, types in QUADS.items() for event_type in types}


@dataclass(frozen=True, slots=True)
class Document:
    """One article as read from disk, before any cleaning.

    ``text`` is the original text: the file content for ``.txt``, the main text
    extracted by trafilatura for HTML, the ``text`` field for a JSONL line.
    """

    doc_id: str
    doc_path: str
    text: str
    source_format: Literal["txt", "html", "jsonl"]
    title: str | None = None
    author: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None

    @staticmethod
    def content_id(text: str) -> str:
        """Content hash used as ``doc_id``: the same text always gets the same id."""
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of the original text (one line or more), classified by the cleaner.

    ``text == document.text[start:end]`` always holds, which is how every kept
    character keeps its original offset.
    """

    start: int
    end: int
    text: str
    language: str | None
    kept: bool
    reason: str | None = None  # why it was dropped: "boilerplate:<rule>" or "language:<code>"


@dataclass(frozen=True, slots=True)
class CleanDocument:
    document: Document
    paragraphs: tuple[Paragraph, ...]
    near_duplicate_of: str | None = None  # doc_id of an earlier near-identical document

    @property
    def kept(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.kept)


@dataclass(frozen=True, slots=True)
class ParsedParagraph:
    """A kept paragraph and its spaCy analysis.

    Document offset of a token = ``paragraph.start + token.idx``.
    """

    paragraph: Paragraph
    doc: Doc

    def offset(self, char_index: int) -> int:
        return self.paragraph.start + char_index


@dataclass(frozen=True, slots=True)
class Actor:
    """A PLOVER entity object (see shared/spec/EVENTS.md, "Actors")."""

    code: str
    sector: tuple[str, ...]
    name: str
    entity_text: str
    wikidata: str | None = None
    office: str | None = None

    @property
    def is_state(self) -> bool:
        """States and their organs; armed groups carry a country code but are not states."""
        return self.code not in NON_STATE_CODES and not NON_STATE_SECTORS & set(self.sector)

    @property
    def identity(self) -> str:
        """What the evaluation compares: the code for states, the canonical name otherwise."""
        return self.code if self.is_state else self.name

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "sector": list(self.sector),
            "name": self.name,
            "entity_text": self.entity_text,
            "wikidata": self.wikidata,
        }
        if self.office:
            out["office"] = self.office
        return out


#: Codes that are not states: their identity is their canonical name.
NON_STATE_CODES = frozenset({"IGO", "UNO", "EUR", "NGO", "IMG", "ISM", "MNC"})
#: Codes of intergovernmental organisations (the UN and the EU have their own).
ORGANISATION_CODES = frozenset({"IGO", "UNO", "EUR"})
#: Sectors that make an actor with a country code a non-state actor (rebels, criminals, ...).
NON_STATE_SECTORS = frozenset({"REB", "CRM", "UAF", "INS"})

#: What counts and graph edges count: stories (each real-world event once, however many
#: outlets told it; ``veille.stories``) or raw events.
Unit = Literal["stories", "events"]

ActorKind = Literal["country", "organ", "person", "group", "organisation", "reference"]


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor recognised at ``[start, end)`` of ``Document.text``."""

    actor: Actor
    start: int
    end: int
    kind: ActorKind

    def to_json(self, doc_path: str) -> dict[str, Any]:
        return {
            "doc_path": doc_path,
            "start": self.start,
            "end": self.end,
            "entity_text": self.actor.entity_text,
            "code": self.actor.code,
            "sector": list(self.actor.sector),
            "name": self.actor.name,
            "office": self.actor.office,
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class EventLocation:
    """Mordecai3-style resolved place."""

    extracted_place: str
    geonameid: int | None
    lat: float | None
    lon: float | None
    country_code: str | None  # ISO 3166-1 alpha-3

    def to_json(self) -> dict[str, Any]:
        return {
            "extracted_place": self.extracted_place,
            "geonameid": self.geonameid,
            "lat": self.lat,
            "lon": self.lon,
            "country_code": self.country_code,
        }


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    value: date
    precision: DatePrecision
    text: str  # the expression it was read from

    @property
    def iso(self) -> str:
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found at ``[start, end)`` of the text it was searched in."""

    start: int
    end: int
    date: ResolvedDate


@dataclass(frozen=True, slots=True)
class QuantityMention:
    """A counted quantity such as "200 soldats" (key "persons") or "trois blessés" ("injured")."""

    start: int
    end: int
    key: str
    value: int


@dataclass(frozen=True, slots=True)
class Signals:
    """What the coder knows about how it found an event (all in [0, 1] or small counts)."""

    event: str
    from_syntax: bool = True  # parties read off the parse, not the nearest actor
    has_actor: bool = True
    has_recipient: bool = False
    parties: int = 1
    noun_trigger: bool = False  # "l'attaque" rather than "ont attaqué"
    planned: bool = False  # a promise or plan coded AGREE
    derived: bool = False  # put together from several tellings (joint action, attack sides)
    nonstate: bool = False  # a group or organisation takes part
    repeats: int = 1  # how many sentences of the article give this event
    lede: bool = False  # in the headline or first lines

    def features(self) -> dict[str, float]:
        values = asdict(self)
        event = values.pop("event")
        features = {name: float(value) for name, value in values.items()}
        features["parties"] = min(self.parties, 3) / 3
        features["repeats"] = math.log(self.repeats)
        for quad in sorted(QUADS):
            features[quad] = float(QUAD_OF.get(event) == quad)
        return features


@dataclass(slots=True)
class Event:
    """One PLOVER event with Veille's evidence fields; serialises to the spec's JSONL."""

    doc_path: str
    doc_id: str
    event: str
    actor: list[Actor]
    recipient: list[Actor]
    event_text: str
    start: int
    end: int
    mode: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    date: ResolvedDate | None = None
    date_source: DateSource | None = None
    historical: bool = False
    event_loc: EventLocation | None = None
    size: dict[str, int] | None = None
    confidence: float = 0.5
    #: How the coder found it (what ``confidence`` is computed from); not part of the output.
    signals: Signals | None = field(default=None, compare=False, repr=False)

    @property
    def participants(self) -> frozenset[str]:
        return frozenset(a.identity for a in (*self.actor, *self.recipient))

    @property
    def id(self) -> str:
        key = json.dumps(
            [self.doc_id, self.event, sorted(self.participants), self.start, self.end],
            ensure_ascii=False,
        )
        return "e" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_path": self.doc_path,
            "doc_id": self.doc_id,
            "event": self.event,
            "mode": list(self.mode),
            "context": list(self.context),
            "actor": [a.to_json() for a in self.actor],
            "recipient": [a.to_json() for a in self.recipient],
            "date": self.date.iso if self.date else None,
            "date_precision": self.date.precision if self.date else None,
            # A date without a source can only have been read from the text.
            "date_source": (self.date_source or "text") if self.date else None,
            "historical": self.historical,
            "event_loc": self.event_loc.to_json() if self.event_loc else None,
            "size": dict(self.size) if self.size else None,
            "event_text": self.event_text,
            "text_info": {"start": self.start, "end": self.end},
            "confidence": round(self.confidence, 3),
            "coder": CODER,
        }


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything Veille found in one document."""

    clean: CleanDocument
    mentions: tuple[ActorMention, ...]
    events: tuple[Event, ...]

    @property
    def document(self) -> Document:
        return self.clean.document


@dataclass(frozen=True, slots=True)
class Fetch:
    """One answer a watched address gave (``veille.watch``), as ``veille.store`` keeps it.

    ``body`` is the response as received (after its Content-Encoding is undone), ``None``
    for a 304 or an error answer; the store keeps it compressed, keyed by its SHA-256.
    """

    url: str  # the address as requested: already freed of tracking parameters and AMP forms
    kind: Literal["feed", "page"]
    status: int
    fetched_at: datetime  # UTC, naive (as the store's timestamps)
    final_url: str | None = None  # after redirects
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body: bytes | None = None
    source: str | None = None  # the feed or sitemap that listed a page
    canonical_url: str | None = None  # the page's <link rel="canonical">, normalised

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None


@dataclass(frozen=True, slots=True)
class StoredFetch:
    """What the store remembers of a fetch: enough for a conditional GET or a re-reading."""

    url: str
    status: int
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    content_type: str | None
    sha256: str | None
    doc_id: str | None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class StoryMember:
    """What story merging (``veille.stories``) knows of one stored event."""

    event_id: str
    doc_id: str
    event: str
    participants: frozenset[str]
    date: date | None = None  # the first day of the date as stated (``ResolvedDate.value``)
    precision: DatePrecision | None = None
    date_source: DateSource | None = None
    published: date | None = None  # the document's publication date
    place: str | None = None
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    place_country: str | None = None
    confidence: float = 0.5
    outlet: str | None = None  # host of the document's URL
    seen: date | None = None  # when Veille stored (or the outlet published) the document


@dataclass(frozen=True, slots=True)
class Story:
    """One real-world event as reported by one or more sources (``veille.stories``).

    ``sources`` counts documents; ``independent_sources`` counts them once per outlet and
    once per group of near-identical texts (wire copies); ``confidence`` rises with it.
    """

    story_id: str
    event: str
    participants: tuple[str, ...]
    date: str | None  # ISO, at ``date_precision``
    date_precision: DatePrecision | None
    place: str | None
    place_country: str | None
    lat: float | None
    lon: float | None
    events: int
    sources: int
    independent_sources: int
    outlets: tuple[str, ...]
    confidence: float
    first_seen: date | None
    last_seen: date | None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["participants"] = list(self.participants)
        out["outlets"] = list(self.outlets)
        out["confidence"] = round(self.confidence, 3)
        for key in ("first_seen", "last_seen"):
            out[key] = out[key].isoformat() if out[key] else None
        return out
