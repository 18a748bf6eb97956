"""The same articles give the same answers on DuckDB and on PostgreSQL, through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import EXAMPLES
from fastapi.testclient import TestClient

from veille.api import create_app
from veille.pipeline import ingest
from veille.store import Store

QUERIES = [
    ("/api/stats", {}),
    ("/api/events", {"limit": 500}),
    ("/api/events", {"actor": "maroc", "limit": 500}),
    ("/api/events", {"text": "securite", "type": "AGREE"}),
    ("/api/actors", {}),
    ("/api/graph", {}),
    ("/api/search", {"q": "accord"}),
    # A minimum confidence selects the same events on both (NUMERIC rounds alike).
    ("/api/events", {"min_confidence": 0.8, "limit": 500}),
    ("/api/actors", {"min_confidence": 0.85}),
    ("/api/graph", {"min_confidence": 0.8}),
]


def _answers(db: str) -> list[Any]:
    client = TestClient(create_app(db), raise_server_exceptions=False)
    answers = []
    for url, params in QUERIES:
        response = client.get(url, params=params)
        assert response.status_code == 200, (db, url, response.text)
        answers.append(response.json())
    with Store(db, read_only=True) as store:
        some_event = next(store.events())["id"]
        some_document = next(store.events())["doc_id"]
    for url in (f"/api/events/{some_event}", f"/api/documents/{some_document}"):
        response = client.get(url)
        assert response.status_code == 200, (db, url, response.text)
        answers.append(response.json())
    return answers


def test_duckdb_and_postgresql_answer_alike(
    tmp_path: Path, postgres_db: str, pipeline: Any
) -> None:
    duck = str(tmp_path / "veille.duckdb")
    for db in (duck, postgres_db):
        summary = ingest([str(EXAMPLES)], db=db, pipeline=pipeline)
        assert summary.events_stored > 0 and not summary.errors
    on_duckdb, on_postgres = _answers(duck), _answers(postgres_db)
    assert on_duckdb[0].pop("database") == duck
    assert on_postgres[0].pop("database") == postgres_db
    for document in (on_duckdb[-1], on_postgres[-1]):
        document.pop("ingested_at")  # the time of each ingest
    assert on_duckdb == on_postgres
