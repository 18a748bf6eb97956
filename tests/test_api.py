"""The HTTP API (veille.api) on a database made by ingesting examples/: reads, the
token-protected writes and the limits that keep hostile requests harmless."""

from __future__ import annotations

import re
import shutil
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest
from typer.testing import CliRunner

from veille.api import MAX_BODY_BYTES, create_app
from veille.cli import app as cli_app
from veille.model import Actor
from veille.queries import MAX_PAGE

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
def database(examples_db: str) -> str:
    return examples_db


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


def test_event_cursors_walk_the_same_pages(client: TestClient) -> None:
    everything = get(client, "/api/events", limit=MAX_PAGE, type="COOPERATE")["items"]
    assert len(everything) > 3
    seen: list[str] = []
    page = get(client, "/api/events", limit=3, type="COOPERATE")
    while True:
        seen += [e["id"] for e in page["items"]]
        if page["next"] is None:
            break
        page = get(client, "/api/events", limit=3, type="COOPERATE", after=page["next"])
        assert page["total"] == len(everything)
    assert seen == [e["id"] for e in everything]


@pytest.mark.parametrize("cursor", ["x", "WzEsMiwzXQ", "bnVsbA", "WyIyMDI0LTAxLTAxIiwiYSIsMSwyXQ"])
def test_a_bad_cursor_is_refused(client: TestClient, cursor: str) -> None:
    response = client.get("/api/events", params={"after": cursor})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]  # shaped as FastAPI's validation errors
    assert problem["loc"] == ["query", "after"] and "cursor" in problem["msg"]


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


# -- minimum confidence -------------------------------------------------------------------

#: Every endpoint that lists, counts or graphs events.
EVENT_ENDPOINTS = [
    "/api/events",
    "/api/actors",
    "/api/actors/MAR",
    "/api/graph",
    "/api/dashboard/events",
    "/api/dashboard/overview",
]


def taking_part(event: dict[str, Any]) -> set[str]:
    """The actor identities of an event (codes for states, names otherwise)."""
    return {
        Actor(a["code"], tuple(a["sector"]), a["name"], a["entity_text"]).identity
        for a in event["actor"] + event["recipient"]
    }


def test_min_confidence_filters_events_actors_briefs_and_graph(client: TestClient) -> None:
    everything = all_events(client)
    levels = sorted({e["confidence"] for e in everything})
    assert len(levels) > 1, levels
    threshold = levels[1]
    kept = [e for e in everything if e["confidence"] >= threshold]
    assert 0 < len(kept) < len(everything)
    page = get(client, "/api/events", limit=MAX_PAGE, min_confidence=threshold)
    assert page["total"] == len(kept)
    assert [e["id"] for e in page["items"]] == [e["id"] for e in kept]
    expected = Counter(identity for event in kept for identity in taking_part(event))
    actors = get(client, "/api/actors", limit=MAX_PAGE, min_confidence=threshold)["items"]
    assert {a["identity"]: a["events"] for a in actors} == expected
    graph = get(client, "/api/graph", min_confidence=threshold)
    assert {n["identity"]: n["events"] for n in graph["nodes"]} == expected
    brief = get(client, "/api/actors/MAR", min_confidence=threshold)
    assert brief["events"] == expected["MAR"]
    assert sum(month["events"] for month in brief["timeline"]) == expected["MAR"]
    assert get(client, "/api/events", min_confidence=1)["total"] == sum(
        e["confidence"] >= 1 for e in everything
    )


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "high"])
@pytest.mark.parametrize("endpoint", EVENT_ENDPOINTS)
def test_min_confidence_outside_0_to_1_is_422(
    client: TestClient, endpoint: str, value: str
) -> None:
    response = client.get(endpoint, params={"min_confidence": value})
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "min_confidence"]]


def test_openapi_documents_min_confidence_on_every_event_endpoint(client: TestClient) -> None:
    paths = get(client, "/openapi.json")["paths"]
    for endpoint in EVENT_ENDPOINTS:
        template = "/api/actors/{actor}" if endpoint == "/api/actors/MAR" else endpoint
        parameters = {p["name"]: p for p in paths[template]["get"]["parameters"]}
        schema = parameters["min_confidence"]["schema"]
        assert (schema["type"], schema["minimum"], schema["maximum"]) == ("number", 0, 1)


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
    assert client.get("/api/graph", params={"format": "svg"}).status_code == 422


