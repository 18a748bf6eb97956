"""The dashboard's server side (veille.web): its endpoints agree with the API's counts, and its
files load nothing from outside and never turn data into HTML. The browser tests
(test_browser.py) click through the same pages in Chromium."""

from __future__ import annotations

import calendar
import re
import warnings
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from veille.api import create_app
from veille.queries import MAX_PAGE
from veille.web import STATIC, SWAGGER, VENDORED, vendored

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for the httpx2 fork; httpx still works
    from fastapi.testclient import TestClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OWN_FILES = [
    path
    for path in STATIC.rglob("*")
    if path.is_file() and "vendor" not in path.parts and path.suffix in {".js", ".html", ".css"}
]


@pytest.fixture(scope="module")
def client(examples_db: str) -> TestClient:
    return TestClient(create_app(examples_db), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def threshold(client: TestClient) -> float:
    """A minimum confidence that leaves some events out and keeps others."""
    events = get(client, "/api/events", limit=MAX_PAGE)["items"]
    levels = sorted({event["confidence"] for event in events})
    assert len(levels) > 1, levels
    return levels[1]


@pytest.fixture(params=["all events", "confident events"])
def scope(request: pytest.FixtureRequest, threshold: float) -> dict[str, Any]:
    """The filters under which the counts are checked: none, then a minimum confidence."""
    return {"min_confidence": threshold} if request.param == "confident events" else {}


def get(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def total(client: TestClient, **params: Any) -> int:
    return get(client, "/api/dashboard/events", limit=1, **params)["total"]


def test_actor_counts_open_exactly_their_events(client: TestClient, scope: dict[str, Any]) -> None:
    actors = get(client, "/api/actors", limit=MAX_PAGE, **scope)["items"]
    assert actors
    for actor in actors:
        identity = actor["identity"]
        assert total(client, actor=identity, **scope) == actor["events"], identity
        assert total(client, actor=identity, role="actor", **scope) == actor["as_actor"]
        assert total(client, actor=identity, role="recipient", **scope) == actor["as_recipient"]
        brief = get(client, f"/api/actors/{identity}", **scope)
        assert brief["events"] == actor["events"], identity
        for partner in brief["partners"]:
            with_partner = {"actor": identity, "partner": partner["identity"], **scope}
            assert total(client, **with_partner) == partner["events"], with_partner
            for event_type, n in partner["by_type"].items():
                assert total(client, type=event_type, **with_partner) == n
        for place in brief["places"]:
            assert total(client, actor=identity, place=place["place"], **scope) == place["events"]


def test_graph_edges_open_exactly_their_events(client: TestClient, scope: dict[str, Any]) -> None:
    edges = get(client, "/api/graph", **scope)["edges"]
    assert edges
    for edge in edges:
        kind = "directed" if edge["directed"] else "joint"
        found = get(
            client,
            "/api/dashboard/events",
            actor=edge["source"],
            partner=edge["target"],
            edge=kind,
            limit=MAX_PAGE,
            **scope,
        )
        assert found["total"] == edge["events"], edge
        for event in found["items"]:
            sides = {p["identity"] for p in event["actor"] + event["recipient"]}
            assert {edge["source"], edge["target"]} <= sides


def test_overview_counts_open_exactly_their_events(
    client: TestClient, scope: dict[str, Any]
) -> None:
    overview = get(client, "/api/dashboard/overview", **scope)
    events = get(client, "/api/events", limit=MAX_PAGE, **scope)["items"]
    assert overview["events"] == len(events) == total(client, **scope)
    assert overview["documents"] == len({event["doc_id"] for event in events})
    assert overview["by_type"] == dict(Counter(event["event"] for event in events))
    if not scope:  # everything the database holds
        stats = get(client, "/api/stats")
        assert overview["events"] == stats["events"]
        assert overview["documents"] == stats["documents"]
        assert overview["by_type"] == stats["events_by_type"]
    assert sum(month["events"] for month in overview["timeline"]) == overview["events"]
    for month in overview["timeline"]:
        if month["month"] is None:
            assert total(client, undated=True, **scope) == month["events"]
            continue
        year, number = map(int, month["month"].split("-"))
        since = date(year, number, 1)
        until = date(year, number, calendar.monthrange(year, number)[1])
        assert total(client, since=since, until=until, **scope) == month["events"]
    for place in overview["places"]:
        assert total(client, place=place["place"], **scope) == place["events"]
    located = sum(p["events"] for p in overview["places"])
    assert overview["unlocated"] + located == overview["events"]
    for code, n in overview["countries"].items():
        assert get(client, f"/api/actors/{code}", **scope)["events"] == n


def test_min_confidence_narrows_the_dashboard(client: TestClient, threshold: float) -> None:
    confident = get(client, "/api/dashboard/events", limit=MAX_PAGE, min_confidence=threshold)
    assert 0 < confident["total"] < total(client)
    assert all(event["confidence"] >= threshold for event in confident["items"])
    overview = get(client, "/api/dashboard/overview", min_confidence=threshold)
    assert overview["events"] == confident["total"]


def test_dashboard_events_are_spec_records_with_identities(client: TestClient) -> None:
    page = get(client, "/api/dashboard/events", limit=MAX_PAGE)
    plain = get(client, "/api/events", limit=MAX_PAGE)
    assert {e["id"] for e in page["items"]} == {e["id"] for e in plain["items"]}
    days = [e["day"] for e in page["items"] if e["day"]]
    assert days == sorted(days, reverse=True)
    for event in page["items"]:
        for participant in event["actor"] + event["recipient"]:
            assert participant["identity"] in (participant["code"], participant["name"])
    # A Malian armed group keeps its own identity: "MLI" means the state only.
    for event in get(client, "/api/dashboard/events", actor="MLI", limit=MAX_PAGE)["items"]:
        assert "MLI" in {p["identity"] for p in event["actor"] + event["recipient"]}


@pytest.mark.parametrize(
    "params",
    [
        {"edge": "sideways"},
        {"role": "witness"},
        {"limit": 0},
        {"min_confidence": 1.5},
        {"min_confidence": "nan"},
    ],
)
def test_dashboard_refinements_are_validated(client: TestClient, params: dict[str, str]) -> None:
    assert client.get("/api/dashboard/events", params=params).status_code == 422


def test_vocabulary_lists_types_contexts_and_country_numbers(client: TestClient) -> None:
    vocabulary = get(client, "/api/dashboard/vocabulary")
    types = [t for quad in vocabulary["quads"].values() for t in quad]
    assert len(types) == len(set(types)) == 16
    assert "terrorism" in vocabulary["contexts"]
    assert vocabulary["countries"]["504"]["code"] == "MAR"  # world-atlas ids are ISO numeric


def test_dashboard_and_docs_are_served_from_local_files(client: TestClient) -> None:
    if not vendored(*VENDORED, *SWAGGER):
        pytest.skip("the npm libraries are not vendored (make install runs npm ci)")
    index = client.get("/")
    assert index.status_code == 200 and "text/html" in index.headers["content-type"]
    assert "script-src 'self'" in index.headers["content-security-policy"]
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert not re.search(r"(src|href)=['\"]https?://", docs)
    for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", index.text + docs):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/static/vendor/countries-110m.json").json()["type"] == "Topology"


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_own_files_fetch_nothing_outside_and_never_parse_html(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # No CDN: every script, style and fetch is relative to the server.
    assert not re.search(
        r"(src|href)=['\"]https?://|url\(['\"]?https?://|fetch\(['\"`]https?:", text
    )
    # Article text reaches the page only through text nodes (see js/dom.js).
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", text)
