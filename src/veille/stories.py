"""Stories: the events that several documents give of one real-world event, merged.

Two events are told of the same thing when they have the same PLOVER type, their
participants agree (the same identities, or one side names a few more), their dates can
be the same day at the precision each states ("février 2025" holds "17 février 2025") and
their places do not contradict. A story holds events that all agree pairwise; an event
joins the best-fitting such story or starts one, and never moves afterwards, so merging
is incremental (each stored document joins the stories already there) and stable (a story
keeps the id it got from its first event).

Sources are the documents of a story; independent sources count each outlet (the host of
the document's URL) once, and near-identical texts (wire copies) once whatever their
outlets. The story's confidence is a noisy-or of its independent sources' confidences.

The store calls ``assign`` before it writes a document's events and ``refresh`` after it
writes or deletes them; ``StoryBook`` is the same merging in memory (tests, evaluation).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from veille import summaries
from veille.lexicon import fold
from veille.model import DocumentResult, Event, Story, StoryMember, Unit

if TYPE_CHECKING:
    from datasketch import MinHash

    from veille.store import Store

#: A date read from the text is that day give or take this many days (time zones, "hier").
DAY_SLACK = timedelta(days=1)
#: An event dated by its publication date happened on that day or up to this many days before.
PUBLISHED_SLACK = timedelta(days=7)
#: Two places in the same country contradict each other beyond this distance (km).
PLACE_DISTANCE_KM = 150.0
#: Near-identical texts (Jaccard of word shingles, as ``veille.clean``) are one source.
NEAR_DUPLICATE_JACCARD = 0.8
#: Candidate events are looked up this many days either side of the new event's date.
CANDIDATE_DAYS = 400

_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, None: 3}


# -- when two events tell the same thing -----------------------------------------------------


def date_window(member: StoryMember) -> tuple[date, date] | None:
    """The days the event may have happened on; ``None`` when nothing says."""
    if member.date is None:
        return None
    first = member.date
    if member.precision == "year":
        last = date(first.year, 12, 31)
    elif member.precision == "month":
        next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = next_month - timedelta(days=1)
    else:
        last = first
    if member.date_source == "published":
        return first - PUBLISHED_SLACK, last
    return first - DAY_SLACK, last + DAY_SLACK


def dates_agree(a: StoryMember, b: StoryMember) -> bool:
    """Whether the two can have happened on the same day. An event that neither its text nor
    its document dates says too little: it is told with no other (a story of its own)."""
    window_a, window_b = date_window(a), date_window(b)
    if window_a is None or window_b is None:
        return False
    return window_a[0] <= window_b[1] and window_b[0] <= window_a[1]


def participants_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """The same parties, or one telling names some more (the attacker, a third state)."""
    return bool(a & b) and (a <= b or b <= a)


def places_agree(a: StoryMember, b: StoryMember) -> bool:
    """Places contradict in different countries (unless both countries take part: a joint
    operation across a border), or far apart in one country (unless one is the country)."""
    if a.place_country and b.place_country and a.place_country != b.place_country:
        return {a.place_country, b.place_country} <= a.participants | b.participants
    if None in (a.lat, a.lon, b.lat, b.lon) or _is_vague(a) or _is_vague(b):
        return True
    return _distance_km(a, b) <= PLACE_DISTANCE_KM


def same_story(a: StoryMember, b: StoryMember) -> bool:
    return (
        a.event == b.event
        and participants_agree(a.participants, b.participants)
        and dates_agree(a, b)
        and places_agree(a, b)
    )


def choose_story(
    member: StoryMember, candidates: Mapping[str, Sequence[StoryMember]]
) -> str | None:
    """The story ``member`` joins: among those whose every member agrees with it, the one
    with the same parties, then the most shared parties, the nearest date, the most events."""
    best: tuple[Any, ...] | None = None
    chosen = None
    for story_id, members in candidates.items():
        if not members or not all(same_story(member, other) for other in members):
            continue
        shared = max(len(member.participants & other.participants) for other in members)
        exact = any(member.participants == other.participants for other in members)
        score = (exact, shared, -_date_gap(member, members), len(members), story_id)
        if best is None or score > best:
            best, chosen = score, story_id
    return chosen


def story_id_for(member: StoryMember) -> str:
    """A new story's id: its first event's, so that coding a document again gives it back."""
    return "s" + member.event_id.removeprefix("e")


# -- what a story says -------------------------------------------------------------------------


def outlet_of(url: str | None) -> str | None:
    """The outlet of a document: the host of its URL, without ``www.``."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def independent_groups(
    members: Sequence[StoryMember], near_duplicates: Iterable[tuple[str, str]] = ()
) -> list[set[str]]:
    """The documents of a story grouped into independent sources: one group per outlet,
    and near-identical documents in one group whatever their outlets."""
    parent: dict[str, str] = {}

    def root(doc_id: str) -> str:
        while parent.setdefault(doc_id, doc_id) != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    by_outlet: dict[str, str] = {}
    for member in members:
        root(member.doc_id)
        if member.outlet:
            join(member.doc_id, by_outlet.setdefault(member.outlet, member.doc_id))
    for a, b in near_duplicates:
        if a in parent and b in parent:
            join(a, b)
    groups: dict[str, set[str]] = {}
    for doc_id in parent:
        groups.setdefault(root(doc_id), set()).add(doc_id)
    return sorted(groups.values(), key=lambda group: min(group))


