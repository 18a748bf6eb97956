"""The read-only HTTP API served by ``veille serve`` (FastAPI; OpenAPI docs at ``/docs``).

Every endpoint is a GET over a DuckDB file opened read-only: analysts can browse events,
actors, the cooperation graph and the documents, never change them. Lists are paginated
(``limit`` at most 500) and share one set of event filters: actor (code or canonical name),
event type, context, date range and a substring of the evidence sentence. User input only
ever reaches SQL as bound parameters.
"""

from __future__ import annotations

import math
import re
import threading
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

import snowballstemmer
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BeforeValidator

from veille import __version__
from veille.lexicon import fold, load_csv
from veille.model import NON_STATE_CODES, PLOVER_TYPES, Actor
from veille.store import EventFilter, Store

MAX_PAGE = 500
DEFAULT_PAGE = 50
#: Offsets past this are refused (422) rather than passed to the database as huge integers.
MAX_OFFSET = 10_000_000
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"

#: PLOVER quads; ``PLOVER_TYPES`` lists the 16 types quad by quad (4, 3, 4, 5).
QUADS: dict[str, tuple[str, ...]] = {
    "verbal_cooperation": PLOVER_TYPES[0:4],
    "material_cooperation": PLOVER_TYPES[4:7],
    "verbal_conflict": PLOVER_TYPES[7:11],
    "material_conflict": PLOVER_TYPES[11:16],
}
QUAD_OF = {event_type: quad for quad, types in QUADS.items() for event_type in types}


# -- shared query parameters ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventQuery:
    """The event filters every list endpoint accepts."""

    actor: str | None
    event_type: str | None
    context: str | None
    since: date | None
    until: date | None
    text: str | None

    def where(self, limit: int | None = None) -> EventFilter:
        # A country's name stands for its code, so "Maroc" also finds the DGST's events.
        actor = country_codes().get(fold(self.actor), self.actor) if self.actor else None
        return EventFilter(actor, self.event_type, self.since, self.until, limit)


def _iso_date_only(value: object) -> object:
    # Pydantic also reads "0.0" or "1e9" as a Unix time; the schema promises YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def brief_query(
    event_type: Annotated[
        str | None, Query(alias="type", max_length=50, description="PLOVER type, e.g. COOPERATE.")
    ] = None,
    context: Annotated[
        str | None, Query(max_length=50, description="PLOVER context, e.g. terrorism.")
    ] = None,
    since: Annotated[IsoDate | None, Query(description="Earliest date (YYYY-MM-DD).")] = None,
    until: Annotated[IsoDate | None, Query(description="Latest date (YYYY-MM-DD).")] = None,
    text: Annotated[
        str | None,
        Query(max_length=500, description="Substring of the evidence sentence (no case/accents)."),
    ] = None,
) -> EventQuery:
    """The event filters of an actor brief: the actor is the path, not a filter."""
    return EventQuery(None, event_type, context, since, until, text)


def event_query(
    filters: Annotated[EventQuery, Depends(brief_query)],
    actor: Annotated[
        str | None, Query(max_length=200, description="Actor code (MAR) or canonical name.")
    ] = None,
) -> EventQuery:
    return replace(filters, actor=actor)


@dataclass(frozen=True, slots=True)
class PageQuery:
    limit: int
    offset: int


