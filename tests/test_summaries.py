"""The summary tables (veille.summaries) answer every tally they can exactly as the SQL over
the events does: on stores built by hypothesis, after documents are added (joining stories)
and deleted, on DuckDB and on PostgreSQL; and counts kept at write time equal counts
rebuilt from scratch."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from veille import summaries
from veille.backends import StoreError
from veille.graph import build_graph
from veille.model import (
    NON_STATE_CODES,
    Actor,
    ActorMention,
    CleanDocument,
    Document,
    DocumentResult,
    Event,
    EventLocation,
    Paragraph,
    ResolvedDate,
)
from veille.store import EventFilter, Store, migrations
from veille.tallies import (
    EventScope,
    actor_tallies,
    event_list_page,
    event_page,
    identities_named,
    overview,
    people,
    places,
    summary_of,
    timeline,
)

ACTORS = (
    Actor("MAR", ("GOV",), "Maroc", "le Maroc"),
    Actor("MAR", ("MIL",), "Forces armées royales", "les FAR"),
    Actor("MLI", ("GOV",), "Mali", "le Mali"),
    Actor("MLI", ("REB",), "Jama'at Nusrat al-Islam wal-Muslimin", "le JNIM"),
    Actor("NER", ("MIL",), "Niger", "le Niger"),
    Actor("IMG", ("REB",), "État islamique", "l'EI"),
    Actor("ESH", ("REB",), "État islamique", "l'EI"),  # one identity, two codes
)
TYPES = ("CONSULT", "COOPERATE", "FIGHT")
DAYS = (None, date(2024, 1, 30), date(2024, 2, 1), date(2024, 2, 2), date(2024, 7, 9))
PLACES = (
    None,
    EventLocation("Rabat", 2538475, 34.0, -6.8, "MAR"),
    EventLocation("Nord", None, None, None, None),
    EventLocation("Rabat", 2538475, 34.0, -6.8, None),
)
OUTLETS = ("https://a.ma/", "https://b.ma/", "https://c.ml/")

events = st.tuples(
    st.sampled_from(TYPES),
    st.lists(st.sampled_from(range(len(ACTORS))), max_size=3),
    st.lists(st.sampled_from(range(len(ACTORS))), max_size=2),
    st.sampled_from(DAYS),
    st.sampled_from(PLACES),
)
documents = st.tuples(
    st.sampled_from(OUTLETS), st.sampled_from(DAYS), st.lists(events, min_size=0, max_size=3)
)
# A story of operations: add each document, deleting now and then one added before.
histories = st.tuples(
    st.lists(documents, min_size=1, max_size=7), st.lists(st.integers(0, 6), max_size=3)
)


def article(number: int, outlet: str, published: date | None, coded: list[Any]) -> DocumentResult:
    text = f"Article {number}. " + " ".join(f"Phrase {i} de l'article." for i in range(4))
    url = f"{outlet}{number}"
    document = Document(Document.content_id(text), url, text, "txt", url=url, published=published)
    clean = CleanDocument(document, (Paragraph(0, len(text), text, "fr", True),))
    out = []
    for i, (kind, acting, acted_on, day, place) in enumerate(coded):
        start = 14 + i * 22
        out.append(
            Event(
                url,
                document.doc_id,
                kind,
                [ACTORS[a] for a in acting],
                [ACTORS[a] for a in acted_on],
                text[start : start + 20],
                start,
                start + 20,
                date=ResolvedDate(day, "day", "x") if day else None,
                date_source="text" if day else None,
                event_loc=place,
                confidence=0.6,
            )
        )
    # People and office holders named: a minister of each acting state, a spokesman.
    mentions = [
        ActorMention(replace(ACTORS[a], entity_text=f"Personne {a}", office=office), 0, 7, kind)
        for i, (_kind, acting, _on, _day, _place) in enumerate(coded)
        for a, office, kind in (
            (acting[0] if acting else 0, "ministre" if i % 2 else None, "person"),
            (acting[-1] if acting else 2, "porte-parole", "organ"),
        )
    ]
    return DocumentResult(clean, tuple(mentions), tuple(out))


def scopes(store: Store) -> list[EventScope]:
    identities = [
        identity
        for (identity,) in store.connection.execute(
            "SELECT DISTINCT identity FROM event_participants ORDER BY identity"
        ).fetchall()
    ]
    out = [EventScope(), EventScope(EventFilter(event_type="consult"))]
    out += [EventScope(EventFilter(actor=key)) for key in ("MAR", "mali", "Etat islamique", "XX")]
    out += [EventScope(actors=frozenset({identity})) for identity in identities]
    out += [
        EventScope(EventFilter(actor=identity, event_type="FIGHT"), actors=frozenset({identity}))
        for identity in identities[:2]
    ]
    # Whole months (the summaries' pairs of months at work), and a day (the events' SQL).
    jan, feb, feb_end = date(2024, 1, 1), date(2024, 2, 1), date(2024, 2, 29)
    out += [
        EventScope(EventFilter(since=feb)),
        EventScope(EventFilter(until=feb_end)),
        EventScope(EventFilter(actor="MAR", since=jan, until=jan + (feb - jan) - timedelta(1))),
        EventScope(EventFilter(since=feb, until=feb_end), actors=frozenset(identities[:1])),
        EventScope(EventFilter(event_type="CONSULT", since=jan, until=feb_end)),
        EventScope(EventFilter(since=date(2024, 2, 2))),
    ]
    # The dashboard's clicks on a partner or an edge, both ways (the summaries answer the
    # overview, places, timeline and event pages): with a type and months, as the dashboard
    # sends them (the actor filter too), two partners and the actor as its own partner.
    one, two = frozenset(identities[:1]), frozenset(identities[1:2])
    edges: list[Any] = [None, "directed", "joint"]
    out += [
        EventScope(actors=a, partners=p, edge=e) for a, p in ((one, two), (two, one)) for e in edges
    ]
    out += [
        EventScope(
            EventFilter(actor=key, event_type="FIGHT", since=jan, until=feb_end),
            actors=one,
            partners=two,
            edge=e,
        )
        for e in edges
        for key in identities[:1]
    ]
    out += [EventScope(EventFilter(actor=key), partners=two) for key in identities[:1]] + [
        EventScope(actors=one, partners=frozenset(identities[1:3])),
        EventScope(actors=one, partners=one, edge="directed"),
    ]
    return [replace(scope, unit=unit) for scope in out for unit in ("stories", "events")]


def answers(store: Store, scope: EventScope) -> str:
    """Every tally of ``scope``, as JSON text (so that orders count too)."""
    total, tallies = actor_tallies(store, scope)
    out: dict[str, Any] = {
        "actors": [total, [asdict(t) | {"sectors": sorted(t.sectors)} for t in tallies]],
        "page": [
            asdict(t) | {"sectors": sorted(t.sectors)}
            for t in actor_tallies(store, scope, limit=2, offset=1)[1]
        ],
        "past_the_end": actor_tallies(store, scope, limit=2, offset=50)[0],
        "graph": build_graph(store, scope),
        "timeline": timeline(store, scope),
        "places": places(store, scope),
        "overview": asdict(overview(store, scope, NON_STATE_CODES)),
        # Pages of events (the summaries say which months hold them): the dashboard's, and
        # the API's with its cursor.
        "events": [event_page(store, scope, n, offset) for n, offset in ((3, 0), (2, 3), (9, 0))],
        "listed": [
            (total, [item["id"] for item in items], last)
            for n, offset in ((3, 0), (2, 3), (9, 1))
            for total, items, last in [event_list_page(store, scope, n, offset)]
        ],
        "next": _second_page(store, scope),
        "named": sorted(
            map(str, identities_named(store, scope, "MAR") + identities_named(store, scope, "mali"))
        ),
    }
    for identity in scope.actors or ():
        out["own"] = [
            asdict(t) | {"sectors": 0} for t in actor_tallies(store, scope, only=identity)[1]
        ]
        out["partners"] = [
            asdict(t) | {"sectors": sorted(t.sectors)}
            for t in actor_tallies(store, scope, without=identity)[1]
        ]
    return json.dumps(out, sort_keys=False, default=str, ensure_ascii=False)


def _second_page(store: Store, scope: EventScope) -> list[str]:
    """The ids of the page after the first through its last key (keyset pagination)."""
    _total, _items, last = event_list_page(store, scope, 2)
    if last is None:
        return []
    return [item["id"] for item in event_list_page(store, scope, 2, after=last)[1]]


def tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table.name: sorted(
            store.connection.execute(f"SELECT * FROM {table.name}").fetchall(), key=repr
        )
        for table in (*summaries.TABLES, summaries.LANGUAGES, summaries.PEOPLE)
    }


def check(store: Store) -> None:
    """Summaries and raw SQL agree on every scope; kept counts equal rebuilt ones."""
    for scope in scopes(store):
        store._summaries_built = None
        odd_day = scope.where.since == date(2024, 2, 2)  # not the first of a month
        if not scope.where.actor and scope.actors != frozenset() and scope.partners is None:
            assert (summary_of(store, scope) is None) == odd_day, scope
        if scope.partners is not None and not scope.where.actor:  # a pair's summary
            single = len(scope.partners) == 1 and len(scope.actors or ()) == 1
            assert summary_of(store, scope) is None
            assert (summary_of(store, scope, pairs=True) is not None) == single, scope
        summarised = answers(store, scope)
        store._summaries_built = False  # the SQL over the events
        assert summary_of(store, scope) is None
        assert summarised == answers(store, scope), scope
    stats = store.stats()  # from the events and paragraphs
    labels = {(a.code, a.identity) for a in ACTORS}
    named = {label: people(store, *label) for label in labels}
    store._summaries_built = None
    assert json.dumps(store.stats()) == json.dumps(stats)  # no Decimal from PostgreSQL
    assert {label: people(store, *label) for label in labels} == named
    kept = tables(store)
    summaries.rebuild(store)
    assert tables(store) == kept


def empty(store: Store) -> None:
    for table in (
        "event_participants",
        "events",
        "actor_mentions",
        "paragraphs",
        "documents",
        "search_postings",
        "search_documents",
    ):
        store.connection.execute(f"DELETE FROM {table}")
    store.connection.execute("DELETE FROM stories")
    summaries.rebuild(store)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # a failure prints its example; no slow shrinking
)
@given(history=histories)
def test_summaries_answer_as_the_events_do(store_db: str, history: Any) -> None:
    written, deletions = history
    with Store(store_db) as store:
        empty(store)
        stored: list[str] = []
        for number, (outlet, published, coded) in enumerate(written):
            result = article(number, outlet, published, coded)
            if store.add(result):
                stored.append(result.document.doc_id)
            if number in deletions and stored:
                assert store.delete_document(stored.pop(0))
        check(store)
        # Documents deleted with their stories' other tellings still stored.
        for doc_id in stored[::2]:
            assert store.delete_document(doc_id)
        check(store)


def test_stories_merge_and_split_in_the_counts(store_db: str) -> None:
    """Three outlets tell one event (one story), then the first is deleted and coded again."""
    coded = [("CONSULT", [0], [2], date(2024, 2, 1), PLACES[1])]
    with Store(store_db) as store:
        results = [article(i, OUTLETS[i], date(2024, 2, 2), coded) for i in range(3)]
        for result in results:
            assert store.add(result)
        scope = EventScope(actors=frozenset({"MAR"}))
        _, own = actor_tallies(store, scope, only="MAR")
        assert (own[0].events, own[0].documents) == (1, 3)  # one story told three times
        _, own = actor_tallies(store, replace(scope, unit="events"), only="MAR")
        assert own[0].events == 3
        check(store)
        store.replace_document(results[0].document.doc_id, results[0])
        check(store)
        assert store.delete_document(results[1].document.doc_id)
        check(store)


def test_an_older_database_gets_its_summaries(tmp_path: Any) -> None:
    """Migration 8 on a database with events: the counts are made when it is opened."""
    path = str(tmp_path / "old.duckdb")
    with Store(path) as store:
        store.add(article(1, OUTLETS[0], date(2024, 2, 2), [("FIGHT", [0], [3], None, None)]))
        store.connection.execute("DELETE FROM tally_built")
        for table in summaries.TABLES:
            store.connection.execute(f"DELETE FROM {table.name}")
    with Store(path, read_only=True) as store:
        assert not summaries.built(store)  # served as before, from the events
        assert actor_tallies(store, EventScope())[0] == 2
    with Store(path) as store:
        assert summaries.built(store)
        assert summary_of(store, EventScope()) is not None
        check(store)


def test_a_database_counted_before_pairs_counts_them_when_migrated(
    tmp_path: Any, monkeypatch: Any
) -> None:
    """Migration 14 on a database whose counts hold no pairs: served read-only, a partner
    click is answered from the events; opened for writing, the pairs are counted."""
    path = str(tmp_path / "old.duckdb")
    before = [m for m in migrations("duckdb") if m.version < summaries.PAIRS_VERSION]
    coded = [("FIGHT", [0], [3], None, PLACES[1]), ("CONSULT", [3, 0], [], date(2024, 2, 1), None)]
    with monkeypatch.context() as patch:
        patch.setattr("veille.store.migrations", lambda dialect: before)
        with Store(path) as store:
            store.add(article(1, OUTLETS[0], date(2024, 2, 2), coded))
            assert summaries.built(store)
            for table in summaries.TABLES:  # as a Veille before migration 14 counted
                for kind in summaries.PAIRS:
                    store.connection.execute(
                        f"DELETE FROM {table.name} WHERE anchor LIKE ?", [f"{kind}%"]
                    )
    clicks = [
        EventScope(actors=frozenset({"MAR"}), partners=frozenset({ACTORS[3].identity}), edge=e)
        for e in (None, "directed", "joint")
    ]
    with Store(path, read_only=True) as store:
        assert not summaries.pairs_built(store)
        assert all(summary_of(store, click, pairs=True) is None for click in clicks)
        from_events = [answers(store, click) for click in clicks]
    with Store(path) as store:
        assert summaries.pairs_built(store)
        assert all(summary_of(store, click, pairs=True) is not None for click in clicks)
        assert [answers(store, click) for click in clicks] == from_events
        check(store)


def test_a_rebuild_in_parts_counts_as_one_part_and_the_writes(
    store_db: str, monkeypatch: Any
) -> None:
    """Counted in parts (by story, by document), the tables are those counted in one part
    and those kept at write time: stories told by several outlets over several months,
    documents whose events belong to several stories."""
    days = (date(2024, 1, 30), date(2024, 2, 1), date(2024, 7, 9), None)
    told = [
        ("FIGHT", [3], [2], days[0], PLACES[1]),
        ("CONSULT", [0], [2], days[1], PLACES[2]),
        ("COOPERATE", [0, 6], [4], days[2], None),
        ("FIGHT", [5], [1], days[3], PLACES[3]),
    ]
    with Store(store_db) as store:
        for number in range(12):
            # Each outlet tells the events from its own offset on: stories span documents.
            coded = [told[(number + i) % len(told)] for i in range(1 + number % 3)]
            store.add(article(number, OUTLETS[number % 3], days[number % 4], coded))
        stories = store.connection.execute(
            "SELECT count(DISTINCT story_id), count(*) FROM events"
        ).fetchone()
        assert stories is not None and 1 < stories[0] < stories[1]
        kept = tables(store)
        for parts in (2, 3, 5, 1):
            summaries.rebuild(store, parts)
            assert tables(store) == kept, parts
        monkeypatch.setattr(summaries, "EVENTS_PER_GIB", 10)
        monkeypatch.setenv("VEILLE_MEMORY_LIMIT", "1GiB")
        assert summaries._parts_needed(store) == -(-stories[1] // 10)
        summaries.rebuild(store)
        assert tables(store) == kept
        check(store)  # and the tallies answer from them as from the events


def test_a_rebuild_bounds_duckdb_memory_and_gives_it_back(tmp_path: Any, monkeypatch: Any) -> None:
    """VEILLE_MEMORY_LIMIT caps DuckDB while it counts, the connection's own limit comes back
    after, and a limit DuckDB cannot read is a one-line error that leaves the counts alone."""
    with Store(str(tmp_path / "veille.duckdb")) as store:
        store.add(article(1, OUTLETS[0], date(2024, 2, 2), [("FIGHT", [0], [3], None, None)]))
        kept = tables(store)
        setting = "SELECT current_setting('memory_limit')"
        before = store.connection.execute(setting).fetchone()  # DuckDB's default
        during: list[Any] = []
        counted = summaries.contribution_sql

        def counting(store: Store, table: summaries.Table, pairs: bool = False) -> str:
            during.append(store.connection.execute(setting).fetchone())
            return counted(store, table, pairs)

        monkeypatch.setattr(summaries, "contribution_sql", counting)
        monkeypatch.setenv("VEILLE_MEMORY_LIMIT", "64MiB")
        summaries.rebuild(store)
        statements = len(summaries.TABLES) + len(summaries.PAIR_TABLES)
        assert during == [("64.0 MiB",)] * statements
        assert store.connection.execute(setting).fetchone() == before != during[0]
        assert tables(store) == kept
        store.connection.execute("SET memory_limit = '3GiB'")  # as `veille serve` sets it
        summaries.rebuild(store)
        assert store.connection.execute(setting).fetchone() == ("3.0 GiB",)
        monkeypatch.setenv("VEILLE_MEMORY_LIMIT", "lots")
        with pytest.raises(StoreError, match="^VEILLE_MEMORY_LIMIT: not an amount of memory"):
            store.rebuild_summaries()
        assert tables(store) == kept