def summarise(
    story_id: str, members: Sequence[StoryMember], near_duplicates: Iterable[tuple[str, str]] = ()
) -> Story:
    """A story's date and place from its best-dated members, its sources and confidence."""
    groups = independent_groups(members, near_duplicates)
    best_rank = min(_date_rank(m) for m in members)
    best_dated = [m for m in members if _date_rank(m) == best_rank]
    dates = Counter((m.date, m.precision) for m in best_dated if m.date)
    story_date = min(dates, key=lambda d: (-dates[d], d[0])) if dates else None
    placed = sorted(
        (m for m in members if m.place), key=lambda m: (_is_vague(m), _date_rank(m), m.event_id)
    )
    place = placed[0] if placed else None
    best_in_group = [max(m.confidence for m in members if m.doc_id in g) for g in groups]
    seen = [m.seen for m in members if m.seen]
    # The parties: those of the fullest telling, the others' extra names in order after.
    parties = sorted(members, key=lambda m: (-len(m.participants), m.event_id))[0].participants
    return Story(
        story_id=story_id,
        event=members[0].event,
        participants=tuple(sorted(parties)),
        date=_iso(*story_date) if story_date else None,
        date_precision=story_date[1] if story_date else None,
        place=place.place if place else None,
        place_country=place.place_country if place else None,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        events=len(members),
        sources=len({m.doc_id for m in members}),
        independent_sources=len(groups),
        outlets=tuple(sorted({m.outlet for m in members if m.outlet})),
        confidence=1 - math.prod(1 - c for c in best_in_group),
        first_seen=min(seen) if seen else None,
        last_seen=max(seen) if seen else None,
    )


# -- in memory -------------------------------------------------------------------------------


class StoryBook:
    """Stories kept in memory: the store's merging without a database."""

    def __init__(self) -> None:
        self.members: dict[str, list[StoryMember]] = {}
        self._texts: dict[str, str] = {}

    def add(self, member: StoryMember, text: str | None = None) -> str:
        """Put ``member`` in its story (a new one if none fits); its story id."""
        if text is not None:
            self._texts[member.doc_id] = text
        candidates = {
            story_id: members
            for story_id, members in self.members.items()
            if members[0].event == member.event
        }
        story_id = choose_story(member, candidates) or story_id_for(member)
        self.members.setdefault(story_id, []).append(member)
        return story_id

    def story(self, story_id: str) -> Story:
        members = self.members[story_id]
        texts = {m.doc_id: self._texts[m.doc_id] for m in members if m.doc_id in self._texts}
        return summarise(story_id, members, near_duplicate_pairs(texts))