def page_query(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageQuery:
    return PageQuery(limit, offset)


Events = Annotated[EventQuery, Depends(event_query)]
BriefEvents = Annotated[EventQuery, Depends(brief_query)]
Page = Annotated[PageQuery, Depends(page_query)]


def page(total: int, paging: PageQuery, items: list[Any]) -> dict[str, Any]:
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": items}


# -- actors: names, aggregates, briefs ------------------------------------------------


@cache
def country_names() -> dict[str, str]:
    """Canonical country name by ISO alpha-3 code, from the gazetteer."""
    names: dict[str, str] = {}
    for row in load_csv("countries.csv"):
        names.setdefault(row["code"], row["name"])
    return names


@cache
def country_codes() -> dict[str, str]:
    """ISO alpha-3 code by folded canonical country name."""
    return {fold(name): code for code, name in country_names().items()}


def is_state_identity(code: str, identity: str) -> bool:
    """States are identified by their code; every other actor by its canonical name."""
    return identity == code and code not in NON_STATE_CODES


def display_name(code: str, identity: str, names: Counter[str]) -> str:
    if is_state_identity(code, identity) and code in country_names():
        return country_names()[code]
    return names.most_common(1)[0][0] if names else identity


@dataclass(slots=True)
class ActorTally:
    """What the participant rows say about one actor identity."""

    identity: str
    code: str = ""
    names: Counter[str] = field(default_factory=Counter)
    sectors: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    as_actor: set[str] = field(default_factory=set)
    as_recipient: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    by_type: Counter[str] = field(default_factory=Counter)

    def add(self, row: dict[str, Any]) -> None:
        self.code = self.code or row["code"]
        self.names[row["name"]] += 1
        self.sectors.update(row["sector"])
        if row["event_id"] not in self.events:
            self.by_type[row["event"]] += 1
        self.events.add(row["event_id"])
        (self.as_actor if row["role"] == "actor" else self.as_recipient).add(row["event_id"])
        self.documents.add(row["doc_id"])

    def to_json(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "code": self.code,
            "name": display_name(self.code, self.identity, self.names),
            "state": is_state_identity(self.code, self.identity),
            "sectors": sorted(self.sectors),
            "events": len(self.events),
            "as_actor": len(self.as_actor),
            "as_recipient": len(self.as_recipient),
            "documents": len(self.documents),
            "by_type": dict(self.by_type.most_common()),
        }


def tally_actors(rows: Iterable[dict[str, Any]]) -> dict[str, ActorTally]:
    tallies: dict[str, ActorTally] = {}
    for row in rows:
        tallies.setdefault(row["identity"], ActorTally(row["identity"])).add(row)
    return tallies


def ranked(tallies: Iterable[ActorTally]) -> list[ActorTally]:
    return sorted(tallies, key=lambda t: (-len(t.events), t.identity))


def group_by_event(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        events[row["event_id"]].append(row)
    return events


def actor_brief(store: Store, identity: str, query: EventQuery) -> dict[str, Any]:
    """Partners, timeline, people with offices and places of one actor identity."""
    rows = store.participant_rows(
        EventFilter(identity, query.event_type, query.since, query.until),
        query.context,
        query.text,
    )
    events = {
        event_id: participants
        for event_id, participants in group_by_event(rows).items()
        if any(p["identity"] == identity for p in participants)
    }
    own = [p for participants in events.values() for p in participants if p["identity"] == identity]
    tally = tally_actors(own).get(identity) or ActorTally(identity)
    if not tally.code:
        tally.code = identity
    return {
        **tally.to_json(),
        "partners": partners(identity, events),
        "timeline": timeline(events),
        "places": places(events),
        "people": people(store, tally.code, identity),
    }


def partners(identity: str, events: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Other actors of the same events, ranked by shared events, with their types."""
    others = [p for rows in events.values() for p in rows if p["identity"] != identity]
    return [tally_partner(t) for t in ranked(tally_actors(others).values())]


def tally_partner(tally: ActorTally) -> dict[str, Any]:
    out = tally.to_json()
    return {key: out[key] for key in ("identity", "code", "name", "state", "events", "by_type")}


def timeline(events: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Events per month (event date, else publication date); undated events under null."""
    months: dict[str | None, Counter[str]] = defaultdict(Counter)
    for rows in events.values():
        day: date | None = rows[0]["day"]
        months[day.strftime("%Y-%m") if day else None][rows[0]["event"]] += 1
    order = sorted(months, key=lambda m: (m is None, m or ""))
    return [
        {"month": m, "events": sum(months[m].values()), "by_type": dict(months[m])} for m in order
    ]


def places(events: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for rows in events.values():
        first = rows[0]
        if first["place"]:
            keys = ("place", "geonameid", "lat", "lon", "place_country")
            counts[tuple(first[k] for k in keys)] += 1
    return [
        {
            "place": place,
            "geonameid": geonameid,
            "lat": lat,
            "lon": lon,
            "country_code": country,
            "events": n,
        }
        for (place, geonameid, lat, lon, country), n in sorted(
            counts.items(), key=lambda item: (-item[1], item[0][0])
        )
    ]


def people(store: Store, code: str, identity: str) -> list[dict[str, Any]]:
    """People and office holders of this actor seen in the documents, most mentioned first."""
    seen: dict[tuple[str, str | None, str], set[str]] = defaultdict(set)
    mentions: Counter[tuple[str, str | None, str]] = Counter()
    for m in store.office_mentions(code):
        actor = Actor(m["code"], tuple(m["sector"]), m["name"], m["entity_text"])
        if actor.identity != identity:
            continue
        key = (m["entity_text"], m["office"], m["kind"])
        mentions[key] += 1
        seen[key].add(m["doc_id"])
    ordered = sorted(mentions.items(), key=lambda item: (-item[1], item[0][0]))
    return [
        {"entity_text": text, "office": office, "kind": kind, "mentions": n}
        | {"documents": len(seen[(text, office, kind)])}
        for (text, office, kind), n in ordered
    ]


# -- the cooperation graph --------------------------------------------------------------


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    directed: bool
    by_type: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        quads = Counter({quad: 0 for quad in QUADS})
        for event_type, n in self.by_type.items():
            quads[QUAD_OF.get(event_type, "other")] += n
        cooperation = quads["verbal_cooperation"] + quads["material_cooperation"]
        return {
            "source": self.source,
            "target": self.target,
            "directed": self.directed,
            "events": sum(self.by_type.values()),
            "by_type": dict(self.by_type.most_common()),
            "by_quad": dict(quads),
            "cooperation": cooperation,
            "conflict": quads["verbal_conflict"] + quads["material_conflict"],
        }


def event_pairs(rows: list[dict[str, Any]]) -> set[tuple[str, str, bool]]:
    """Who acted on whom in one event: actor -> recipient, else joint actors pairwise."""
    actors = list(dict.fromkeys(r["identity"] for r in rows if r["role"] == "actor"))
    recipients = list(dict.fromkeys(r["identity"] for r in rows if r["role"] != "actor"))
    if actors and recipients:
        return {(a, r, True) for a in actors for r in recipients if a != r}
    side = sorted(actors or recipients)
    return {(a, b, False) for i, a in enumerate(side) for b in side[i + 1 :]}


def build_graph(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Nodes are actor identities, edges count the events that join two of them, by type."""
    edges: dict[tuple[str, str, bool], Edge] = {}
    for participants in group_by_event(rows).values():
        for key in event_pairs(participants):
            edge = edges.setdefault(key, Edge(*key))
            edge.by_type[participants[0]["event"]] += 1
    nodes = [t.to_json() for t in ranked(tally_actors(rows).values())]
    links = sorted(
        (e.to_json() for e in edges.values()),
        key=lambda e: (-e["events"], e["source"], e["target"]),
    )
    return {"nodes": nodes, "edges": links}


def graphml(graph: dict[str, Any]) -> bytes:
    """The graph as GraphML (Gephi, yEd, NetworkX, igraph), one count attribute per type."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    node_keys = [("name", "string"), ("code", "string"), ("state", "boolean"), ("events", "int")]
    edge_keys = [("events", "int"), ("cooperation", "int"), ("conflict", "int")]
    edge_keys += [(f"type_{t}", "int") for t in PLOVER_TYPES]
    for scope, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, kind in keys:
            ET.SubElement(
                root,
                f"{{{GRAPHML_NS}}}key",
                {"id": f"{scope}_{name}", "for": scope, "attr.name": name, "attr.type": kind},
            )
    body = ET.SubElement(
        root, f"{{{GRAPHML_NS}}}graph", {"id": "veille", "edgedefault": "directed"}
    )
    for node in graph["nodes"]:
        element = ET.SubElement(body, f"{{{GRAPHML_NS}}}node", {"id": node["identity"]})
        for name, _ in node_keys:
            _data(element, f"node_{name}", node[name])
    for i, edge in enumerate(graph["edges"]):
        attributes = {"id": f"e{i}", "source": edge["source"], "target": edge["target"]}
        attributes["directed"] = "true" if edge["directed"] else "false"
        element = ET.SubElement(body, f"{{{GRAPHML_NS}}}edge", attributes)
        for name in ("events", "cooperation", "conflict"):
            _data(element, f"edge_{name}", edge[name])
        for event_type, n in edge["by_type"].items():
            _data(element, f"edge_type_{event_type}", n)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _data(parent: ET.Element, key: str, value: Any) -> None:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = text


# -- full-text search -------------------------------------------------------------------

_WORD = re.compile(r"\w+")
SNIPPET_RADIUS = 80
MAX_SPANS = 20


def search_key(word: str) -> str:
    """The index key of a word: accents folded first, then the Snowball French stem.

    Folding before stemming makes "securite" and "sécurité" one key, so a query typed
    without accents finds accented text (and the reverse).
    """
    folded = fold(word).replace("œ", "oe").replace("æ", "ae")
    return _stemmer().stemWord(folded)


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("french")


@dataclass(slots=True)
class SearchIndex:
    """An in-memory inverted index over the kept paragraphs and titles of all documents.

    Why not SQL: DuckDB's ``fts`` extension is not in the duckdb wheel and ``INSTALL fts``
    needs the internet; the PyPI packages that ship it pin an older duckdb. The database is
    opened read-only, so an index built once at the first search stays true for the life of
    the server. Words are accent-folded and reduced to their Snowball French stem; a
    document must contain every query word and ranks by term frequency weighted by inverse
    document frequency (``sum((1 + ln tf) * ln(1 + N / df))``), so words such as "de" that
    every article has weigh almost nothing.
    """

    documents: dict[str, dict[str, Any]]
    postings: dict[str, dict[str, list[tuple[int, int] | None]]]

    @classmethod
    def build(cls, documents: list[dict[str, Any]]) -> SearchIndex:
        postings: dict[str, dict[str, list[tuple[int, int] | None]]] = defaultdict(
            lambda: defaultdict(list)
        )
        metadata: dict[str, dict[str, Any]] = {}
        for doc in documents:
            doc_id = doc["doc_id"]
            metadata[doc_id] = {k: doc[k] for k in ("doc_id", "doc_path", "title", "published")}
            metadata[doc_id]["text"] = doc["text"]
            for word in _WORD.findall(doc["title"] or ""):
                postings[search_key(word)][doc_id].append(None)  # a title hit has no offset
            spans = doc["kept"] or [(0, len(doc["text"]))]
            for start, end in spans:
                for match in _WORD.finditer(doc["text"], start, end):
                    postings[search_key(match[0])][doc_id].append(match.span())
        return cls(metadata, postings)

    def search(self, query: str) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(search_key(w) for w in _WORD.findall(query)))
        if not keys:
            return []
        matching = set(self.documents)
        for key in keys:
            matching &= set(self.postings.get(key, {}))
        hits = [self._hit(doc_id, keys) for doc_id in matching]
        hits.sort(key=lambda h: (-h["score"], h["doc_path"]))
        return hits

    def _hit(self, doc_id: str, keys: list[str]) -> dict[str, Any]:
        total = len(self.documents)
        score = 0.0
        spans: list[tuple[int, int]] = []
        frequencies: dict[str, int] = {}
        for key in keys:
            occurrences = self.postings[key][doc_id]
            frequencies[key] = len(occurrences)
            idf = math.log(1 + total / len(self.postings[key]))
            score += (1 + math.log(len(occurrences))) * idf
            spans += [span for span in occurrences if span is not None]
        spans.sort()
        meta = self.documents[doc_id]
        return {
            **{k: v for k, v in meta.items() if k != "text"},
            "score": round(score, 4),
            "term_frequencies": frequencies,
            "spans": [{"start": s, "end": e} for s, e in spans[:MAX_SPANS]],
            "snippet": snippet(meta["text"], spans[0]) if spans else None,
        }


def snippet(text: str, span: tuple[int, int]) -> dict[str, Any]:
    start = max(0, span[0] - SNIPPET_RADIUS)
    end = min(len(text), span[1] + SNIPPET_RADIUS)
    return {"start": start, "end": end, "text": text[start:end]}


# -- the application --------------------------------------------------------------------


class Database:
    """The read-only store shared by all requests; DuckDB connections are not thread-safe,
    so requests (run in FastAPI's thread pool) take turns."""

    def __init__(self, path: str) -> None:
        self.store = Store(path, read_only=True)
        self.lock = threading.Lock()
        self._index: SearchIndex | None = None

    def search_index(self) -> SearchIndex:
        if self._index is None:
            self._index = SearchIndex.build(self.store.searchable_documents())
        return self._index

    def close(self) -> None:
        self.store.close()


def create_app(db: str) -> FastAPI:
    """The API over the database file ``db`` (raises ``StoreError`` if it cannot be opened)."""
    database = Database(db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        database.close()

    api = FastAPI(
        title="Veille API",
        version=__version__,
        description="Read-only access to PLOVER events coded from French security news, "
        "with the evidence sentence and source document of every event.",
        lifespan=lifespan,
    )
    register_routes(api, database)
    return api


#: Documented in the OpenAPI schema of the endpoints that look one thing up.
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such item"}}


def register_routes(api: FastAPI, database: Database) -> None:
    @api.get("/api/stats", summary="What the database holds")
    def stats() -> dict[str, Any]:
        with database.lock:
            return database.store.stats()

    @api.get("/api/events", summary="Events, newest first, filtered and paginated")
    def list_events(query: Events, paging: Page) -> dict[str, Any]:
        with database.lock:
            total, items = database.store.event_page(
                query.where(paging.limit), query.context, query.text, paging.offset
            )
        return page(total, paging, items)

    @api.get(
        "/api/events/{event_id}",
        summary="One event with its evidence and source document",
        responses=NOT_FOUND,
    )
    def get_event(event_id: str) -> dict[str, Any]:
        with database.lock:
            detail = database.store.event_detail(event_id)
        if detail is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return detail

    @api.get("/api/actors", summary="Actor identities with their event counts")
    def list_actors(query: Events, paging: Page) -> dict[str, Any]:
        with database.lock:
            rows = database.store.participant_rows(query.where(), query.context, query.text)
        tallies = ranked(tally_actors(rows).values())
        chosen = tallies[paging.offset : paging.offset + paging.limit]
        return page(len(tallies), paging, [t.to_json() for t in chosen])

    @api.get(
        "/api/actors/{actor}",
        summary="Brief of a country, group or organisation",
        responses=NOT_FOUND,
    )
    def get_actor(actor: str, query: BriefEvents) -> dict[str, Any]:
        with database.lock:
            key = country_codes().get(fold(actor), actor)
            identities = database.store.matching_identities(key)
            identity = resolve_identity(actor, identities)
            return actor_brief(database.store, identity, query)

    @api.get(
        "/api/graph",
        summary="Cooperation network: actors and event counts by type",
        responses={200: {"content": {"application/graphml+xml": {}}}},
    )
    def get_graph(
        query: Events, output: Annotated[Literal["json", "graphml"], Query(alias="format")] = "json"
    ) -> Any:
        with database.lock:
            rows = database.store.participant_rows(query.where(), query.context, query.text)
        graph = build_graph(rows)
        if output == "graphml":
            return Response(graphml(graph), media_type="application/graphml+xml")
        return graph

    @api.get(
        "/api/documents/{doc_id}",
        summary="A document: text, paragraphs, evidence spans",
        responses=NOT_FOUND,
    )
    def get_document(doc_id: str) -> dict[str, Any]:
        full_id = doc_id if ":" in doc_id else f"sha256:{doc_id}"
        with database.lock:
            document = database.store.document_detail(full_id)
        if document is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return document

    @api.get("/api/search", summary="Full-text search over documents (French stems, no accents)")
    def search(
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=500,
                description="Words to find; 422 when it has no letter or digit.",
            ),
        ],
        paging: Page,
    ) -> dict[str, Any]:
        if not _WORD.search(q):
            # Shaped like FastAPI's own validation errors, as the schema documents for 422.
            raise RequestValidationError(
                [
                    {
                        "type": "string_pattern_mismatch",
                        "loc": ("query", "q"),
                        "msg": "the query has no word to search for",
                        "input": q,
                    }
                ]
            )
        with database.lock:
            hits = database.search_index().search(q)
        return page(len(hits), paging, hits[paging.offset : paging.offset + paging.limit])


def resolve_identity(key: str, identities: list[str]) -> str:
    """The one identity ``key`` names; 404 when it names none or several."""
    exact = [i for i in identities if fold(i) == fold(key)]
    if len(exact) == 1:
        return exact[0]
    if len(identities) == 1:
        return identities[0]
    if not identities:
        raise HTTPException(404, f"no actor {key!r} in the events")
    raise HTTPException(404, {"message": f"{key!r} names several actors", "candidates": identities})
