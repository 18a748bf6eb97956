"""Counts kept up to date at write time, so that the tallies (``veille.tallies``) read a few
hundred rows instead of every (event, participant) row of a large store.

The tables (migration 8, ``tally_*``) hold, for all events and for the events of each actor
identity (the *anchor*), how many events and how many stories there are per actor, role,
type and month, per graph edge and per place, how many documents, and the names that the
participants go by. The events of each pair of identities (the dashboard's click on a
partner or an edge) are anchors too, with only what the dashboard's overview of them reads:
their own counts, their participants' (all roles, and as states), their places and
documents. They are exact: a document is written or deleted whole, in one
transaction, and with it the counts of the stories its events belong to.

How a write updates them: the events the write can change a count of are those of the
stories it touches (an event joins a story, a document's events leave theirs), and the
counts are of distinct events, stories and documents within groups. So the contributions
of those events are computed before the write and again after it, from the same SQL that
fills the tables from scratch (``rebuild``), and the difference is added to the tables. The
first event or row of a group (the tallies' tie-breaks) is a minimum: a write can lower it,
and a deletion that removes it has it recomputed for that group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from veille.backends import memory_bytes, memory_limit
from veille.model import NON_STATE_CODES, NON_STATE_SECTORS

if TYPE_CHECKING:
    from veille.store import Store

#: The schema version that added the tables.
SUMMARIES_VERSION = 8
#: The schema version whose counts hold pairs of identities too (``pair_anchor``).
PAIRS_VERSION = 14
#: ``month`` of the rows counting all months, and of undated events.
ALL_MONTHS = -2
UNDATED = -1
#: ``event`` of the document counts over every type.
ANY_TYPE = "*"
#: Anchors: the events of an identity, and those of a pair of identities (``pair_anchor``).
IDENTITY = "i:"
TOGETHER, DIRECTED, JOINT = "w:", "d:", "j:"
PAIRS = (TOGETHER, DIRECTED, JOINT)
#: Place keys stand for a missing value with these.
NO_GEONAMEID = -1
NO_COORDINATE = 1000.0
NO_COUNTRY = ""


def pair_anchor(kind: str, first: str, second: str) -> str:
    """The anchor of the events in which two identities take part: ``TOGETHER`` (both),
    ``DIRECTED`` (``first`` acts on ``second``, as the graph's directed edges) or ``JOINT``
    (both, in an event whose participants all act or none does, as its joint edges)."""
    if kind != DIRECTED:
        first, second = sorted((first, second))  # code points: the binary order of UTF-8
    return f"{kind}{first}\x01{second}"


def _month(store: Store) -> str:
    """SQL: the month number of an event's day (its date, else its document's publication
    date) over ``store.events_relation()``."""
    day = store.event_day()
    return (
        f"CASE WHEN {day} IS NULL THEN -1 ELSE CAST(extract(year FROM {day}) AS INTEGER) * 12"
        f" + CAST(extract(month FROM {day}) AS INTEGER) - 1 END"
    )


def _event_columns(store: Store) -> str:
    return (
        "e.event_id, e.doc_id, e.event, coalesce(e.story_id, e.event_id) AS story,"
        f" {_month(store)} AS month, e.place, e.geonameid, e.lat, e.lon, e.place_country"
    )


_PARTICIPANT_COLUMNS = "p.event_id, p.role, p.position, p.code, p.sector, p.name, p.identity"


@dataclass(frozen=True, slots=True)
class Table:
    """A summary table: its key columns, the counts added up, the minima kept."""

    name: str
    keys: tuple[str, ...]
    counts: tuple[str, ...]
    minima: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.counts, *self.minima)


MONTHS = ("month", "month_to")
UNITS = Table(
    "tally_units",
    ("anchor", "identity", "role", "event", *MONTHS),
    ("n_events", "n_stories"),
    ("first_event",),
)
DOCUMENTS = Table("tally_documents", ("anchor", "identity", "event", *MONTHS), ("documents",))
NAMES = Table(
    "tally_names",
    ("anchor", "identity", "code", "name", "sector", "event", *MONTHS),
    ("n_rows",),
    ("first_row",),
)
EDGES = Table(
    "tally_edges",
    ("anchor", "source", "target", "directed", "event", *MONTHS),
    ("n_events", "n_stories"),
)
PLACES = Table(
    "tally_places",
    ("anchor", "place", "geonameid", "lat", "lon", "country", "event", *MONTHS),
    ("n_events", "n_stories"),
)
TABLES = (UNITS, DOCUMENTS, NAMES, EDGES, PLACES)
#: Counted per document, not per event (``count_document``).
LANGUAGES = Table("tally_languages", ("language",), ("documents", "coded"))
PEOPLE = Table(
    "tally_people",
    ("code", "identity", "entity_text", "office", "kind"),
    ("mentions", "documents"),
    ("first_row",),
)
#: ``tally_people.office`` of a mention without office.
NO_OFFICE = "\x01"


def people_sql(store: Store, mentions: str = "TRUE") -> str:
    """``tally_people``'s rows over the actor mentions that meet ``mentions``."""
    non_state = ", ".join(f"'{code}'" for code in sorted(NON_STATE_CODES))
    sectors = " OR ".join(f"sector LIKE '%\"{s}\"%'" for s in sorted(NON_STATE_SECTORS))
    # A mention's actor identity (``Actor.identity``): its code for a state, else its name.
    identity = f"CASE WHEN code IN ({non_state}) OR {sectors} THEN name ELSE code END"
    first = store.backend.binary("doc_id || chr(1) || lpad(CAST(position AS VARCHAR), 9, '0')")
    keys = f"code, {identity}, entity_text, coalesce(office, chr(1)), kind"
    return (
        f"SELECT {keys}, count(*), count(DISTINCT doc_id), min({first}) FROM actor_mentions"
        f" WHERE (kind = 'person' OR office IS NOT NULL) AND {mentions} GROUP BY {keys}"
    )