def members_of(result: DocumentResult, seen: date | None = None) -> list[StoryMember]:
    """The story members of a coded document's events."""
    document = result.document
    return [
        member_of(event, document.published, outlet_of(document.url), seen or document.published)
        for event in result.events
    ]


def member_of(
    event: Event, published: date | None, outlet: str | None, seen: date | None
) -> StoryMember:
    loc = event.event_loc
    return StoryMember(
        event_id=event.id,
        doc_id=event.doc_id,
        event=event.event,
        participants=event.participants,
        date=event.date.value if event.date else None,
        precision=event.date.precision if event.date else None,
        date_source=(event.date_source or "text") if event.date else None,
        published=published,
        place=loc.extracted_place if loc else None,
        geonameid=loc.geonameid if loc else None,
        lat=loc.lat if loc else None,
        lon=loc.lon if loc else None,
        place_country=loc.country_code if loc else None,
        confidence=event.confidence,
        outlet=outlet,
        seen=seen,
    )


def near_duplicate_pairs(texts: Mapping[str, str]) -> list[tuple[str, str]]:
    """Pairs of documents whose texts are near-identical (MinHash Jaccard, as veille.clean)."""
    ids = sorted(texts)
    signatures = {doc_id: _signature(texts[doc_id]) for doc_id in ids}
    return [
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if signatures[a].jaccard(signatures[b]) >= NEAR_DUPLICATE_JACCARD
    ]


# -- in the database -------------------------------------------------------------------------

_MEMBER_COLUMNS = (
    "e.story_id, e.event_id, e.doc_id, e.event, e.date_start, e.date_precision,"
    " e.date_source, d.published, e.place, e.geonameid, e.lat, e.lon, e.place_country,"
    " e.confidence, d.url, coalesce(d.published, CAST(d.ingested_at AS DATE))"
)


def assign(store: Store, result: DocumentResult) -> dict[str, str]:
    """The story of each event of ``result`` (about to be stored): event id -> story id.

    Runs inside the store's transaction, before the events are written.
    """
    seen = result.document.published or datetime.now(UTC).date()
    assigned: dict[str, str] = {}
    pending: dict[str, list[StoryMember]] = {}  # this document's stories, not yet stored
    for member in members_of(result, seen):
        if member.event_id in assigned:
            continue
        candidates = _stored_candidates(store, member)
        for story_id, members in pending.items():
            candidates.setdefault(story_id, []).extend(members)
        story_id = choose_story(member, candidates)
        if story_id is None:
            story_id = story_id_for(member)
            while story_id in candidates or _story_exists(store, story_id):
                story_id = "s" + _digest(story_id)
        pending.setdefault(story_id, []).append(member)
        assigned[member.event_id] = story_id
    return assigned


def refresh(store: Store, story_ids: Iterable[str]) -> None:
    """Write the summaries of these stories again from their events (gone when none left)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    for story_id in sorted(set(story_ids)):
        members = _stored_members(store, "e.story_id = ?", [story_id]).get(story_id, [])
        if not members:
            store.connection.execute("DELETE FROM stories WHERE story_id = ?", [story_id])
            continue
        story = summarise(story_id, members, _stored_near_duplicates(store, members))
        values = [
            story.event,
            json.dumps(list(story.participants), ensure_ascii=False),
            story.date,
            story.date_precision,
            _date_start(story),
            story.place,
            story.place_country,
            story.events,
            story.sources,
            story.independent_sources,
            story.confidence,
            story.first_seen,
            story.last_seen,
            json.dumps(story.to_json(), ensure_ascii=False),
            now,
        ]
        updated = store.connection.execute(
            "UPDATE stories SET event = ?, participants = ?, story_date = ?, date_precision = ?,"
            " date_start = ?, place = ?, place_country = ?, events = ?, sources = ?,"
            " independent_sources = ?, confidence = ?, first_seen = ?, last_seen = ?,"
            " record = ?, updated_at = ? WHERE story_id = ? RETURNING story_id",
            [*values, story_id],
        ).fetchone()
        if updated is None:
            store.connection.execute(
                "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [story_id, *values, now],
            )


def document_stories(store: Store, doc_id: str) -> set[str]:
    """The stories that a stored document's events belong to."""
    rows = store.connection.execute(
        "SELECT DISTINCT story_id FROM events WHERE doc_id = ? AND story_id IS NOT NULL", [doc_id]
    ).fetchall()
    return {story_id for (story_id,) in rows}


