"""The tallies as Veille computed them in Python before they moved to SQL (veille.tallies):
the reference the SQL answers are compared with, on small stores."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from veille.graph import Edge, display_name, is_state_identity
from veille.graph import actor_kind as kind_of
from veille.model import Actor
from veille.store import EventFilter, Store

Rows = list[dict[str, Any]]

KEYS = ("event_id", "doc_id", "event", "role", "position", "code", "sector", "name", "identity")
KEYS += ("day", "place", "geonameid", "lat", "lon", "place_country")


def participant_rows(store: Store, where: EventFilter, context: str | None = None) -> Rows:
    """One row per (matching event, participant), in (event, role, position) order."""
    conditions, params = store.event_conditions(where, context)
    rows = store.connection.execute(
        "SELECT e.event_id, e.doc_id, e.event, p.role, p.position, p.code, p.sector, p.name,"
        " p.identity, coalesce(e.date_start, d.published), e.place, e.geonameid, e.lat, e.lon,"
        " e.place_country FROM events e JOIN documents d USING (doc_id)"
        " JOIN event_participants p ON p.event_id = e.event_id"
        f" WHERE {conditions}",
        params,
    ).fetchall()
    out = [dict(zip(KEYS, row, strict=True)) for row in rows]
    for item in out:
        item["sector"] = json.loads(item["sector"])
    return sorted(out, key=lambda r: (r["event_id"], r["role"], r["position"]))


def by_event(rows: Rows) -> dict[str, Rows]:
    events: dict[str, Rows] = defaultdict(list)
    for row in rows:
        events[row["event_id"]].append(row)
    return events


def actors(rows: Rows) -> list[dict[str, Any]]:
    """Actor tallies, most events first, as /api/actors lists them."""
    tallies: dict[str, dict[str, Any]] = {}
    for row in rows:
        t = tallies.setdefault(
            row["identity"],
            {"code": row["code"], "names": Counter(), "sectors": set(), "events": set()}
            | {"actor": set(), "recipient": set(), "documents": set(), "by_type": Counter()},
        )
        t["names"][row["name"]] += 1
        t["sectors"].update(row["sector"])
        if row["event_id"] not in t["events"]:
            t["by_type"][row["event"]] += 1
        t["events"].add(row["event_id"])
        t["actor" if row["role"] == "actor" else "recipient"].add(row["event_id"])
        t["documents"].add(row["doc_id"])
    out = []
    for identity, t in tallies.items():
        name = t["names"].most_common(1)[0][0]
        out.append(
            {
                "identity": identity,
                "code": t["code"],
                "name": display_name(t["code"], identity, name),
                "state": is_state_identity(t["code"], identity),
                "kind": kind_of(t["code"], identity, t["sectors"]),
                "sectors": sorted(t["sectors"]),
                "events": len(t["events"]),
                "as_actor": len(t["actor"]),
                "as_recipient": len(t["recipient"]),
                "documents": len(t["documents"]),
                "by_type": dict(t["by_type"]),
            }
        )
    return sorted(out, key=lambda t: (-t["events"], t["identity"]))


def event_pairs(rows: Rows) -> set[tuple[str, str, bool]]:
    acting = list(dict.fromkeys(r["identity"] for r in rows if r["role"] == "actor"))
    acted_on = list(dict.fromkeys(r["identity"] for r in rows if r["role"] != "actor"))
    if acting and acted_on:
        return {(a, r, True) for a in acting for r in acted_on if a != r}
    side = sorted(acting or acted_on)
    return {(a, b, False) for i, a in enumerate(side) for b in side[i + 1 :]}


def graph(rows: Rows) -> dict[str, Any]:
    edges: dict[tuple[str, str, bool], Edge] = {}
    for participants in by_event(rows).values():
        for key in event_pairs(participants):
            edges.setdefault(key, Edge(*key)).by_type[participants[0]["event"]] += 1
    links = sorted(
        (e.to_json() for e in edges.values()),
        key=lambda e: (-e["events"], e["source"], e["target"], e["directed"]),
    )
    return {"nodes": actors(rows), "edges": links}


def timeline(events: dict[str, Rows]) -> list[dict[str, Any]]:
    months: dict[str | None, Counter[str]] = defaultdict(Counter)
    for rows in events.values():
        day = rows[0]["day"]
        months[day.strftime("%Y-%m") if day else None][rows[0]["event"]] += 1
    order = sorted(months, key=lambda m: (m is None, m or ""))
    return [
        {"month": m, "events": sum(months[m].values()), "by_type": dict(months[m])} for m in order
    ]


def places(events: dict[str, Rows]) -> list[dict[str, Any]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for rows in events.values():
        first = rows[0]
        if first["place"]:
            keys = ("place", "geonameid", "lat", "lon", "place_country")
            counts[tuple(first[k] for k in keys)] += 1
    names = ("place", "geonameid", "lat", "lon", "country_code")
    return [
        dict(zip(names, key, strict=True)) | {"events": n}
        for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    ]


def brief(rows: Rows, identity: str) -> dict[str, Any]:
    """An actor brief's tallies: its own, its partners', timeline and places."""
    events = {
        event_id: participants
        for event_id, participants in by_event(rows).items()
        if any(p["identity"] == identity for p in participants)
    }
    every = [p for participants in events.values() for p in participants]
    keys = ("identity", "code", "name", "state", "events", "by_type")
    return {
        "own": [t for t in actors(every) if t["identity"] == identity],
        "partners": [
            {k: t[k] for k in keys} for t in actors([p for p in every if p["identity"] != identity])
        ],
        "timeline": timeline(events),
        "places": places(events),
    }


def people(store: Store, code: str, identity: str) -> list[dict[str, Any]]:
    """People and office holders of an actor, most mentioned first, as briefs list them."""
    rows = store.connection.execute(
        "SELECT doc_id, entity_text, code, sector, name, office, kind FROM actor_mentions"
        " WHERE code = ? AND (kind = 'person' OR office IS NOT NULL) ORDER BY doc_id, position",
        [code],
    ).fetchall()
    seen: dict[tuple[str, str | None, str], set[str]] = defaultdict(set)
    mentions: Counter[tuple[str, str | None, str]] = Counter()
    for doc_id, text, code_, sector, name, office, kind in rows:
        if Actor(code_, tuple(json.loads(sector)), name, text).identity != identity:
            continue
        mentions[(text, office, kind)] += 1
        seen[(text, office, kind)].add(doc_id)
    ordered = sorted(mentions.items(), key=lambda item: (-item[1], item[0][0]))
    return [
        {"entity_text": text, "office": office, "kind": kind, "mentions": n}
        | {"documents": len(seen[(text, office, kind)])}
        for (text, office, kind), n in ordered
    ]