def _grouped(
    keys: str, counts: str, unit: str | None = None, unit_counts: str = "", several: str = ""
) -> str:
    """The rows of a table from the relation ``facts`` (its ``keys``, ``month`` and the
    columns ``counts`` reads): all months, each month, and, counting ``unit`` (a story, a
    document), each pair of months in which a unit of ``several`` months has events and
    none between (``unit_counts`` counts them)."""
    sql = (
        f"SELECT {keys}, {ALL_MONTHS}, {ALL_MONTHS}, {counts} FROM facts GROUP BY {keys}"
        f" UNION ALL SELECT {keys}, month, month, {counts} FROM facts GROUP BY {keys}, month"
    )
    if unit is not None:
        sql += (
            f" UNION ALL SELECT {keys}, month, next_month, {unit_counts} FROM (SELECT {keys},"
            f" month, lead(month) OVER (PARTITION BY {keys}, {unit} ORDER BY month) AS next_month"
            f" FROM (SELECT DISTINCT {keys}, {unit}, month FROM facts WHERE {several}) u) s"
            f" WHERE next_month IS NOT NULL GROUP BY {keys}, month, next_month"
        )
    return sql


# Stories (documents) told in more than one month: the only ones with pairs of months.
_STORIES_OF_MONTHS = (
    "story IN (SELECT story FROM ev GROUP BY story HAVING count(DISTINCT month) > 1)"
)
_DOCUMENTS_OF_MONTHS = (
    "doc_id IN (SELECT doc_id FROM ev GROUP BY doc_id HAVING count(DISTINCT month) > 1)"
)
#: ``_grouped``'s pairs of months counted by story.
_BY_STORY_MONTHS = {"unit": "story", "several": _STORIES_OF_MONTHS}
#: An event's place as ``PLACES`` keys it (a missing value as its stand-in).
_PLACE_COLUMNS = (
    f"ev.place, coalesce(ev.geonameid, {NO_GEONAMEID}) AS geonameid,"
    f" coalesce(ev.lat, {NO_COORDINATE}) AS lat, coalesce(ev.lon, {NO_COORDINATE}) AS lon,"
    f" coalesce(ev.place_country, '{NO_COUNTRY}') AS country"
)
#: The events that ``PLACES`` counts: those with a place.
_HAS_PLACE = "ev.place IS NOT NULL AND ev.place <> ''"