def rebuild(store: Store) -> int:
    """Merge every stored event again, document by document in the order they were stored
    (for a database coded before stories existed); the number of stories."""
    store.connection.execute("UPDATE events SET story_id = NULL")
    store.connection.execute("DELETE FROM stories")
    doc_rows = store.connection.execute(
        "SELECT doc_id FROM documents ORDER BY ingested_at, doc_id"
    ).fetchall()
    for (doc_id,) in doc_rows:
        members = _stored_members(store, "e.doc_id = ?", [doc_id]).get(None, [])
        touched: set[str] = set()
        for member in sorted(members, key=lambda m: m.event_id):
            candidates = _stored_candidates(store, member)
            story_id = choose_story(member, candidates) or story_id_for(member)
            store.connection.execute(
                "UPDATE events SET story_id = ? WHERE event_id = ?", [story_id, member.event_id]
            )
            touched.add(story_id)
        refresh(store, touched)
    if store.schema_version() >= summaries.SUMMARIES_VERSION:
        summaries.rebuild(store)  # events changed stories: count them again
    row = store.connection.execute("SELECT count(*) FROM stories").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """Which stories to list (or a watch follows): each field narrows the list."""

    actor: str | None = None  # a code ("MAR") or a canonical name, as for events
    partner: str | None = None  # a second party of the same story
    event_type: str | None = None
    context: str | None = None
    text: str | None = None  # in an evidence sentence, without case or accents
    since: date | None = None
    until: date | None = None
    min_sources: int = 0  # independent sources
    min_confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("since", "until"):
            out[key] = out[key].isoformat() if out[key] else None
        return {key: value for key, value in out.items() if value not in (None, 0, 0.0)}

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> StoryFilter:
        known = {key: values[key] for key in cls.__dataclass_fields__ if key in values}
        for key in ("since", "until"):
            if isinstance(known.get(key), str):
                known[key] = date.fromisoformat(known[key])
        return cls(**known)


def story_conditions(store: Store, where: StoryFilter) -> tuple[str, list[Any]]:
    """SQL conditions over ``stories s`` for ``where``, and their bound parameters: the
    event filters hold when some event of the story passes them."""
    from veille.store import EventFilter

    sql = ["TRUE"]
    params: list[Any] = []

    def some_event(event_filter: EventFilter, context: str | None, text: str | None) -> None:
        conditions, event_params = store.event_conditions(event_filter, context, text)
        sql.append(
            "s.story_id IN (SELECT e.story_id FROM events e JOIN documents d USING (doc_id)"
            f" WHERE {conditions})"
        )
        params.extend(event_params)

    if any((where.actor, where.event_type, where.context, where.text, where.since, where.until)):
        events = EventFilter(where.actor, where.event_type, where.since, where.until)
        some_event(events, where.context, where.text)
    if where.partner:
        some_event(EventFilter(actor=where.partner), None, None)
    if where.min_sources:
        sql.append("s.independent_sources >= ?")
        params.append(int(where.min_sources))
    if where.min_confidence:
        sql.append("s.confidence >= ?")
        params.append(float(where.min_confidence))
    return " AND ".join(sql), params


