"""The SQL tallies (veille.tallies) against a straightforward Python computation
(tally_reference) on the coded examples, on DuckDB and on PostgreSQL, with and without
filters."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tally_reference

from veille.graph import build_graph, tally_json
from veille.pipeline import ingest
from veille.store import EventFilter, Store
from veille.tallies import EventScope, actor_tallies, people, places, timeline

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

FILTERS = [
    EventFilter(),
    EventFilter(actor="MAR"),
    EventFilter(event_type="COOPERATE"),
    EventFilter(since=date(2024, 1, 1)),
    EventFilter(min_confidence=0.8),
]


@pytest.fixture(params=["duckdb", "postgresql"])
def coded(request: pytest.FixtureRequest, examples_db: str, tmp_path: Path, pipeline) -> str:
    """The examples coded, in a DuckDB file or a PostgreSQL database."""
    if request.param == "duckdb":
        copy = tmp_path / "examples.duckdb"
        shutil.copy(examples_db, copy)
        return str(copy)
    url = request.getfixturevalue("postgres_db")
    summary = ingest([str(EXAMPLES)], db=url, pipeline=pipeline)
    assert summary.events_stored > 5 and not summary.errors
    return url


def test_sql_tallies_are_the_python_ones(coded: str) -> None:
    with Store(coded, read_only=True) as store:
        for where in FILTERS:
            rows = tally_reference.participant_rows(store, where)
            scope = EventScope(where)
            expected = tally_reference.graph(rows)
            assert build_graph(store, scope) == expected, where
            total, tallies = actor_tallies(store, scope)
            assert total == len(expected["nodes"])
            assert [tally_json(t) for t in tallies] == expected["nodes"], where
            # A page is the same slice of the same ranking.
            total, page = actor_tallies(store, scope, limit=2, offset=1)
            assert total == len(expected["nodes"])
            assert [tally_json(t) for t in page] == expected["nodes"][1:3], where
            events = tally_reference.by_event(rows)
            assert timeline(store, scope) == tally_reference.timeline(events)
            assert places(store, scope) == tally_reference.places(events)
        assert expected["edges"] and len(expected["nodes"]) > 3  # something was compared


def test_sql_briefs_are_the_python_ones(coded: str) -> None:
    with Store(coded, read_only=True) as store:
        rows = tally_reference.participant_rows(store, EventFilter())
        identities = [t["identity"] for t in tally_reference.actors(rows)]
        assert len(identities) > 3
        for identity in identities:
            expected = tally_reference.brief(rows, identity)
            scope = EventScope(actors=frozenset({identity}))
            _, own = actor_tallies(store, scope, only=identity)
            assert [tally_json(t) for t in own] == expected["own"]
            _, others = actor_tallies(store, scope, without=identity)
            keys = ("identity", "code", "name", "state", "events", "by_type")
            found: list[dict[str, Any]] = [{k: tally_json(t)[k] for k in keys} for t in others]
            assert found == expected["partners"], identity
            assert timeline(store, scope) == expected["timeline"]
            assert places(store, scope) == expected["places"]
            code = own[0].code
            assert people(store, code, identity) == tally_reference.people(store, code, identity)
        # Someone was compared: an office holder or a named person.
        assert any(tally_reference.people(store, code, code) for code in identities)


def test_a_page_past_the_end_still_counts_the_actors(coded: str) -> None:
    with Store(coded, read_only=True) as store:
        total, _ = actor_tallies(store, EventScope())
        assert actor_tallies(store, EventScope(), limit=5, offset=10_000) == (total, [])
        nothing = replace(EventScope(), actors=frozenset())
        assert actor_tallies(store, nothing, limit=5) == (0, [])


def test_keyset_pages_are_the_offset_pages(coded: str) -> None:
    with Store(coded, read_only=True) as store:
        total, everything = store.event_page(EventFilter(limit=1000))
        assert total == len(everything) > 5
        seen: list[str] = []
        after = None
        while True:
            count, items, after = store.event_keyset_page(EventFilter(limit=3), after=after)
            assert count == total
            seen += [e["id"] for e in items]
            if after is None:
                break
        assert seen == [e["id"] for e in everything]
        # Several events of one document: the walk goes through ties on the day.
        assert len({e["doc_id"] for e in everything}) < len(everything)