def _rows_of_facts(store: Store, table: Table) -> str:
    """``table``'s rows grouped from the relation ``facts``, which the caller defines with
    the columns they read: the same for the identities' anchors and the pairs'."""
    if table is UNITS:
        return _grouped(
            "anchor, identity, role, event",
            f"count(*), count(DISTINCT story), min({store.backend.binary('event_id')})",
            unit_counts="0, count(*), NULL",
            **_BY_STORY_MONTHS,
        )
    if table is DOCUMENTS:
        return _grouped(
            "anchor, identity, event",
            "count(DISTINCT doc_id)",
            unit="doc_id",
            unit_counts="count(*)",
            several=_DOCUMENTS_OF_MONTHS,
        )
    if table is NAMES:
        return _grouped(
            "anchor, identity, code, name, sector, event",
            f"count(*), min({store.backend.binary('first_row')})",
        )
    if table is EDGES:
        return _grouped(
            "anchor, source, target, directed, event",
            "count(*), count(DISTINCT story)",
            unit_counts="0, count(*)",
            **_BY_STORY_MONTHS,
        )
    if table is PLACES:
        return _grouped(
            "anchor, place, geonameid, lat, lon, country, event",
            "count(*), count(DISTINCT story)",
            unit_counts="0, count(*)",
            **_BY_STORY_MONTHS,
        )
    raise ValueError(table.name)


def contribution_sql(store: Store, table: Table, pairs: bool = False) -> str:
    """The rows of ``table`` counted over the events of the relation ``ev`` and their
    participants ``pp`` (both defined by the caller's WITH): under no anchor and those of
    identities, or, with ``pairs``, those of pairs of identities (``PAIR_TABLES`` only)."""
    if pairs:
        return _pair_contribution_sql(store, table)
    binary = store.backend.binary
    anchors = (
        "anchors AS (SELECT event_id, '' AS anchor FROM ev"
        f" UNION SELECT event_id, '{IDENTITY}' || identity FROM pp)"
    )
    if table is UNITS:
        anchored = "FROM pp p JOIN anchors a ON a.event_id = p.event_id"
        return (
            f"{anchors}, roles AS ("
            f"SELECT a.anchor, p.identity, '*' AS role, p.event_id {anchored}"
            " UNION SELECT a.anchor, p.identity,"
            f" CASE WHEN p.role = 'actor' THEN 'actor' ELSE 'other' END, p.event_id {anchored}"
            f" UNION SELECT a.anchor, p.identity, 'self', p.event_id {anchored}"
            " WHERE p.identity = p.code"
            " UNION SELECT '', '', '*', event_id FROM ev),"
            " facts AS (SELECT r.anchor, r.identity, r.role, ev.event, ev.event_id, ev.story,"
            " ev.month FROM roles r JOIN ev ON ev.event_id = r.event_id) "
            + _rows_of_facts(store, table)
        )
    if table is DOCUMENTS:
        return (
            f"{anchors}, typed AS (SELECT DISTINCT a.anchor, p.identity, ev.event, ev.doc_id,"
            " ev.month FROM pp p JOIN anchors a ON a.event_id = p.event_id"
            " JOIN ev ON ev.event_id = p.event_id UNION SELECT '', '', event, doc_id, month"
            " FROM ev), facts AS (SELECT * FROM typed UNION SELECT anchor, identity,"
            f" '{ANY_TYPE}', doc_id, month FROM typed) " + _rows_of_facts(store, table)
        )
    if table is NAMES:
        first_row = (
            "p.event_id || chr(1) || p.role || chr(1) || lpad(CAST(p.position AS VARCHAR), 9, '0')"
        )
        return (
            f"{anchors}, facts AS (SELECT a.anchor, p.identity, p.code, p.name, p.sector,"
            f" ev.event, {first_row} AS first_row, ev.month FROM pp p"
            " JOIN anchors a ON a.event_id = p.event_id JOIN ev ON ev.event_id = p.event_id) "
            + _rows_of_facts(store, table)
        )
    if table is EDGES:
        return (
            f"{anchors}, x AS (SELECT event_id, identity, role = 'actor' AS acts FROM pp),"
            " sides AS (SELECT event_id, bool_or(acts) AND bool_or(NOT acts) AS directed"
            " FROM x GROUP BY event_id),"
            " pairs AS (SELECT DISTINCT a.event_id, a.identity AS source, b.identity AS target,"
            " s.directed FROM x a JOIN x b ON b.event_id = a.event_id"
            " AND b.identity <> a.identity JOIN sides s ON s.event_id = a.event_id"
            " WHERE (s.directed AND a.acts AND NOT b.acts)"
            f" OR (NOT s.directed AND {binary('a.identity')} < {binary('b.identity')})),"
            " facts AS (SELECT an.anchor, pr.source, pr.target, pr.directed, ev.event,"
            " ev.event_id, ev.story, ev.month FROM pairs pr"
            " JOIN anchors an ON an.event_id = pr.event_id JOIN ev ON ev.event_id = pr.event_id) "
            + _rows_of_facts(store, table)
        )
    if table is PLACES:
        return (
            f"{anchors}, facts AS (SELECT an.anchor, {_PLACE_COLUMNS}, ev.event, ev.event_id,"
            " ev.story, ev.month FROM ev JOIN anchors an ON an.event_id = ev.event_id"
            f" WHERE {_HAS_PLACE}) " + _rows_of_facts(store, table)
        )
    raise ValueError(table.name)