def story_page(
    store: Store, where: StoryFilter, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """One page of stories, latest first, and the number of all that match."""
    if not store._has_stories():  # served read-only, not migrated yet: no stories
        return 0, []
    conditions, params = story_conditions(store, where)
    row = store.connection.execute(
        f"SELECT count(*) FROM stories s WHERE {conditions}", params
    ).fetchone()
    rows = store.connection.execute(
        f"SELECT s.record FROM stories s WHERE {conditions}"
        " ORDER BY coalesce(s.date_start, s.first_seen) DESC NULLS LAST,"
        " s.independent_sources DESC, s.story_id LIMIT ? OFFSET ?",
        [*params, int(limit), int(offset)],
    ).fetchall()
    return (int(row[0]) if row else 0), [json.loads(record) for (record,) in rows]


def story_detail(store: Store, story_id: str) -> dict[str, Any] | None:
    """A story and its sources side by side: each document with its evidence sentences."""
    if not store._has_stories():
        return None
    row = store.connection.execute(
        "SELECT record FROM stories WHERE story_id = ?", [story_id]
    ).fetchone()
    if row is None:
        return None
    members = _stored_members(store, "e.story_id = ?", [story_id]).get(story_id, [])
    groups = independent_groups(members, _stored_near_duplicates(store, members))
    group_of = {doc_id: i for i, group in enumerate(groups) for doc_id in group}
    documents = store.connection.execute(
        "SELECT d.doc_id, d.doc_path, d.title, d.url, d.published, e.event_id, e.event_text,"
        " e.record FROM events e JOIN documents d USING (doc_id) WHERE e.story_id = ?"
        " ORDER BY d.published NULLS LAST, d.doc_id, e.start_offset",
        [story_id],
    ).fetchall()
    sources: dict[str, dict[str, Any]] = {}
    for doc_id, doc_path, title, url, published, event_id, text, record in documents:
        source = sources.setdefault(
            doc_id,
            {
                "doc_id": doc_id,
                "doc_path": doc_path,
                "title": title,
                "url": url,
                "outlet": outlet_of(url),
                "published": published.isoformat() if published else None,
                "independent_group": group_of.get(doc_id, 0),
                "evidence": [],
            },
        )
        event = json.loads(record)
        source["evidence"].append(
            {"event_id": event_id, "text": text, "date": event.get("date")}
            | {"confidence": event.get("confidence")}
        )
    return {"story": json.loads(row[0]), "sources": list(sources.values())}


def _stored_candidates(store: Store, member: StoryMember) -> dict[str, list[StoryMember]]:
    """The stored stories of ``member``'s type that share a party with it and lie near its
    date, with all their members."""
    if not member.participants:
        return {}
    marks = ", ".join("?" * len(member.participants))
    day = member.date or member.published
    params: list[Any] = [member.event, *sorted(member.participants)]
    near = ""
    if day is not None:
        near = " AND (e2.date_start IS NULL OR e2.date_start BETWEEN ? AND ?)"
        params += [day - timedelta(days=CANDIDATE_DAYS), day + timedelta(days=CANDIDATE_DAYS)]
    condition = (
        "e.story_id IN (SELECT e2.story_id FROM events e2 JOIN event_participants p"
        f" ON p.event_id = e2.event_id WHERE e2.event = ? AND p.identity IN ({marks}){near})"
    )
    return _stored_members(store, condition, params)


def _stored_members(
    store: Store, condition: str, params: list[Any]
) -> dict[str | None, list[StoryMember]]:
    rows = store.connection.execute(
        f"SELECT {_MEMBER_COLUMNS} FROM events e JOIN documents d USING (doc_id)"
        f" WHERE {condition} ORDER BY e.event_id",
        params,
    ).fetchall()
    if not rows:
        return {}
    event_ids = [row[1] for row in rows]
    parties: dict[str, set[str]] = {}
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        for event_id, identity in store.connection.execute(
            "SELECT event_id, identity FROM event_participants"
            f" WHERE event_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall():
            parties.setdefault(event_id, set()).add(identity)
    stories: dict[str | None, list[StoryMember]] = {}
    for row in rows:
        story_id, event_id, doc_id, event, day, precision, source, published, *rest = row
        place, geonameid, lat, lon, country, confidence, url, seen = rest
        stories.setdefault(story_id, []).append(
            StoryMember(
                event_id=event_id,
                doc_id=doc_id,
                event=event,
                participants=frozenset(parties.get(event_id, ())),
                date=day,
                precision=precision,
                date_source=source,
                published=published,
                place=place,
                geonameid=geonameid,
                lat=lat,
                lon=lon,
                place_country=country,
                confidence=confidence,
                outlet=outlet_of(url),
                seen=seen,
            )
        )
    return stories


def _stored_near_duplicates(store: Store, members: Sequence[StoryMember]) -> list[tuple[str, str]]:
    """Near-identical documents among a story's: as the cleaner marked them at ingest, and
    by comparing their texts (the cleaner remembers only one run's documents)."""
    doc_ids = sorted({m.doc_id for m in members})
    if len(doc_ids) < 2:
        return []
    rows = store.connection.execute(
        f"SELECT doc_id, near_duplicate_of, text FROM documents"
        f" WHERE doc_id IN ({', '.join('?' * len(doc_ids))})",
        doc_ids,
    ).fetchall()
    marked = [(doc_id, other) for doc_id, other, _text in rows if other]
    return marked + near_duplicate_pairs({doc_id: text for doc_id, _other, text in rows})


def _story_exists(store: Store, story_id: str) -> bool:
    row = store.connection.execute(
        "SELECT 1 FROM stories WHERE story_id = ? UNION ALL"
        " SELECT 1 FROM events WHERE story_id = ?",
        [story_id, story_id],
    ).fetchone()
    return row is not None


# -- helpers -----------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _signature(text: str) -> MinHash:
    from veille.clean import minhash

    return minhash(text)


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _date_rank(member: StoryMember) -> tuple[int, int]:
    """Lower is better dated: stated in the text before taken from the publication date,
    then day before month before year."""
    return (member.date_source == "published", _PRECISION_RANK[member.precision])


def _date_gap(member: StoryMember, members: Sequence[StoryMember]) -> float:
    own = date_window(member)
    gaps = [
        abs((own[0] - other[0]).days) + abs((own[1] - other[1]).days)
        for other in (date_window(m) for m in members)
        if own is not None and other is not None
    ]
    return min(gaps) if gaps else 0.0


def _iso(value: date, precision: str | None) -> str:
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _date_start(story: Story) -> date | None:
    if not story.date:
        return None
    parts = [int(part) for part in story.date.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def _is_vague(member: StoryMember) -> bool:
    """A country, or a part of one ("l'ouest du Niger"): its point is the country's."""
    return _names_country(member.place or "", member.place_country or "")


@lru_cache(maxsize=4096)
def _names_country(place: str, code: str) -> bool:
    from veille.graph import country_codes, country_names

    folded = fold(place)
    return folded in country_codes() or (
        code in country_names() and fold(country_names()[code]) in folded
    )


def _distance_km(a: StoryMember, b: StoryMember) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat or 0, a.lon or 0, b.lat or 0, b.lon or 0))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


__all__ = [
    "StoryBook",
    "StoryFilter",
    "Unit",
    "story_detail",
    "story_page",
    "assign",
    "choose_story",
    "date_window",
    "document_stories",
    "independent_groups",
    "member_of",
    "members_of",
    "outlet_of",
    "rebuild",
    "refresh",
    "same_story",
    "story_id_for",
    "summarise",
]