def test_gexf_is_well_formed(client: TestClient) -> None:
    response = client.get("/api/graph", params={"format": "gexf", "type": "COOPERATE"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/gexf+xml")
    root = ET.fromstring(response.content)
    graph = get(client, "/api/graph", type="COOPERATE")
    assert root.tag == "{http://gexf.net/1.3}gexf"
    node_ids = {n.get("id") for n in root.iter("{http://gexf.net/1.3}node")}
    assert node_ids == {n["identity"] for n in graph["nodes"]}
    weights = [float(e.get("weight", 0)) for e in root.iter("{http://gexf.net/1.3}edge")]
    assert weights == [e["events"] for e in graph["edges"]]


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
        methods = {"get", "delete"} if path == "/api/documents/{doc_id}" else {"get"}
        assert set(paths[path]) == methods, path
    assert set(paths["/api/documents"]) == {"post"}
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


# -- write access: token, uploads, deletions ---------------------------------------------------

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLAIN = {"Content-Type": "text/plain"}
#: An article written for these tests: two events between states, a distinctive word.
ARTICLE = (
    "Nouakchott, 3 mars 2025 – Les armées mauritanienne et sénégalaise ont mené un exercice "
    "militaire conjoint près de la frontière, baptisé Zébulon.\n"
    "Le ministre marocain de l'Intérieur a reçu à Rabat son homologue nigérien pour renforcer "
    "la coopération sécuritaire entre les deux pays."
)


@pytest.fixture()
def writable(database: str, tmp_path: Path, pipeline: Any) -> Iterator[tuple[TestClient, str]]:
    """A token-protected server over a copy of the examples database, and the copy's path."""
    copy = tmp_path / "writable.duckdb"
    shutil.copyfile(database, copy)
    api = create_app(str(copy), token=TOKEN, pipeline=pipeline)
    with TestClient(api, raise_server_exceptions=False) as client:
        yield client, str(copy)


def counts(client: TestClient) -> dict[str, int]:
    figures = get(client, "/api/stats")
    return {key: figures[key] for key in ("documents", "events", "actor_mentions")}


def orphans(path: str) -> int:
    """Rows whose document or event is gone (there must never be any)."""
    with duckdb.connect(path, read_only=True) as connection:
        row = connection.execute(
            "SELECT (SELECT count(*) FROM event_participants"
            "        WHERE event_id NOT IN (SELECT event_id FROM events))"
            " + (SELECT count(*) FROM events WHERE doc_id NOT IN (SELECT doc_id FROM documents))"
            " + (SELECT count(*) FROM paragraphs"
            "    WHERE doc_id NOT IN (SELECT doc_id FROM documents))"
            " + (SELECT count(*) FROM actor_mentions"
            "    WHERE doc_id NOT IN (SELECT doc_id FROM documents))"
        ).fetchone()
    return int(row[0]) if row else -1


def test_writes_are_refused_on_a_read_only_server(client: TestClient) -> None:
    before = counts(client)
    event = all_events(client)[0]
    for response in (
        client.post("/api/documents", content=ARTICLE.encode(), headers=AUTH | PLAIN),
        client.post("/api/documents", json={"text": ARTICLE}),
        client.delete(f"/api/documents/{event['doc_id']}", headers=AUTH),
        client.delete(f"/api/documents/{event['doc_id']}"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"].startswith("read-only server")
    assert counts(client) == before
    assert get(client, f"/api/events/{event['id']}")["event"] == event


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-0123456789abcdef"},
        {"Authorization": f"Bearer {TOKEN.upper()}"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer é-not-ascii".encode()},
    ],
)
def test_writes_need_the_right_token(
    writable: tuple[TestClient, str], headers: dict[str, str | bytes]
) -> None:
    client, _ = writable
    before = counts(client)
    doc_id = all_events(client)[0]["doc_id"]
    upload = client.post("/api/documents", content=ARTICLE.encode(), headers=PLAIN | headers)
    delete = client.delete(f"/api/documents/{doc_id}", headers=headers)
    for response in (upload, delete):
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "token" in response.json()["detail"]
    assert counts(client) == before


def test_upload_then_delete_round_trip(writable: tuple[TestClient, str]) -> None:
    client, path = writable
    before = counts(client)
    assert get(client, "/api/search", q="Zébulon")["total"] == 0
    response = client.post(
        "/api/documents",
        content=ARTICLE.encode(),
        params={"title": "Exercice conjoint", "url": "https://example.org/exercice"},
        headers=AUTH | {"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 201, response.text
    uploaded = response.json()
    assert uploaded["stored"] and uploaded["doc_id"].startswith("sha256:")
    assert uploaded["doc_path"] == "https://example.org/exercice"
    events = uploaded["events"]
    assert events and {e["event"] for e in events} >= {"COOPERATE"}
    # The events and the document are served like any other.
    for event in events:
        detail = get(client, f"/api/events/{event['id']}")
        assert detail["event"] == event and detail["evidence"]["matches_record"]
    document = get(client, f"/api/documents/{uploaded['doc_id']}")
    assert document["text"] == ARTICLE and document["title"] == "Exercice conjoint"
    assert document["url"] == "https://example.org/exercice"
    assert {e["id"] for e in all_events(client, text="Zébulon")} <= {e["id"] for e in events}
    assert get(client, "/api/search", q="zebulon")["items"][0]["doc_id"] == uploaded["doc_id"]
    after_upload = counts(client)
    assert after_upload["documents"] == before["documents"] + 1
    assert after_upload["events"] == before["events"] + len(events)
    # The same text again is recognised, not stored twice.
    again = client.post("/api/documents", content=ARTICLE.encode(), headers=AUTH | PLAIN)
    assert again.status_code == 200 and not again.json()["stored"]
    assert counts(client) == after_upload

    deleted = client.delete(f"/api/documents/{uploaded['doc_id']}", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["deleted"]
    assert counts(client) == before
    for event in events:
        assert client.get(f"/api/events/{event['id']}").status_code == 404
    assert client.get(f"/api/documents/{uploaded['doc_id']}").status_code == 404
    assert get(client, "/api/search", q="Zébulon")["total"] == 0
    assert client.delete(f"/api/documents/{uploaded['doc_id']}", headers=AUTH).status_code == 404
    assert orphans(path) == 0


def test_upload_json_and_html(writable: tuple[TestClient, str]) -> None:
    client, path = writable
    before = counts(client)
    body = {
        "html": f"<html><head><title>Essai</title></head><body><article><p>{ARTICLE}</p>"
        "</article><script>alert(1)</script></body></html>",
        "url": "https://example.org/page",
        "published": "2025-03-04",
    }
    response = client.post("/api/documents", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    document = get(client, f"/api/documents/{response.json()['doc_id']}")
    assert document["source_format"] == "html" and document["published"] == "2025-03-04"
    assert "alert" not in document["text"] and "Zébulon" in document["text"]
    as_text = client.post(
        "/api/documents", json={"text": "Le Mali et le Niger se parlent."}, headers=AUTH
    )
    assert as_text.status_code == 201 and as_text.json()["doc_path"].startswith("upload:")
    for doc_id in (response.json()["doc_id"], as_text.json()["doc_id"]):
        assert (
            client.delete(
                f"/api/documents/{doc_id.removeprefix('sha256:')}", headers=AUTH
            ).status_code
            == 200
        )
    assert counts(client) == before and orphans(path) == 0


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"%PDF-1.7 binary", "text/plain", 422),
        (bytes(range(256)) * 8, "text/plain", 422),
        (b"   \n  ", "text/plain", 422),
        (b"<html><body><script>x()</script></body></html>", "text/html", 422),
        (b'{"text": 3}', "application/json", 422),
        (b'{"title": "no text"}', "application/json", 422),
        (b'{"text": "x", "extra": 1}', "application/json", 422),
        (b'{"text": "x", "published": "yesterday"}', "application/json", 422),
        (b'{"text": ', "application/json", 422),
        (b"[]", "application/json", 422),
        (ARTICLE.encode(), "application/pdf", 415),
        (ARTICLE.encode(), "", 415),
    ],
)
def test_bad_uploads_get_a_clear_error_and_store_nothing(
    writable: tuple[TestClient, str], content: bytes, content_type: str, status: int
) -> None:
    client, _ = writable
    before = counts(client)
    headers = AUTH | ({"Content-Type": content_type} if content_type else {})
    response = client.post("/api/documents", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert counts(client) == before


def test_searches_kept_in_the_postings_cache_see_uploads_and_deletions(
    writable: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every key kept, however few documents hold it: nothing kept may outlive a write.
    monkeypatch.setattr("veille.search.CACHED_POSTINGS", 1)
    client, _ = writable
    before = get(client, "/api/search", q="de la")["total"]
    assert get(client, "/api/search", q="de la")["total"] == before  # from the cache
    uploaded = client.post("/api/documents", content=ARTICLE.encode(), headers=AUTH | PLAIN)
    assert uploaded.status_code == 201, uploaded.text
    doc_id = uploaded.json()["doc_id"]
    found = get(client, "/api/search", q="de la", limit=200)
    assert found["total"] == before + 1 and doc_id in {hit["doc_id"] for hit in found["items"]}
    assert client.delete(f"/api/documents/{doc_id}", headers=AUTH).status_code == 200
    assert get(client, "/api/search", q="de la")["total"] == before


def test_request_bodies_are_limited(writable: tuple[TestClient, str]) -> None:
    client, _ = writable
    before = counts(client)
    octets = {"Content-Type": "application/octet-stream"}
    # At the limit the body is read (and refused for its type), one byte more it is not.
    at_limit = client.post("/api/documents", content=b"x" * MAX_BODY_BYTES, headers=AUTH | octets)
    assert at_limit.status_code == 415
    declared = client.post(
        "/api/documents", content=b"x" * (MAX_BODY_BYTES + 1), headers=AUTH | octets
    )
    assert declared.status_code == 413 and "too large" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    streamed = client.post("/api/documents", content=chunks(), headers=AUTH | octets)
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413 and "too large" in streamed.json()["detail"]
    lying = client.post(
        "/api/documents", content=b"x" * 10, headers=AUTH | octets | {"Content-Length": "10x"}
    )
    assert lying.status_code in (400, 413)
    assert counts(client) == before


@pytest.mark.parametrize(
    ("url", "name", "longest"),
    [
        ("/api/events", "actor", 200),
        ("/api/events", "type", 50),
        ("/api/events", "context", 50),
        ("/api/events", "text", 500),
        ("/api/actors", "text", 500),
        ("/api/graph", "actor", 200),
        ("/api/actors/MAR", "text", 500),
        ("/api/search", "q", 500),
    ],
)
def test_text_filters_have_a_length_limit(
    client: TestClient, url: str, name: str, longest: int
) -> None:
    assert client.get(url, params={name: "é" * longest}).status_code == 200
    too_long = client.get(url, params={name: "é" * (longest + 1)})
    assert too_long.status_code == 422 and too_long.json()["detail"]


def test_urls_have_a_length_limit(client: TestClient) -> None:
    assert client.get("/api/events/" + "e" * 2000).status_code == 414
    assert client.get("/api/events", params={"text": "x" * 5000}).status_code == 414
    assert client.get("/api/events/" + "e" * 900).status_code == 404


def injection_requests(schema: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(method, path template, parameter, location) for every parameter of every operation."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield method, path, parameter["name"], parameter["in"]


def test_injection_strings_in_every_parameter_of_every_endpoint(
    client: TestClient, database: str
) -> None:
    schema = get(client, "/openapi.json")
    swept = list(injection_requests(schema))
    names = {name for _, _, name, _ in swept}
    assert names >= {*FILTERS, "since", "until", "min_confidence", "limit", "offset", "format"}
    assert names >= {"q", "event_id"}
    assert names >= {"doc_id", "title", "url", "published"} and len(swept) > 30
    before = counts(client)
    for method, template, name, location in swept:
        for value in INJECTIONS:
            path = re.sub(r"\{[^}]+\}", "MAR", template)
            params: dict[str, str] = {}
            if location == "path":
                path = template.replace(f"{{{name}}}", quote(value, safe=""))
            else:
                params[name] = value
            response = client.request(method, path, params=params)
            allowed = {200, 404, 422} | ({403} if method != "get" else set())
            assert response.status_code in allowed, (method, path, name, value, response.text)
    assert counts(client) == before
    with duckdb.connect(database, read_only=True) as connection:
        tables = {name for (name,) in connection.execute("SHOW TABLES").fetchall()}
    assert {"documents", "events", "event_participants", "paragraphs"} <= tables


def test_injection_strings_in_deletions_delete_nothing(writable: tuple[TestClient, str]) -> None:
    client, path = writable
    before = counts(client)
    for value in [*INJECTIONS, "sha256:' OR '1'='1", "%", "*"]:
        response = client.delete("/api/documents/" + quote(value, safe=""), headers=AUTH)
        assert response.status_code in (404, 405), (value, response.text)
    assert counts(client) == before and orphans(path) == 0


def test_cors_preflight_gets_no_allowance(client: TestClient) -> None:
    preflight = client.options(
        "/api/events",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert not any(h.startswith("access-control-") for h in preflight.headers)
    upload = client.options(
        "/api/documents",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert not any(h.startswith("access-control-") for h in upload.headers)


def serve_app(monkeypatch: pytest.MonkeyPatch, arguments: list[str]) -> tuple[Any, Any]:
    """Run `veille serve` with uvicorn replaced: the app it would serve, and the CLI result."""
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda api, **kwargs: served.append(api))
    result = CliRunner().invoke(cli_app, ["serve", *arguments])
    return (served[0] if served else None), result


def test_serve_enables_writes_only_with_a_token(
    database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = "/api/documents/sha256:" + "0" * 64
    # A copy: a writer cannot open the file that the session's read-only server holds.
    database = str(shutil.copyfile(database, tmp_path / "copy.duckdb"))
    monkeypatch.delenv("VEILLE_API_TOKEN", raising=False)
    api, result = serve_app(monkeypatch, ["--db", database])
    assert "read-only" in result.output
    with TestClient(api) as reader:  # leaving it closes the server's connection
        assert reader.delete(missing, headers=AUTH).status_code == 403
    for arguments, environment in ((["--token", TOKEN], None), ([], TOKEN)):
        if environment:
            monkeypatch.setenv("VEILLE_API_TOKEN", environment)
        api, result = serve_app(monkeypatch, ["--db", database, *arguments])
        assert result.exit_code == 0, result.output
        assert TOKEN not in result.output  # never echoed to the terminal or logs
        with TestClient(api) as writer:
            assert writer.delete(missing, headers=AUTH).status_code == 404
            assert writer.delete(missing).status_code == 401
    monkeypatch.delenv("VEILLE_API_TOKEN")
    for weak in ("short", "x" * 15, "sixteen chars é!", "has a space in it ok"):
        api, result = serve_app(monkeypatch, ["--db", database, "--token", weak])
        assert api is None and result.exit_code == 2 and "token" in result.output, weak


def test_a_busy_database_gives_503_and_reads_go_on(writable: tuple[TestClient, str]) -> None:
    client, path = writable
    before = counts(client)
    doc_id = all_events(client)[0]["doc_id"]
    with duckdb.connect(path, read_only=True):  # another reader holds the file meanwhile
        response = client.delete(f"/api/documents/{doc_id}", headers=AUTH)
        assert response.status_code == 503 and "busy" in response.json()["detail"]
        assert response.headers["retry-after"]
    assert counts(client) == before
    assert get(client, f"/api/documents/{doc_id}")["doc_id"] == doc_id


def test_openapi_documents_the_upload_and_its_security(client: TestClient) -> None:
    operation = get(client, "/openapi.json")["paths"]["/api/documents"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "text/plain",
        "text/html",
        "application/json",
    }
    assert operation["security"]