#: The tables that count pairs of identities: what the dashboard's overview of a pair reads.
PAIR_TABLES = (UNITS, DOCUMENTS, PLACES)


def statements(store: Store, table: Table) -> Iterator[str]:
    """``contribution_sql`` of ``table``: the statements whose rows together are its rows
    (their keys never meet: anchors differ). Apart, so that each one's memory is its own."""
    yield contribution_sql(store, table)
    if table in PAIR_TABLES:
        yield contribution_sql(store, table, pairs=True)


def _counted(
    store: Store, table: Table, sources: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """``table``'s rows from each of its ``statements`` over ``sources`` (their WITH)."""
    return [
        tuple(row)
        for statement in statements(store, table)
        for row in store.connection.execute(sources + statement, params).fetchall()
    ]


def _pair_contribution_sql(store: Store, table: Table) -> str:
    """``contribution_sql`` of the pairs' anchors: each pair of identities of an event
    under the anchor of each way they take part in it (``pair_anchor``). Each (event,
    identity) is one row of ``members`` and each (event, anchor) one of ``pair_anchors``,
    so that no row needs to be found twice and dropped."""
    binary = store.backend.binary
    joined = "a.identity || chr(1) || b.identity"
    pair_anchors = (
        "members AS (SELECT event_id, identity, bool_or(role = 'actor') AS acts,"
        " bool_or(role <> 'actor') AS undergoes, bool_or(identity = code) AS state"
        " FROM pp GROUP BY event_id, identity),"
        " sides AS (SELECT event_id, bool_or(acts) AND bool_or(undergoes) AS directed"
        " FROM members GROUP BY event_id),"
        f" unordered AS (SELECT a.event_id, {joined} AS pair FROM members a JOIN members b"
        f" ON b.event_id = a.event_id AND {binary('a.identity')} < {binary('b.identity')}),"
        f" pair_anchors AS (SELECT event_id, '{TOGETHER}' || pair AS anchor FROM unordered"
        f" UNION ALL SELECT u.event_id, '{JOINT}' || u.pair FROM unordered u"
        " JOIN sides s ON s.event_id = u.event_id WHERE NOT s.directed"
        f" UNION ALL SELECT a.event_id, '{DIRECTED}' || {joined} FROM members a"
        " JOIN members b ON b.event_id = a.event_id AND b.identity <> a.identity"
        " WHERE a.acts AND b.undergoes), "
    )
    if table is UNITS:
        # The pair's own rows, and its participants' as the overview reads them.
        paired = (
            "FROM pair_anchors a JOIN members m ON m.event_id = a.event_id"
            " JOIN ev ON ev.event_id = a.event_id"
        )
        event = "ev.event, ev.event_id, ev.story, ev.month"
        return (
            f"{pair_anchors}facts AS (SELECT a.anchor, '' AS identity, '*' AS role, {event}"
            " FROM pair_anchors a JOIN ev ON ev.event_id = a.event_id"
            f" UNION ALL SELECT a.anchor, m.identity, '*', {event} {paired}"
            f" UNION ALL SELECT a.anchor, m.identity, 'self', {event} {paired} WHERE m.state) "
            + _rows_of_facts(store, table)
        )
    if table is DOCUMENTS:
        anchored = "FROM pair_anchors a JOIN ev ON ev.event_id = a.event_id"
        return (
            f"{pair_anchors}facts AS (SELECT a.anchor, '' AS identity, ev.event, ev.doc_id,"
            f" ev.month {anchored} UNION ALL SELECT a.anchor, '', '{ANY_TYPE}', ev.doc_id,"
            f" ev.month {anchored}) " + _rows_of_facts(store, table)
        )
    if table is PLACES:
        return (
            f"{pair_anchors}facts AS (SELECT a.anchor, {_PLACE_COLUMNS}, ev.event, ev.event_id,"
            " ev.story, ev.month FROM pair_anchors a JOIN ev ON ev.event_id = a.event_id"
            f" WHERE {_HAS_PLACE}) " + _rows_of_facts(store, table)
        )
    raise ValueError(f"{table.name} does not count pairs")


def _sources(store: Store, events_where: str = "TRUE") -> str:
    """``ev`` and ``pp`` over the stored events that meet ``events_where``."""
    participants = "FROM event_participants p"
    if events_where != "TRUE":
        participants += " WHERE p.event_id IN (SELECT event_id FROM ev)"
    return (
        f"WITH ev AS (SELECT {_event_columns(store)} FROM {store.events_relation()}"
        f" WHERE {events_where}),"
        f" pp AS (SELECT {_PARTICIPANT_COLUMNS} {participants}), "
    )


# -- state -------------------------------------------------------------------------------


def built(store: Store) -> bool:
    """Whether the tables hold the counts of every stored event (cached per Store)."""
    cached = getattr(store, "_summaries_built", None)
    if cached is None:
        cached = False
        if store.schema_version() >= SUMMARIES_VERSION:
            row = store.connection.execute("SELECT count(*) FROM tally_built").fetchone()
            cached = bool(row and row[0])
        store._summaries_built = cached
    return cached


def pairs_built(store: Store) -> bool:
    """Whether the tables hold the counts of pairs of identities too: not those of a
    database counted before migration 14 and served read-only before its upgrade."""
    if not built(store):
        return False
    cached = getattr(store, "_summaries_have_pairs", None)
    if cached is None:
        cached = store._summaries_have_pairs = store.schema_version() >= PAIRS_VERSION
    return cached


#: Events that ``rebuild`` counts together per GiB of the memory limit: a part's distinct
#: counts fit in it (measured on DuckDB: 250,000 events peak at 1.1 GB of RSS under a 1GB
#: limit; 500,000 take twice as long, spilling to disk).
EVENTS_PER_GIB = 250_000
#: Tables counted per story; ``DOCUMENTS`` is counted per document.
_BY_STORY = tuple(table for table in TABLES if table is not DOCUMENTS)


def rebuild(store: Store, parts: int | None = None) -> None:
    """Count every stored event again (after a migration, a bulk load or a rebuild of the
    stories). Runs in the caller's transaction.

    The store is counted in ``parts`` parts (by default as many as its events need within
    the memory limit, ``EVENTS_PER_GIB``), and the parts' rows are then added up: the
    distinct counts never hold the whole store in memory (DuckDB's memory is bounded
    besides: ``Backend.bounded_memory``). A part holds whole stories, or whole documents
    where documents are counted, so that no unit is counted in two parts and the sums
    equal the counts over all events; a first event or row is the least of the parts'."""
    connection = store.connection
    if store.backend.dialect == "duckdb":
        connection.execute("SET enable_progress_bar = false")
    tables = (*TABLES, LANGUAGES, PEOPLE)
    with store.backend.bounded_memory(connection):
        if parts is None:
            parts = _parts_needed(store)
        for table in tables:
            connection.execute(f"DELETE FROM {table.name}")
        if parts == 1:
            for table, rows in _part_rows(store, 0, 1):
                connection.execute(f"INSERT INTO {table.name} ({', '.join(table.columns)}) {rows}")
        else:
            for table in tables:
                connection.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {table.name}_parts AS"
                    f" SELECT {', '.join(table.columns)} FROM {table.name} WHERE FALSE"
                )
                connection.execute(f"DELETE FROM {table.name}_parts")  # a failed rebuild's
            for part in range(parts):
                for table, rows in _part_rows(store, part, parts):
                    connection.execute(
                        f"INSERT INTO {table.name}_parts ({', '.join(table.columns)}) {rows}"
                    )
            for table in tables:
                _add_up_parts(store, table)
            for name in ("ev", "pp"):
                connection.execute(f"DROP TABLE tally_part_{name}")
    connection.execute("DELETE FROM tally_built")
    connection.execute(
        "INSERT INTO tally_built VALUES (?)", [datetime.now(UTC).replace(tzinfo=None)]
    )
    store._summaries_built = True


