"""The read-only HTTP API (veille.api) on a database made by ingesting examples/."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest
from typer.testing import CliRunner

from veille.api import MAX_PAGE, create_app
from veille.cli import app as cli_app
from veille.pipeline import ingest

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork; httpx still works and is what is pinned.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
INJECTIONS = [
    "' OR 1=1 --",
    "'; DROP TABLE events; --",
    '" OR ""="',
    "MAR' UNION SELECT record FROM events --",
    "%",
    "_",
    "\\",
    "%' OR '%'='",
    "a\x00b",
    "[]",
    "🙂",
]
FILTERS = ["actor", "type", "context", "text"]
LIST_ENDPOINTS = ["/api/events", "/api/actors", "/api/graph", "/api/graph?format=graphml"]


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> str:
    path = str(tmp_path_factory.mktemp("api") / "examples.duckdb")
    summary = ingest([str(EXAMPLES)], db=path, pipeline=pipeline)
    assert summary.events_stored > 0 and not summary.errors
    return path


@pytest.fixture(scope="session")
def client(database: str) -> TestClient:
    # Server errors become 500 responses, so the tests can assert that none happens.
    return TestClient(create_app(database), raise_server_exceptions=False)


def get(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def all_events(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    return get(client, "/api/events", limit=MAX_PAGE, **params)["items"]


def identities(event: dict[str, Any]) -> set[str]:
    return {a["code"] for a in event["actor"] + event["recipient"]} | {
        a["name"] for a in event["actor"] + event["recipient"]
    }


# -- events -----------------------------------------------------------------------------


def test_events_pages_cover_every_event_once(client: TestClient) -> None:
    everything = get(client, "/api/events", limit=MAX_PAGE)
    total = everything["total"]
    assert total == len(everything["items"]) > 5
    seen: list[str] = []
    for offset in range(0, total, 4):
        page = get(client, "/api/events", limit=4, offset=offset)
        assert page["total"] == total and page["limit"] == 4 and page["offset"] == offset
        assert len(page["items"]) <= 4
        seen += [e["id"] for e in page["items"]]
    assert seen == [e["id"] for e in everything["items"]]
    assert get(client, "/api/events", offset=total)["items"] == []


@pytest.mark.parametrize(
    "params", [{"limit": MAX_PAGE + 1}, {"limit": 0}, {"offset": -1}, {"limit": "ten"}]
)
def test_page_bounds_are_enforced(client: TestClient, params: dict[str, Any]) -> None:
    assert client.get("/api/events", params=params).status_code == 422


def test_default_page_size_is_50(client: TestClient) -> None:
    assert get(client, "/api/events")["limit"] == 50


def test_actor_filter_takes_code_or_name_without_case(client: TestClient) -> None:
    by_code = all_events(client, actor="mar")
    by_name = all_events(client, actor="MAROC")
    assert by_code and {e["id"] for e in by_code} == {e["id"] for e in by_name}
    assert all({"MAR", "Maroc"} & identities(e) for e in by_code)
    assert len(by_code) < len(all_events(client))


def test_type_context_and_text_filters(client: TestClient) -> None:
    cooperate = all_events(client, type="cooperate")
    assert cooperate and all(e["event"] == "COOPERATE" for e in cooperate)
    terrorism = all_events(client, context="terrorism")
    assert terrorism and all("terrorism" in e["context"] for e in terrorism)
    # "terror" must not match the context "terrorism": contexts are whole items.
    assert all_events(client, context="terror") == []
    accented = all_events(client, text="homologue marocain")
    assert accented and all("homologue marocain" in e["event_text"] for e in accented)
    assert {e["id"] for e in all_events(client, text="HOMOLOGUE MAROCAIN")} == {
        e["id"] for e in accented
    }


def test_date_range_filter(client: TestClient, database: str) -> None:
    since, until = "2025-03-01", "2025-05-31"
    inside = all_events(client, since=since, until=until)
    with duckdb.connect(database, read_only=True) as connection:
        days = dict(
            connection.execute(
                "SELECT e.event_id, coalesce(e.date_start, d.published)"
                " FROM events e JOIN documents d USING (doc_id)"
            ).fetchall()
        )
    assert inside
    assert all(since <= days[e["id"]].isoformat() <= until for e in inside)
    expected = {i for i, day in days.items() if day and since <= day.isoformat() <= until}
    assert {e["id"] for e in inside} == expected
    assert client.get("/api/events", params={"since": "2025-13-01"}).status_code == 422


def test_event_detail_has_evidence_and_document(client: TestClient) -> None:
    event = all_events(client)[0]
    detail = get(client, f"/api/events/{event['id']}")
    assert detail["event"] == event
    evidence = detail["evidence"]
    assert evidence["text"] == event["event_text"] and evidence["matches_record"]
    assert (evidence["start"], evidence["end"]) == tuple(event["text_info"].values())
    paragraph = evidence["paragraph"]
    assert paragraph["start"] <= evidence["start"] <= evidence["end"] <= paragraph["end"]
    assert detail["document"]["doc_id"] == event["doc_id"]
    assert detail["document"]["doc_path"] == event["doc_path"]


def test_unknown_ids_are_404(client: TestClient) -> None:
    for url in ("/api/events/e0000000000000000", "/api/documents/sha256:00", "/api/actors/XYZ"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"]


# -- actors -----------------------------------------------------------------------------


def test_actor_counts_match_the_events(client: TestClient) -> None:
    actors = get(client, "/api/actors", limit=MAX_PAGE)
    assert actors["total"] == len(actors["items"]) > 3
    counts = [a["events"] for a in actors["items"]]
    assert counts == sorted(counts, reverse=True)
    for actor in actors["items"]:
        if actor["state"]:
            assert actor["events"] == len(all_events(client, actor=actor["identity"]))
        assert max(actor["as_actor"], actor["as_recipient"]) <= actor["events"]
        assert actor["as_actor"] + actor["as_recipient"] >= actor["events"]
    assert get(client, "/api/actors", limit=2)["items"] == actors["items"][:2]


def test_actor_brief(client: TestClient) -> None:
    brief = get(client, "/api/actors/Maroc")
    assert brief["identity"] == "MAR" and brief["name"] == "Maroc"
    assert brief == get(client, "/api/actors/mar")
    shared = [p["events"] for p in brief["partners"]]
    assert shared and shared == sorted(shared, reverse=True)
    assert "MAR" not in {p["identity"] for p in brief["partners"]}
    assert sum(month["events"] for month in brief["timeline"]) == brief["events"]
    months = [m["month"] for m in brief["timeline"] if m["month"]]
    assert months == sorted(months)
    assert all(p["office"] or p["kind"] == "person" for p in brief["people"])
    assert all(place["events"] >= 1 for place in brief["places"])


def test_actor_brief_of_a_group_and_an_ambiguous_code(client: TestClient) -> None:
    group = get(client, "/api/actors/etat islamique")  # accents and case do not matter
    assert group["identity"] == "État islamique" and not group["state"]
    ambiguous = client.get("/api/actors/IMG")  # several armed groups share the code
    assert ambiguous.status_code == 404
    assert "État islamique" in ambiguous.json()["detail"]["candidates"]


# -- graph ------------------------------------------------------------------------------


def test_graph_edges_join_known_nodes(client: TestClient) -> None:
    graph = get(client, "/api/graph")
    nodes = {n["identity"] for n in graph["nodes"]}
    assert graph["edges"]
    for edge in graph["edges"]:
        assert {edge["source"], edge["target"]} <= nodes and edge["source"] != edge["target"]
        assert edge["events"] == sum(edge["by_type"].values())
        assert edge["events"] == edge["cooperation"] + edge["conflict"]
    france_morocco = [e for e in graph["edges"] if {e["source"], e["target"]} == {"FRA", "MAR"}]
    assert sum(e["by_type"].get("COOPERATE", 0) for e in france_morocco) >= 1


def test_graph_filters_apply(client: TestClient) -> None:
    graph = get(client, "/api/graph", type="COOPERATE")
    assert graph["edges"] and all(set(e["by_type"]) == {"COOPERATE"} for e in graph["edges"])


def test_graphml_is_well_formed(client: TestClient) -> None:
    response = client.get("/api/graph", params={"format": "graphml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphml+xml")
    root = ET.fromstring(response.content)
    graph = get(client, "/api/graph")
    assert root.tag == f"{GRAPHML}graphml"
    node_ids = {n.get("id") for n in root.iter(f"{GRAPHML}node")}
    assert node_ids == {n["identity"] for n in graph["nodes"]}
    edges = list(root.iter(f"{GRAPHML}edge"))
    assert len(edges) == len(graph["edges"])
    assert all(e.get("source") in node_ids and e.get("target") in node_ids for e in edges)
    assert client.get("/api/graph", params={"format": "gexf"}).status_code == 422


# -- documents and search -------------------------------------------------------------------


def test_document_has_text_paragraphs_and_evidence_spans(client: TestClient) -> None:
    event = all_events(client)[0]
    document = get(client, f"/api/documents/{event['doc_id']}")
    text = document["text"]
    assert document["events"]
    for span in document["events"]:
        assert text[span["start"] : span["end"]] == span["event_text"]
    kept = [p for p in document["paragraphs"] if p["kept"]]
    assert kept and all(0 <= p["start"] < p["end"] <= len(text) for p in kept)
    for mention in document["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["entity_text"]
    bare = event["doc_id"].removeprefix("sha256:")
    assert get(client, f"/api/documents/{bare}")["doc_id"] == event["doc_id"]


def test_search_folds_accents_and_stems(client: TestClient) -> None:
    accented = get(client, "/api/search", q="sécurité")
    assert accented["total"] >= 1
    assert get(client, "/api/search", q="SECURITE")["items"] == accented["items"]
    # Singular and plural reduce to one stem.
    singular = {h["doc_id"] for h in get(client, "/api/search", q="terroriste")["items"]}
    plural = {h["doc_id"] for h in get(client, "/api/search", q="terroristes")["items"]}
    assert singular and singular == plural
    hit = accented["items"][0]
    document = get(client, f"/api/documents/{hit['doc_id']}")
    for span in hit["spans"]:
        assert document["text"][span["start"] : span["end"]].lower().startswith("s")


def test_search_ranks_and_requires_every_word(client: TestClient) -> None:
    hits = get(client, "/api/search", q="Maroc coopération")["items"]
    scores = [h["score"] for h in hits]
    assert hits and scores == sorted(scores, reverse=True)
    maroc = {h["doc_id"] for h in get(client, "/api/search", q="Maroc")["items"]}
    assert {h["doc_id"] for h in hits} <= maroc
    assert get(client, "/api/search", q="zzzqqxx")["total"] == 0


@pytest.mark.parametrize("q", ["", "   ", "%%", "'"])
def test_search_without_words_is_422(client: TestClient, q: str) -> None:
    assert client.get("/api/search", params={"q": q}).status_code == 422


# -- hostile input and read-only guarantees ---------------------------------------------------


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_in_filters_never_fail(client: TestClient, value: str) -> None:
    total = get(client, "/api/events")["total"]
    for endpoint in LIST_ENDPOINTS:
        for name in FILTERS:
            response = client.get(endpoint, params={name: value})
            assert response.status_code == 200, (endpoint, name, response.text)
            if endpoint == "/api/events":
                assert response.json()["total"] == 0, (name, value)
    for path in ("/api/events/", "/api/actors/", "/api/documents/"):
        assert client.get(path + quote(value, safe="")).status_code == 404
    assert client.get("/api/search", params={"q": value}).status_code in (200, 422)
    assert get(client, "/api/events")["total"] == total  # nothing was dropped


def test_api_is_read_only_and_has_no_cors(client: TestClient, database: str) -> None:
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/api/events").status_code == 405
    response = client.get("/api/events", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers
    # The server holds a read-only connection: other readers can open the file meanwhile.
    with duckdb.connect(database, read_only=True) as other:
        assert other.execute("SELECT count(*) FROM events").fetchone()


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = get(client, "/openapi.json")["paths"]
    for path in (
        "/api/events",
        "/api/events/{event_id}",
        "/api/actors",
        "/api/actors/{actor}",
        "/api/graph",
        "/api/documents/{doc_id}",
        "/api/search",
        "/api/stats",
    ):
        assert set(paths[path]) == {"get"}, path
    assert client.get("/docs").status_code == 200


def test_serve_binds_localhost_by_default(
    database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda api, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli_app, ["serve", "--db", database])
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8000
    missing = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no such database" in missing.output
