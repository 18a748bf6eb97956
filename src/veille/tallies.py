"""The counts behind actor lists, actor briefs, the graph and the dashboard, in SQL.

Every count here is over a *scope*: the events that match the API's filters (and, for the
dashboard, what a click adds), written as one SQL relation that the counting queries read
with GROUP BY, so the database returns a few hundred rows however many events match
(``participant_rows`` used to bring every (event, participant) row into Python).

What a count counts is one SQL expression (``counted``): a story by default, each real-world
event once however many outlets told it (``veille.stories``), or an event
(``EventScope.unit = "events"``); the tallies count distinct values of it everywhere.

Where the scope allows (no filter but an actor, an event type and the unit), the counts are
read from the summary tables kept at write time (``veille.summaries``) instead: a few
hundred rows whatever the size of the store. The SQL over the events stays the reference
(tests compare the two) and answers every other scope (dates, context, text, confidence,
the dashboard's partner, edge, place and undated refinements).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from veille import summaries
from veille.model import NON_STATE_CODES, NON_STATE_SECTORS, Unit
from veille.store import EventFilter, EventKey, Store

#: The units the tallies may count, over ``events e``. An event not yet given a story (a
#: database served read-only before its migration to stories) counts as its own story.
COUNTED = {"stories": "coalesce(e.story_id, e.event_id)", "events": "e.event_id"}


@dataclass(frozen=True, slots=True)
class EventScope:
    """Which events a tally counts: the API's filters, then the dashboard's refinements.

    ``actors`` and ``partners`` are sets of actor identities (``None``: no condition);
    ``role`` and ``edge`` qualify them as ``veille.web.Refinement`` describes.
    """

    where: EventFilter = EventFilter()
    context: str | None = None
    text: str | None = None
    actors: frozenset[str] | None = None
    role: Literal["actor", "recipient"] | None = None
    partners: frozenset[str] | None = None
    edge: Literal["directed", "joint"] | None = None
    place: str | None = None
    undated: bool = False
    unit: Unit = "stories"


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" * len(values))


def _takes_part(
    identities: frozenset[str], extra: str = "", extra_params: Sequence[Any] = ()
) -> tuple[str, list[Any]]:
    """An event has a participant ``x`` among ``identities`` (and meeting ``extra``, whose
    parameters are ``extra_params``)."""
    if not identities:
        return "FALSE", []
    return (
        "EXISTS (SELECT 1 FROM event_participants x WHERE x.event_id = e.event_id"
        f" AND x.identity IN ({_marks(identities)}){extra})",
        [*sorted(identities), *extra_params],
    )


def scope_sql(store: Store, scope: EventScope, with_day: bool = False) -> tuple[str, list[Any]]:
    """A SELECT of the scope's events: ``event_id, unit, doc_id, event, day, place,
    geonameid, lat, lon, place_country, record`` (``day``: event date, else publication
    date; before migration 11, NULL unless ``with_day``, which then costs a join with the
    documents)."""
    conditions, params = store.event_conditions(scope.where, scope.context, scope.text)
    sql = [conditions]
    actors = scope.actors
    # The dates on the participant rows too: only those of the days asked for are read.
    days, day_params = store.participant_days(scope.where, "x")
    if actors is not None:
        role = f" AND x.role = '{scope.role}'" if scope.role in ("actor", "recipient") else ""
        condition, values = _takes_part(actors, role + days, day_params)
        sql.append(condition)
        params += values
    if scope.partners is not None:
        condition, values = _partner_condition(actors, scope.partners, scope.edge, days, day_params)
        sql.append(condition)
        params += values
    if scope.place is not None:
        sql.append("e.place = ?")
        params.append(scope.place)
    day = store.event_day()
    if scope.undated:
        sql.append(f"{day} IS NULL")
    # Before migration 11 the day needs the documents (an event's date, else its article's).
    dated = with_day or scope.undated or scope.where.since or scope.where.until
    relation = store.events_relation()
    if relation != "events e" and not dated:
        relation, day = "events e", "CAST(NULL AS DATE)"
    counted = COUNTED[scope.unit if store._has_stories() else "events"]
    return (
        f"SELECT e.event_id, {counted} AS unit, e.doc_id, e.event, {day} AS day, e.place,"
        f" e.geonameid, e.lat, e.lon, e.place_country, e.record FROM {relation}"
        f" WHERE {' AND '.join(sql)}",
        params,
    )


def _partner_condition(
    actors: frozenset[str] | None,
    partners: frozenset[str],
    edge: str | None,
    days: str = "",
    day_params: Sequence[Any] = (),
) -> tuple[str, list[Any]]:
    """The partner takes part beside the actor (as briefs count partners); with ``edge``,
    the two form that edge of the graph (as ``graph_edges`` counts edges). ``days``:
    conditions on the participant rows ``x`` of the event, with ``day_params``."""
    if actors is None:
        return _takes_part(partners, days, day_params)
    if not actors or not partners:
        return "FALSE", []
    a_marks, p_marks = _marks(actors), _marks(partners)
    a_list, p_list = sorted(actors), sorted(partners)
    if edge is None:
        return _takes_part(
            partners, f" AND x.identity NOT IN ({a_marks}){days}", [*a_list, *day_params]
        )
    pair = (
        "EXISTS (SELECT 1 FROM event_participants x JOIN event_participants b"
        " ON b.event_id = x.event_id AND b.identity <> x.identity"
        f" WHERE x.event_id = e.event_id AND x.identity IN ({a_marks})"
        f" AND b.identity IN ({p_marks}){{roles}}{days})"
    )
    params = [*a_list, *p_list, *day_params]
    if edge == "directed":  # the actor acts on the partner
        return pair.format(roles=" AND x.role = 'actor' AND b.role <> 'actor'"), params
    # joint action: the event has actors or recipients, not both
    one_side = (
        "NOT (EXISTS (SELECT 1 FROM event_participants s WHERE s.event_id = e.event_id"
        " AND s.role = 'actor') AND EXISTS (SELECT 1 FROM event_participants s"
        " WHERE s.event_id = e.event_id AND s.role <> 'actor'))"
    )
    return f"{one_side} AND {pair.format(roles='')}", params


# -- scopes the summaries answer --------------------------------------------------------

#: The anchor of no event: an actor filter that names no stored participant.
NO_EVENTS = "-"


@dataclass(frozen=True, slots=True)
class Summary:
    """A scope as the summary tables answer it: the events of ``identity`` (``""``: all
    events, with ``anchor`` ``""``; else ``anchor`` ``"i:" + identity``) or of a pair of
    identities (``anchor``: ``summaries.pair_anchor``), of one type or all, counted in
    ``column`` (``n_stories`` or ``n_events``)."""

    anchor: str
    identity: str
    event_type: str | None
    column: str
    #: The first and last month counted (``veille.summaries``' numbers), None for all.
    months: tuple[int, int] | None = None

    @property
    def pair(self) -> bool:
        return self.anchor.startswith(summaries.PAIRS)

    @property
    def own(self) -> tuple[str, str]:
        """``anchor`` and ``identity`` of the rows that count the scope's events themselves:
        an identity's under no anchor, a pair's under its anchor."""
        return (self.anchor, "") if self.pair or self.anchor == NO_EVENTS else ("", self.identity)

    def type_condition(self, column: str = "event") -> tuple[str, list[Any]]:
        if self.event_type is None:
            return "", []
        return f" AND {column} = ?", [self.event_type]

    def months_condition(self) -> tuple[str, list[Any]]:
        """The rows to add up: those of all months, or those within the months."""
        if self.months is None:
            return f" AND month = {summaries.ALL_MONTHS}", []
        return " AND month >= ? AND month_to <= ?", list(self.months)

    def where(self) -> tuple[str, list[Any]]:
        """Type and months (the conditions after the anchor's)."""
        typed, type_params = self.type_condition()
        months, month_params = self.months_condition()
        return typed + months, type_params + month_params

    def added(self, column: str) -> str:
        """``column`` added up over the months: a pair of months takes away what it counts
        twice."""
        if self.months is None:
            return f"sum({column})"
        return f"sum(CASE WHEN month_to = month THEN {column} ELSE -{column} END)"

    def counts(self, store: Store, table: str, keys: str) -> list[tuple[Any, ...]]:
        """``keys`` and the units counted under them in the summary ``table``."""
        within, params = self.where()
        return store.connection.execute(
            f"SELECT {keys}, {self.added(self.column)} FROM {table} WHERE anchor = ?{within}"
            f" GROUP BY {keys}",
            [self.anchor, *params],
        ).fetchall()


def summary_of(store: Store, scope: EventScope, pairs: bool = False) -> Summary | None:
    """How the summary tables answer ``scope``, or None when only the events can. With
    ``pairs``, also an actor's events with a partner (or an edge between them), whose
    anchors count only what ``overview``, ``places``, ``timeline`` and the event counts read."""
    where = scope.where
    if (
        scope.context
        or scope.text
        or where.min_confidence
        or scope.role is not None
        or (scope.partners is not None and not pairs)
        or (scope.edge is not None and scope.partners is None)
        or scope.place is not None
        or scope.undated
        or not summaries.built(store)
    ):
        return None
    identities: set[str] = set()
    if scope.actors is not None:
        if len(scope.actors) != 1:
            return None
        identities |= scope.actors
    if where.actor:
        named = _identity_named(store, where.actor)
        if named is None:
            return None
        identities.add(named)
    if len(identities) > 1:
        return None  # two actors, or an actor that is not the filter's
    identity = next(iter(identities), "")
    anchor = NO_EVENTS if identity == NO_EVENTS else identity and summaries.IDENTITY + identity
    if scope.partners is not None:
        paired = _pair_anchor(scope, identity) if summaries.pairs_built(store) else None
        if paired is None:
            return None
        anchor = paired
    column = "n_stories" if scope.unit == "stories" and store._has_stories() else "n_events"
    event_type = where.event_type.upper() if where.event_type else None
    months = None
    if where.since or where.until:
        # Whole months only: the summaries count per month.
        if (where.since and where.since.day != 1) or (
            where.until and (where.until + timedelta(days=1)).day != 1
        ):
            return None
        months = (
            _month_number(where.since) if where.since else 0,
            _month_number(where.until) if where.until else LAST_MONTH,
        )
    return Summary(anchor, identity, event_type, column, months)


def _pair_anchor(scope: EventScope, identity: str) -> str | None:
    """The anchor of ``identity``'s events with the scope's partner (as ``_partner_condition``
    takes them), or None if the summaries do not count them."""
    partners = scope.partners or frozenset()
    if identity == NO_EVENTS:
        return NO_EVENTS
    if not identity or len(partners) != 1:
        return None
    partner = next(iter(partners))
    if scope.actors is None:  # the partner takes part, whatever the edge
        return (
            summaries.IDENTITY + identity
            if partner == identity
            else summaries.pair_anchor(summaries.TOGETHER, identity, partner)
        )
    if partner == identity:  # a partner is another identity than the actor
        return NO_EVENTS
    kind = {None: summaries.TOGETHER, "directed": summaries.DIRECTED, "joint": summaries.JOINT}
    return summaries.pair_anchor(kind[scope.edge], identity, partner)


#: A month number after every date's.
LAST_MONTH = 10**8


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _identity_named(store: Store, key: str) -> str | None:
    """The one identity whose participant rows are exactly those the actor filter ``key``
    matches (``NO_EVENTS`` if it matches none), else None."""
    rows = summaries.identities_labelled(store, key) or []
    if not rows:
        return NO_EVENTS
    if len(rows) == 1 and rows[0][1]:
        return rows[0][0]
    return None


# -- actors ----------------------------------------------------------------------------


@dataclass(slots=True)
class ActorTally:
    """What the scope's events say about one actor identity."""

    identity: str
    code: str = ""
    name: str = ""  # the name it is given most often (the first seen on a tie)
    sectors: set[str] = field(default_factory=set)
    events: int = 0
    as_actor: int = 0
    as_recipient: int = 0
    documents: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def actor_tallies(
    store: Store,
    scope: EventScope,
    limit: int | None = None,
    offset: int = 0,
    only: str | None = None,
    without: str | None = None,
) -> tuple[int, list[ActorTally]]:
    """The actors of the scope's events, most events first (then by identity), and how
    many there are; ``limit``/``offset`` page them, ``only`` keeps one identity and
    ``without`` leaves one out (a brief's partners)."""
    summary = summary_of(store, scope)
    if summary is not None:
        return _summary_actor_tallies(store, summary, limit, offset, only, without)
    events_sql, params = scope_sql(store, scope)
    binary = store.backend.binary
    chosen, chosen_params = "TRUE", []
    if only is not None:
        chosen, chosen_params = "p.identity = ?", [only]
    elif without is not None:
        chosen, chosen_params = "p.identity <> ?", [without]
    joined = (
        f"WITH s AS ({events_sql}) SELECT {{columns}} FROM s"
        " JOIN event_participants p ON p.event_id = s.event_id"
        f" WHERE {chosen}{{extra}} GROUP BY {{groups}}"
    )
    page_sql = joined.format(
        columns="p.identity, count(DISTINCT s.unit) AS n,"
        " count(DISTINCT CASE WHEN p.role = 'actor' THEN s.unit END),"
        " count(DISTINCT CASE WHEN p.role <> 'actor' THEN s.unit END),"
        " count(DISTINCT s.doc_id), count(*) OVER ()",
        extra="",
        groups="p.identity",
    )
    page_sql += f" ORDER BY n DESC, {binary('p.identity')}"
    page_params = [*params, *chosen_params]
    if limit is not None:
        page_sql += " LIMIT ? OFFSET ?"
        page_params += [int(limit), int(offset)]
    rows = store.connection.execute(page_sql, page_params).fetchall()
    if rows:
        total = int(rows[0][5])
    elif offset:  # past the last page: the window had no row to say how many
        total = _count_identities(store, joined, [*params, *chosen_params])
    else:
        total = 0
    tallies = {
        identity: ActorTally(identity, events=n, as_actor=a, as_recipient=r, documents=d)
        for identity, n, a, r, d, _ in rows
    }
    if not tallies:
        return total, []
    # Names, codes and sectors, then types, of the identities on this page only.
    extra, extra_params = "", []
    if limit is not None:
        extra, extra_params = f" AND p.identity IN ({_marks(tallies)})", list(tallies)
    # Rows come in (event, role, position) order: the key of a group's first row.
    position = "lpad(CAST(p.position AS VARCHAR), 9, '0')"
    first_row = f"s.event_id || chr(1) || p.role || chr(1) || {position}"
    order_key = f"min({binary(first_row)})"

    def grouped(columns: str, groups: str) -> list[tuple[Any, ...]]:
        sql = joined.format(columns=columns, extra=extra, groups=groups)
        return store.connection.execute(sql, [*params, *chosen_params, *extra_params]).fetchall()

    _add_names(
        tallies,
        grouped(
            f"p.identity, p.code, p.name, p.sector, count(*), {order_key}",
            "p.identity, p.code, p.name, p.sector",
        ),
    )
    types = grouped(
        f"p.identity, s.event, count(DISTINCT s.unit), min({binary('s.event_id')})",
        "p.identity, s.event",
    )
    _add_types(tallies, types)
    return total, list(tallies.values())


def _summary_actor_tallies(
    store: Store,
    summary: Summary,
    limit: int | None,
    offset: int,
    only: str | None,
    without: str | None,
) -> tuple[int, list[ActorTally]]:
    """``actor_tallies`` read from the summary tables."""
    binary = store.backend.binary
    n = summary.column
    within, within_params = summary.where()
    chosen, chosen_params = "", []
    if only is not None:
        chosen, chosen_params = " AND identity = ?", [only]
    elif without is not None:
        chosen, chosen_params = " AND identity <> ?", [without]
    scope = f"anchor = ? AND identity <> ''{within}{chosen}"
    params = [summary.anchor, *within_params, *chosen_params]
    roles = [summary.added(f"CASE WHEN role = '{r}' THEN {n} ELSE 0 END") for r in ROLES]
    page_sql = (
        f"SELECT identity, {roles[0]} AS n, {roles[1]}, {roles[2]},"
        f" count(*) OVER () FROM tally_units WHERE {scope}"
        f" AND role IN ('*', 'actor', 'other') GROUP BY identity"
        f" ORDER BY n DESC, {binary('identity')}"
    )
    page_params = list(params)
    if limit is not None:
        page_sql += " LIMIT ? OFFSET ?"
        page_params += [int(limit), int(offset)]
    rows = store.connection.execute(page_sql, page_params).fetchall()
    if rows:
        total = int(rows[0][4])
    elif offset:
        row = store.connection.execute(
            f"SELECT count(DISTINCT identity) FROM tally_units WHERE {scope} AND role = '*'",
            params,
        ).fetchone()
        total = int(row[0]) if row else 0
    else:
        total = 0
    tallies = {
        identity: ActorTally(identity, events=int(n), as_actor=int(a), as_recipient=int(r))
        for identity, n, a, r, _ in rows
    }
    if not tallies:
        return total, []
    page, page_params = "", []
    if limit is not None:
        page, page_params = f" AND identity IN ({_marks(tallies)})", list(tallies)
    months, month_params = summary.months_condition()
    documents = store.connection.execute(
        f"SELECT identity, {summary.added('documents')} FROM tally_documents"
        f" WHERE anchor = ? AND event = ? AND identity <> ''{months}{chosen}{page}"
        " GROUP BY identity",
        [
            summary.anchor,
            summary.event_type or summaries.ANY_TYPE,
            *month_params,
            *chosen_params,
            *page_params,
        ],
    ).fetchall()
    for identity, count in documents:
        if identity in tallies:
            tallies[identity].documents = int(count)
    _add_names(
        tallies,
        store.connection.execute(
            f"SELECT identity, code, name, sector, sum(n_rows), min({binary('first_row')})"
            f" FROM tally_names WHERE {scope}{page} GROUP BY identity, code, name, sector",
            [*params, *page_params],
        ).fetchall(),
    )
    types = store.connection.execute(
        f"SELECT identity, event, {summary.added(n)}, min({binary('first_event')})"
        f" FROM tally_units WHERE {scope}{page} AND role = '*' GROUP BY identity, event",
        [*params, *page_params],
    ).fetchall()
    _add_types(tallies, types)
    return total, list(tallies.values())


#: The roles of ``tally_units`` that an actor tally adds up: any, actor, recipient.
ROLES = ("*", "actor", "other")


def _add_types(tallies: dict[str, ActorTally], rows: Sequence[tuple[Any, ...]]) -> None:
    """Events per type of each identity, most first (then by their first event), from
    (identity, type, events, first event) rows."""
    by_type: dict[str, list[tuple[int, str, str]]] = {}
    for identity, event_type, n, first in rows:
        by_type.setdefault(identity, []).append((-int(n), first, event_type))
    for identity, counts in by_type.items():
        if identity in tallies:
            tallies[identity].by_type = {t: -n for n, _, t in sorted(counts)}


def _count_identities(store: Store, joined: str, params: list[Any]) -> int:
    sql = joined.format(columns="p.identity", extra="", groups="p.identity")
    row = store.connection.execute(f"SELECT count(*) FROM ({sql}) t", params).fetchone()
    return int(row[0]) if row else 0


def _add_names(tallies: dict[str, ActorTally], rows: Sequence[tuple[Any, ...]]) -> None:
    """Code (that of the first row seen), most frequent name and all sectors per identity,
    from counts by (identity, code, name, sector) and the first row of each."""
    first_code: dict[str, tuple[str, str]] = {}
    names: dict[str, Counter[str]] = {}
    first_name: dict[tuple[str, str], str] = {}
    for identity, code, name, sector, n, first in rows:
        if identity not in first_code or first < first_code[identity][0]:
            first_code[identity] = (first, code)
        names.setdefault(identity, Counter())[name] += n
        key = (identity, name)
        first_name[key] = min(first_name.get(key, first), first)
        tallies[identity].sectors.update(json.loads(sector))
    for identity, counts in names.items():
        tally = tallies[identity]
        tally.code = first_code[identity][1]
        tally.name = min(counts, key=lambda name: (-counts[name], first_name[(identity, name)]))


def people(store: Store, code: str, identity: str) -> list[dict[str, Any]]:
    """People and office holders of this actor seen in the documents, most mentioned first
    (then by name, then in the order of the documents)."""
    if summaries.built(store):
        rows = [
            (text, None if office == summaries.NO_OFFICE else office, kind, n, documents, first)
            for text, office, kind, n, documents, first in store.connection.execute(
                "SELECT entity_text, office, kind, mentions, documents, first_row"
                " FROM tally_people WHERE code = ? AND identity = ?",
                [code, identity],
            ).fetchall()
        ]
        rows.sort(key=lambda r: (-r[3], r[0], r[5]))
        return [
            {"entity_text": text, "office": office, "kind": kind, "mentions": n}
            | {"documents": docs}
            for text, office, kind, n, docs, _ in rows
        ]
    binary = store.backend.binary
    non_state = sorted(NON_STATE_CODES)
    # A mention's actor identity (``Actor.identity``): its code for a state, else its name.
    sectors = " OR ".join(f"sector LIKE '%\"{s}\"%'" for s in sorted(NON_STATE_SECTORS))
    mention_identity = (
        f"CASE WHEN code IN ({_marks(non_state)}) OR {sectors} THEN name ELSE code END"
    )
    first = binary("doc_id || chr(1) || lpad(CAST(position AS VARCHAR), 9, '0')")
    rows = store.connection.execute(
        f"SELECT entity_text, office, kind, count(*) AS n, count(DISTINCT doc_id), min({first})"
        " FROM actor_mentions WHERE code = ? AND (kind = 'person' OR office IS NOT NULL)"
        f" AND {mention_identity} = ? GROUP BY entity_text, office, kind",
        [code, *non_state, identity],
    ).fetchall()
    rows.sort(key=lambda r: (-r[3], r[0], r[5]))
    return [
        {"entity_text": text, "office": office, "kind": kind, "mentions": n, "documents": docs}
        for text, office, kind, n, docs, _ in rows
    ]


# -- the network ------------------------------------------------------------------------


def graph_edges(store: Store, scope: EventScope) -> list[tuple[str, str, bool, str, int]]:
    """(source, target, directed, type, events) for each pair of actors of one event:
    actor -> recipient, or, in an event with actors only (or recipients only), each pair of
    them, joint and undirected (source before target)."""
    summary = summary_of(store, scope)
    if summary is not None:
        rows = summary.counts(store, "tally_edges", "source, target, directed, event")
        return [(a, b, bool(directed), t, int(n)) for a, b, directed, t, n in rows]
    events_sql, params = scope_sql(store, scope)
    binary = store.backend.binary
    sql = (
        f"WITH s AS ({events_sql}), x AS (SELECT s.event_id, s.unit, s.event, p.identity,"
        " p.role = 'actor' AS acts FROM s JOIN event_participants p ON p.event_id = s.event_id),"
        " sides AS (SELECT event_id, bool_or(acts) AND bool_or(NOT acts) AS directed"
        " FROM x GROUP BY event_id)"
        " SELECT a.identity, b.identity, sides.directed, a.event, count(DISTINCT a.unit)"
        " FROM x a JOIN x b ON b.event_id = a.event_id AND b.identity <> a.identity"
        " JOIN sides ON sides.event_id = a.event_id"
        " WHERE (sides.directed AND a.acts AND NOT b.acts)"
        f" OR (NOT sides.directed AND {binary('a.identity')} < {binary('b.identity')})"
        " GROUP BY a.identity, b.identity, sides.directed, a.event"
    )
    rows = store.connection.execute(sql, params).fetchall()
    return [(a, b, bool(directed), t, int(n)) for a, b, directed, t, n in rows]


# -- events over time and space -------------------------------------------------------


def timeline(store: Store, scope: EventScope) -> list[dict[str, Any]]:
    """Events per month (event date, else publication date); undated events under null."""
    summary = summary_of(store, scope, pairs=True)
    if summary is not None:
        typed, type_params = summary.type_condition()
        first, last = summary.months or (summaries.UNDATED, LAST_MONTH)
        numbered = store.connection.execute(
            f"SELECT month, event, {summary.column} FROM tally_units WHERE anchor = ?"
            " AND identity = ? AND role = '*' AND month_to = month AND month >= ?"
            f" AND month <= ?{typed}",
            [*summary.own, first, last, *type_params],
        ).fetchall()
        rows = [
            (None, None, t, n) if m == summaries.UNDATED else (m // 12, m % 12 + 1, t, n)
            for m, t, n in numbered
        ]
    else:
        events_sql, params = scope_sql(store, scope, with_day=True)
        rows = store.connection.execute(
            f"WITH s AS ({events_sql}) SELECT extract(year FROM day), extract(month FROM day),"
            " event, count(DISTINCT unit) FROM s GROUP BY 1, 2, 3",
            params,
        ).fetchall()
    months: dict[str | None, dict[str, int]] = {}
    for year, month, event_type, n in rows:
        key = f"{int(year):04d}-{int(month):02d}" if year is not None else None
        months.setdefault(key, {})[event_type] = int(n)
    order = sorted(months, key=lambda m: (m is None, m or ""))
    return [
        {
            "month": m,
            "events": sum(months[m].values()),
            "by_type": dict(sorted(months[m].items(), key=lambda item: (-item[1], item[0]))),
        }
        for m in order
    ]


def places(store: Store, scope: EventScope) -> list[dict[str, Any]]:
    """Event locations with their number of events, most first."""
    summary = summary_of(store, scope, pairs=True)
    if summary is not None:
        keyed = summary.counts(store, "tally_places", "place, geonameid, lat, lon, country")
        rows = [
            (
                place,
                None if geonameid == summaries.NO_GEONAMEID else geonameid,
                None if lat == summaries.NO_COORDINATE else lat,
                None if lon == summaries.NO_COORDINATE else lon,
                None if country == summaries.NO_COUNTRY else country,
                int(n),
            )
            for place, geonameid, lat, lon, country, n in keyed
        ]
    else:
        events_sql, params = scope_sql(store, scope)
        rows = store.connection.execute(
            f"WITH s AS ({events_sql}) SELECT place, geonameid, lat, lon, place_country,"
            " count(DISTINCT unit) FROM s WHERE place IS NOT NULL AND place <> ''"
            " GROUP BY place, geonameid, lat, lon, place_country",
            params,
        ).fetchall()
    # Most events first, then by name; the rest only so that ties always come in one order.
    rows.sort(key=lambda r: (-r[5], r[0], *((v is None, v or 0) for v in r[1:4]), r[4] or ""))
    return [
        {
            "place": place,
            "geonameid": geonameid,
            "lat": lat,
            "lon": lon,
            "country_code": country,
            "events": int(n),
        }
        for place, geonameid, lat, lon, country, n in rows
    ]


@dataclass(frozen=True, slots=True)
class Overview:
    events: int  # in the scope's unit
    raw_events: int
    documents: int
    undated: int
    actors: int
    by_type: dict[str, int]
    #: Events each state takes part in (as its brief counts them).
    countries: dict[str, int]


def overview(store: Store, scope: EventScope, non_state_codes: Collection[str]) -> Overview:
    """How many events, documents, undated events and actors the scope holds, by type and
    per state (states: participants whose identity is their code, not in
    ``non_state_codes``)."""
    summary = summary_of(store, scope, pairs=True)
    if summary is not None:
        return _summary_overview(store, summary, non_state_codes)
    dated_sql, dated_params = scope_sql(store, scope, with_day=True)
    by_type_rows = store.connection.execute(
        f"WITH s AS ({dated_sql}) SELECT event, count(DISTINCT unit) FROM s GROUP BY event",
        dated_params,
    ).fetchall()
    totals = store.connection.execute(
        f"WITH s AS ({dated_sql}) SELECT count(DISTINCT unit), count(DISTINCT doc_id),"
        " count(DISTINCT CASE WHEN day IS NULL THEN unit END), count(DISTINCT event_id) FROM s",
        dated_params,
    ).fetchone() or (0, 0, 0, 0)
    events_sql, params = scope_sql(store, scope)
    codes = sorted(non_state_codes)
    actors = store.connection.execute(
        f"WITH s AS ({events_sql}) SELECT count(DISTINCT p.identity) FROM s"
        " JOIN event_participants p ON p.event_id = s.event_id",
        params,
    ).fetchone()
    countries = store.connection.execute(
        f"WITH s AS ({events_sql}) SELECT p.code, count(DISTINCT s.unit) AS n FROM s"
        " JOIN event_participants p ON p.event_id = s.event_id"
        f" WHERE p.identity = p.code AND p.code NOT IN ({_marks(codes)})"
        f" GROUP BY p.code ORDER BY n DESC, {store.backend.binary('p.code')}",
        [*params, *codes],
    ).fetchall()
    return Overview(
        events=int(totals[0]),
        raw_events=int(totals[3]),
        documents=int(totals[1]),
        undated=int(totals[2]),
        actors=int(actors[0]) if actors else 0,
        by_type={t: int(n) for t, n in sorted(by_type_rows, key=lambda r: (-r[1], r[0]))},
        countries={code: int(n) for code, n in countries},
    )


def _summary_overview(store: Store, summary: Summary, non_state_codes: Collection[str]) -> Overview:
    """``overview`` read from the summary tables."""
    n = summary.column
    within, within_params = summary.where()
    typed, type_params = summary.type_condition()
    by_type_rows = store.connection.execute(
        f"SELECT event, {summary.added(n)}, sum(n_events) FROM tally_units WHERE anchor = ?"
        f" AND identity = ? AND role = '*'{within} GROUP BY event",
        [*summary.own, *within_params],
    ).fetchall()
    by_type = {t: int(k) for t, k, _ in by_type_rows}
    raw_events = sum(int(e) for _, _, e in by_type_rows)
    undated = 0
    if summary.months is None:  # a range of dates leaves the undated events out
        row = store.connection.execute(
            f"SELECT sum({n}) FROM tally_units WHERE anchor = ? AND identity = ? AND role = '*'"
            f" AND month = {summaries.UNDATED} AND month_to = {summaries.UNDATED}{typed}",
            [*summary.own, *type_params],
        ).fetchone()
        undated = int(row[0] or 0) if row else 0
    months, month_params = summary.months_condition()
    row = store.connection.execute(
        f"SELECT {summary.added('documents')} FROM tally_documents WHERE anchor = ?"
        f" AND identity = ? AND event = ?{months}",
        [*summary.own, summary.event_type or summaries.ANY_TYPE, *month_params],
    ).fetchone()
    documents = int(row[0] or 0) if row else 0
    anchored = f"anchor = ? AND identity <> ''{within}"
    anchored_params = [summary.anchor, *within_params]
    row = store.connection.execute(
        f"SELECT count(DISTINCT identity) FROM tally_units WHERE {anchored} AND role = '*'",
        anchored_params,
    ).fetchone()
    actors = int(row[0]) if row else 0
    codes = sorted(non_state_codes)
    countries = store.connection.execute(
        f"SELECT identity, {summary.added(n)} AS n FROM tally_units WHERE {anchored}"
        f" AND role = 'self' AND identity NOT IN ({_marks(codes)}) GROUP BY identity"
        f" ORDER BY n DESC, {store.backend.binary('identity')}",
        [*anchored_params, *codes],
    ).fetchall()
    return Overview(
        events=sum(by_type.values()),
        raw_events=raw_events,
        documents=documents,
        undated=undated,
        actors=actors,
        by_type=dict(sorted(by_type.items(), key=lambda item: (-item[1], item[0]))),
        countries={code: int(k) for code, k in countries},
    )


def events_with_actors(store: Store, scope: EventScope) -> int:
    """How many of the scope's units have at least one participant (the graph's events)."""
    events_sql, params = scope_sql(store, scope)
    row = store.connection.execute(
        f"WITH s AS ({events_sql}) SELECT count(DISTINCT unit) FROM s"
        " WHERE EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = s.event_id)",
        params,
    ).fetchone()
    return int(row[0]) if row else 0


def _counted_events(store: Store, scope: EventScope) -> tuple[Summary, str, str] | None:
    """How ``tally_units`` counts the scope's events: the scope's summary, and the anchor and
    identity of its own rows (``Summary.own``); None when the summaries cannot say."""
    summary = summary_of(store, replace(scope, unit="events"), pairs=True)
    if summary is None:
        return None
    return summary, *summary.own


def event_count(store: Store, scope: EventScope) -> int:
    """How many events the scope has (in events, whatever its unit)."""
    counted = _counted_events(store, scope)
    if counted is not None:
        summary, anchor, identity = counted
        within, within_params = summary.where()
        row = store.connection.execute(
            "SELECT coalesce(sum(n_events), 0) FROM tally_units WHERE anchor = ?"
            f" AND identity = ? AND role = '*'{within}",
            [anchor, identity, *within_params],
        ).fetchone()
    else:
        count_sql, count_params = scope_sql(store, scope)
        row = store.connection.execute(
            f"SELECT count(*) FROM ({count_sql}) s", count_params
        ).fetchone()
    return int(row[0]) if row else 0


def recent_months(
    store: Store, scope: EventScope, rows: int, before: date | None = None
) -> date | None:
    """The first day of the latest months that hold at least ``rows`` of the scope's dated
    events (in months before that of ``before``, if given), from the summaries; None when
    they cannot answer the scope or the events of those months are too few.

    A list's page, newest first, lies in those months (or in ``before``'s), so its query
    may start there: on a store written in the order the news came, the database then
    reads the rows of those months only, whatever the size of the store.
    """
    counted = _counted_events(store, scope)
    if counted is None or rows <= 0:
        return None
    summary, anchor, identity = counted
    typed, type_params = summary.type_condition()
    first, last = summary.months or (0, LAST_MONTH)
    if before is not None:
        last = min(last, _month_number(before) - 1)
    counts = store.connection.execute(
        "SELECT month, sum(n_events) FROM tally_units WHERE anchor = ? AND identity = ?"
        f" AND role = '*'{typed} AND month = month_to AND month >= ? AND month <= ?"
        " GROUP BY month ORDER BY month DESC",
        [anchor, identity, *type_params, max(first, 0), last],
    ).fetchall()
    seen = 0
    for month, n in counts:
        seen += int(n)
        if seen >= rows:
            return date(int(month) // 12, int(month) % 12 + 1, 1)
    return None


def from_day(where: EventFilter, day: date | None) -> EventFilter:
    """``where`` with its events from ``day`` on (None: unchanged)."""
    if day is None or (where.since is not None and where.since >= day):
        return where
    return replace(where, since=day)


def event_list_page(
    store: Store, scope: EventScope, limit: int, offset: int = 0, after: EventKey | None = None
) -> tuple[int, list[dict[str, Any]], EventKey | None]:
    """``Store.event_keyset_page`` of the scope's API filters (``where``, ``context``,
    ``text``), counted from the summaries and read from the months that hold the page
    where the summaries can say (the dashboard's refinements of ``scope`` do not apply)."""
    scope = EventScope(scope.where, scope.context, scope.text)
    total = event_count(store, scope)
    start = None
    if after is None or after.day is not None:  # else the page is among the undated events
        start = recent_months(store, scope, offset + limit, after.day if after else None)
    where = replace(from_day(scope.where, start), limit=limit)
    return store.event_keyset_page(where, scope.context, scope.text, offset, after, total)


def event_page(
    store: Store, scope: EventScope, limit: int, offset: int = 0
) -> tuple[int, list[tuple[dict[str, Any], date | None]]]:
    """(spec record, day) of one page of the scope's events, newest first, undated last
    (by id), and the number of all of them."""
    # The count apart: a window over all rows would keep the sort from stopping at the page.
    total = event_count(store, scope)
    start = recent_months(store, scope, offset + limit)
    events_sql, params = scope_sql(
        store, replace(scope, where=from_day(scope.where, start)), with_day=True
    )
    event_id = store.backend.binary("event_id")
    recent, recent_params = store.recent_days(events_sql, params, offset + limit)
    # The page's keys first, then its records by key (as ``Store.event_keyset_page``):
    # ordering the records would carry every skipped row's JSON through the sort.
    rows = store.connection.execute(
        f"WITH s AS ({events_sql}) SELECT s.event_id, day FROM s WHERE {recent}"
        f" ORDER BY day IS NULL, day DESC, CASE WHEN day IS NULL THEN {event_id} END,"
        f" {event_id} DESC LIMIT ? OFFSET ?",
        [*params, *recent_params, int(limit), int(offset)],
    ).fetchall()
    records = store.event_records([str(row[0]) for row in rows])
    return total, [(records[key], day) for key, day in rows if key in records]


def identities_named(store: Store, scope: EventScope, key: str) -> list[dict[str, str]]:
    """Identity, code and name of the scope's participants that ``key`` may name (same
    code, or same identity or name without case or accents): the candidates that
    ``veille.web.identity_matcher`` chooses from."""
    summary = summary_of(store, scope)
    if summary is not None:
        within, within_params = summary.where()
        rows = store.connection.execute(
            f"SELECT DISTINCT identity, code, name FROM tally_names WHERE anchor = ?{within}"
            f" AND {summaries.label_match(store)}",
            [summary.anchor, *within_params, key, key, key],
        ).fetchall()
        return [{"identity": i, "code": c, "name": n} for i, c, n in rows]
    events_sql, params = scope_sql(store, scope)
    fold = store.backend.fold
    rows = store.connection.execute(
        f"WITH s AS ({events_sql}) SELECT DISTINCT p.identity, p.code, p.name FROM s"
        " JOIN event_participants p ON p.event_id = s.event_id"
        f" WHERE lower(p.code) = lower(?) OR lower({fold('p.identity')}) = lower({fold('?')})"
        f" OR lower({fold('p.name')}) = lower({fold('?')})",
        [*params, key, key, key],
    ).fetchall()
    return [{"identity": i, "code": c, "name": n} for i, c, n in rows]