def _parts_needed(store: Store) -> int:
    row = store.connection.execute("SELECT count(*) FROM events").fetchone()
    per_part = max(1, int(EVENTS_PER_GIB * memory_bytes(memory_limit()) / 2**30))
    return max(1, -(-int(row[0] if row else 0) // per_part))


def _part_rows(store: Store, part: int, parts: int) -> Iterator[tuple[Table, str]]:
    """Each table's rows (SQL) over part ``part`` of ``parts``; run each before taking the
    next (a part's events are copied into temporary tables between two)."""

    def of_part(unit: str) -> str:
        return "TRUE" if parts == 1 else f"{store.backend.bucket(unit, parts)} = {part}"

    for unit, tables in (
        ("coalesce(e.story_id, e.event_id)", _BY_STORY),
        ("e.doc_id", (DOCUMENTS,)),
    ):
        events = of_part(unit)
        # Copied once for the tables that read them, rather than found again by each.
        sources = _sources(store, events) if parts == 1 else _copied(store, events)
        for table in tables:
            for statement in statements(store, table):
                yield table, sources + statement
    yield LANGUAGES, f"SELECT * FROM ({store.main_language_sql(of_part('doc_id'))}) languages"
    yield PEOPLE, people_sql(store, of_part("doc_id"))


def _copied(store: Store, events_where: str) -> str:
    """``_sources(store, events_where)``'s ``ev`` and ``pp`` copied into temporary tables:
    the WITH that reads them."""
    sources = _sources(store, events_where)
    for name in ("ev", "pp"):
        rows = f"{sources}copied AS (SELECT * FROM {name}) SELECT * FROM copied"
        store.connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS tally_part_{name} AS {rows} WHERE FALSE"
        )
        store.connection.execute(f"DELETE FROM tally_part_{name}")
        store.connection.execute(f"INSERT INTO tally_part_{name} {rows}")
    return "WITH ev AS (SELECT * FROM tally_part_ev), pp AS (SELECT * FROM tally_part_pp), "


def _add_up_parts(store: Store, table: Table) -> None:
    """``table``'s rows from its parts': counts summed, least minima."""
    keys = ", ".join(table.keys)
    totals = [f"sum({count})" for count in table.counts]
    totals += [f"min({store.backend.binary(minimum)})" for minimum in table.minima]
    store.connection.execute(
        f"INSERT INTO {table.name} ({', '.join(table.columns)}) SELECT {keys},"
        f" {', '.join(totals)} FROM {table.name}_parts GROUP BY {keys}"
    )
    store.connection.execute(f"DROP TABLE {table.name}_parts")


# -- at write time -----------------------------------------------------------------------

#: A table's rows: key columns -> counts and minima.
Keyed = dict[tuple[Any, ...], tuple[Any, ...]]
Counts = dict[str, Keyed]
#: PostgreSQL advisory lock held by a transaction that updates the counts.
_WRITE_LOCK = int.from_bytes(hashlib.sha256(b"veille summaries").digest()[:8], "big") >> 1


@contextmanager
def change(store: Store, story_ids: Collection[str], doc_id: str) -> Iterator[None]:
    """Around a write that adds or deletes the events of ``doc_id`` (which belong to
    ``story_ids``): the counts are brought up to date when it ends."""
    if not built(store):
        yield
        return
    if store.backend.dialect == "postgresql":
        # Writers take turns until they commit: each one's "before" must see the others'
        # counts (a DuckDB file has one writer anyway).
        store.connection.execute("SELECT pg_advisory_xact_lock(?)", [_WRITE_LOCK])
    before = _contributions(store, story_ids, doc_id)
    yield
    after = _contributions(store, story_ids, doc_id)
    for table in TABLES:
        _apply(store, table, before[table.name], after[table.name])


def _document_counts(store: Store, doc_id: str) -> tuple[Keyed, Keyed]:
    """A stored document's main language and the people it names, as table rows."""
    rows = store.connection.execute(store.main_language_sql("doc_id = ?"), [doc_id]).fetchall()
    languages = {(language,): (int(n), int(coded)) for language, n, coded in rows}
    rows = store.connection.execute(people_sql(store, "doc_id = ?"), [doc_id]).fetchall()
    return languages, {tuple(row[:5]): tuple(row[5:]) for row in rows}


def count_document(store: Store, doc_id: str) -> None:
    """Add a document just written (its paragraphs and mentions) to the counts."""
    if built(store):
        languages, named = _document_counts(store, doc_id)
        _apply(store, LANGUAGES, {}, languages)
        _apply(store, PEOPLE, {}, named)


@contextmanager
def removing_document(store: Store, doc_id: str) -> Iterator[None]:
    """Around the deletion of a document's paragraphs and mentions: take them away from
    the counts (a minimum it held is looked for again once they are gone)."""
    if not built(store):
        yield
        return
    languages, named = _document_counts(store, doc_id)
    yield
    _apply(store, LANGUAGES, languages, {})
    _apply(store, PEOPLE, named, {})


def _contributions(store: Store, story_ids: Collection[str], doc_id: str) -> Counts:
    """What the events of these stories and of this document add to each table."""
    connection = store.connection
    story_list = sorted(set(story_ids))
    touched = "e.doc_id = ?"
    params: list[Any] = [doc_id]
    if story_list:
        touched += f" OR e.story_id IN ({', '.join('?' * len(story_list))})"
        params += story_list
    for name, columns, source in (
        ("tally_ev", _event_columns(store), store.events_relation()),
        ("tally_pp", _PARTICIPANT_COLUMNS, "event_participants p"),
    ):
        connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {name} AS SELECT {columns} FROM {source} WHERE FALSE"
        )
        connection.execute(f"DELETE FROM {name}")
    connection.execute(
        f"INSERT INTO tally_ev SELECT {_event_columns(store)} FROM {store.events_relation()}"
        f" WHERE {touched}",
        params,
    )
    connection.execute(
        f"INSERT INTO tally_pp SELECT {_PARTICIPANT_COLUMNS} FROM event_participants p"
        " WHERE p.event_id IN (SELECT event_id FROM tally_ev)"
    )
    sources = "WITH ev AS (SELECT * FROM tally_ev), pp AS (SELECT * FROM tally_pp), "
    out: Counts = {}
    for table in TABLES:
        width = len(table.keys)
        out[table.name] = {row[:width]: row[width:] for row in _counted(store, table, sources)}
    return out


def _apply(
    store: Store,
    table: Table,
    before: Keyed,
    after: Keyed,
) -> None:
    """Add ``after - before`` to ``table``; keep or recompute the minima."""
    binary = store.backend.binary
    n_counts = len(table.counts)
    zero = (0,) * n_counts + (None,) * len(table.minima)
    changed: list[list[Any]] = []
    lost: list[tuple[tuple[Any, ...], int, Any]] = []  # (key, minimum's index, value lost)
    for key in before.keys() | after.keys():
        old, new = before.get(key, zero), after.get(key, zero)
        delta = [int(n) - int(o) for n, o in zip(new[:n_counts], old[:n_counts], strict=True)]
        minima = list(new[n_counts:])
        if any(delta) or any(m is not None for m in minima):
            changed.append([*key, *delta, *minima])
        for i, (was, now) in enumerate(zip(old[n_counts:], new[n_counts:], strict=True)):
            if was is not None and (now is None or now > was):
                lost.append((key, i, was))
    if changed:
        updates = [f"{c} = {table.name}.{c} + excluded.{c}" for c in table.counts]
        updates += [
            f"{m} = CASE WHEN {table.name}.{m} IS NULL OR"
            f" {binary(f'excluded.{m}')} < {binary(f'{table.name}.{m}')}"
            f" THEN excluded.{m} ELSE {table.name}.{m} END"
            for m in table.minima
        ]
        row = f"({', '.join('?' * len(table.columns))})"
        for start in range(0, len(changed), _ROWS_PER_STATEMENT):  # one statement per chunk
            chunk = changed[start : start + _ROWS_PER_STATEMENT]
            store.connection.execute(
                f"INSERT INTO {table.name} ({', '.join(table.columns)})"
                f" VALUES {', '.join([row] * len(chunk))}"
                f" ON CONFLICT ({', '.join(table.keys)}) DO UPDATE SET {', '.join(updates)}",
                [value for values in chunk for value in values],
            )
        width = len(table.keys)
        if any(d < 0 for values in changed for d in values[width : width + n_counts]):
            nothing = " AND ".join(f"{c} = 0" for c in table.counts)  # a pair of months: 0 events
            store.connection.execute(f"DELETE FROM {table.name} WHERE {nothing}")
    if lost:
        _recompute_minima(store, table, lost)


#: Rows upserted by one statement.
_ROWS_PER_STATEMENT = 200


def _recompute_minima(
    store: Store, table: Table, lost: Sequence[tuple[tuple[Any, ...], int, Any]]
) -> None:
    """Where a deleted row held a group's minimum, find the group's minimum again."""
    width, n_counts = len(table.keys), len(table.counts)
    by_minimum: dict[int, dict[tuple[Any, ...], Any]] = {}
    for key, index, was in lost:
        by_minimum.setdefault(index, {})[key] = was
    for index, groups in by_minimum.items():
        column = table.minima[index]
        values = sorted(set(groups.values()))
        stored = store.connection.execute(
            f"SELECT {', '.join(table.keys)}, {column} FROM {table.name}"
            f" WHERE {column} IN ({', '.join('?' * len(values))})",
            values,
        ).fetchall()
        # The groups still there whose minimum is the one deleted.
        stale = [tuple(r[:width]) for r in stored if groups.get(tuple(r[:width])) == r[width]]
        if not stale:
            continue
        if table is PEOPLE:
            codes = sorted({key[0] for key in stale})
            rows = store.connection.execute(
                people_sql(store, f"code IN ({', '.join('?' * len(codes))})"), codes
            ).fetchall()
        else:
            types = sorted({key[table.keys.index("event")] for key in stale})
            where, params = f"e.event IN ({', '.join('?' * len(types))})", list(types)
            identities = sorted({key[1] for key in stale})
            if "" not in identities:  # else every event of the types
                where += (
                    " AND e.event_id IN (SELECT event_id FROM event_participants"
                    f" WHERE identity IN ({', '.join('?' * len(identities))}))"
                )
                params += identities
            months = sorted({key[table.keys.index("month")] for key in stale})
            if ALL_MONTHS not in months:  # else every month
                where += f" AND {_month(store)} IN ({', '.join('?' * len(months))})"
                params += months
            rows = _counted(store, table, _sources(store, where), params)
        fresh = {tuple(r[:width]): r[width + n_counts + index] for r in rows}
        match = " AND ".join(f"{k} = ?" for k in table.keys)
        store.connection.executemany(
            f"UPDATE {table.name} SET {column} = ? WHERE {match}",
            [[fresh.get(key), *key] for key in stale],
        )


def label_match(store: Store) -> str:
    """SQL: a (code, identity, name) that the actor filter matches, as
    ``Store.event_conditions`` matches a participant (three ``?``: the key)."""
    fold = store.backend.fold
    return (
        f"(lower(code) = lower(?) OR lower({fold('identity')}) = lower({fold('?')})"
        f" OR lower({fold('name')}) = lower({fold('?')}))"
    )


def matching_identities(store: Store, key: str) -> list[str] | None:
    """``Store.matching_identities`` from the summaries, or None without them."""
    labelled = identities_labelled(store, key)
    return None if labelled is None else [identity for identity, _every in labelled]


def identities_labelled(store: Store, key: str) -> list[tuple[str, bool]] | None:
    """The identities some of whose participant rows the actor filter ``key`` matches, each
    with whether it matches all of them; None without the summaries (``tally_names`` holds
    every (identity, code, name) that a participant row has)."""
    if not built(store):
        return None
    label = label_match(store)
    rows = store.connection.execute(
        f"SELECT identity, bool_and({label}) FROM tally_names WHERE anchor = ''"
        f" AND month = {ALL_MONTHS} GROUP BY identity HAVING bool_or({label}) ORDER BY identity",
        [key] * 6,
    ).fetchall()
    return [(str(identity), bool(every)) for identity, every in rows]


def participant_condition(store: Store, key: str) -> tuple[str, list[Any]] | None:
    """The actor filter ``key`` as a condition on ``event_participants`` rows that compares
    identities where it can: the same rows as ``label_match``, but a large store compares
    one column instead of folding three for each participant. None without the summaries."""
    labelled = identities_labelled(store, key)
    if labelled is None:
        return None
    whole = [identity for identity, every in labelled if every]
    partly = [identity for identity, every in labelled if not every]
    conditions, params = [], []
    if whole:
        conditions.append(f"identity IN ({', '.join('?' * len(whole))})")
        params += whole
    if partly:
        conditions.append(
            f"(identity IN ({', '.join('?' * len(partly))}) AND {label_match(store)})"
        )
        params += [*partly, key, key, key]
    return " OR ".join(conditions) or "FALSE", params
