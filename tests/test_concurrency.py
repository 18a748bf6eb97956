"""Concurrent use through the real commands: `veille serve` answers while `veille ingest`
writes the same DuckDB file, and a second ingest of one database fails at once.

The articles are made up here (no third-party text): examples/ plus generated reports.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import EXAMPLES

from veille.backends import backend_for
from veille.store import Store

VEILLE = str(Path(sys.executable).with_name("veille"))
GENERATED = 120
PAIRS = [
    ("Le Maroc", "la Mauritanie", "Rabat"),
    ("Le Niger", "le Tchad", "Niamey"),
    ("Le Sénégal", "le Mali", "Dakar"),
    ("L'Algérie", "la Tunisie", "Alger"),
    ("La France", "la Côte d'Ivoire", "Abidjan"),
    ("L'Espagne", "le Maroc", "Madrid"),
]
TEMPLATES = [
    "{a} et {b} ont signé un accord de coopération sécuritaire à {city} le {day} mars 2024. "
    "Le texte prévoit des patrouilles conjointes et un échange de renseignements (réf. {n}).",
    "{a} a accueilli une délégation militaire envoyée par {b} à {city} le {day} avril 2024 "
    "pour préparer un exercice conjoint contre les groupes armés (dossier {n}).",
    "Les ministres de l'Intérieur ont annoncé à {city} le {day} mai 2024 que {a} et {b} "
    "allaient créer une cellule commune de lutte contre le terrorisme (note {n}).",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """examples/ and GENERATED short reports; returns the folder and its document count."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in EXAMPLES.iterdir():
        if path.suffix in (".txt", ".html", ".jsonl"):
            shutil.copy(path, folder)
    for n in range(GENERATED):
        a, b, city = PAIRS[n % len(PAIRS)]
        template = TEMPLATES[n % len(TEMPLATES)]
        text = template.format(a=a, b=b, city=city, day=1 + n % 28, n=f"{n:04d}")
        (folder / f"report_{n:03d}.txt").write_text(text + "\n", encoding="utf-8")
    feed_lines = (EXAMPLES / "feed.jsonl").read_text(encoding="utf-8").strip().splitlines()
    examples = [p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".html")]
    return folder, len(examples) + len(feed_lines) + GENERATED


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ingest(corpus: Path, db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [VEILLE, "ingest", str(corpus), "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`veille serve` on a new DuckDB file and a free port: (database, base URL)."""
    db = str(tmp_path / "veille.duckdb")
    Store(db).close()  # serve needs a database; the ingest fills it
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [VEILLE, "serve", "--db", db, "--port", str(port)], stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute for the server to start
            if server.poll() is not None:
                pytest.fail(f"veille serve exited: {(tmp_path / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{base}/api/stats", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield db, base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_serve_keeps_answering_while_ingest_writes(
    served: tuple[str, str], corpus: tuple[Path, int]
) -> None:
    db, base = served
    folder, documents = corpus
    statuses: dict[str, list[int]] = {"stats": [], "events": [], "search": []}
    seen_documents: list[int] = []
    ingest = _ingest(folder, db)
    with httpx.Client(base_url=base, timeout=60) as client:
        while ingest.poll() is None:
            stats = client.get("/api/stats")
            statuses["stats"].append(stats.status_code)
            if stats.status_code == 200:
                seen_documents.append(stats.json()["documents"])
            statuses["events"].append(client.get("/api/events", params={"limit": 5}).status_code)
            statuses["search"].append(client.get("/api/search", params={"q": "accord"}).status_code)
        out, err = ingest.communicate()
        assert ingest.returncode == 0, err
        final = client.get("/api/stats").json()
        events = client.get("/api/events", params={"limit": 1}).json()
        found = client.get("/api/search", params={"q": "dossier 0001"}).json()
    assert len(statuses["stats"]) >= 5, "the ingest ended before the readers got going"
    for endpoint, codes in statuses.items():
        assert set(codes) == {200}, (endpoint, codes)
    assert seen_documents == sorted(seen_documents)  # documents only ever appear
    # The readers were answered between the ingest's batches, not just before and after.
    assert any(0 < n < documents for n in seen_documents), seen_documents
    assert final["documents"] == documents and f"{documents} documents stored" in err
    assert events["total"] == final["events"] > 0
    with Store(db, read_only=True) as store:
        assert store.stats() == final
    assert [hit["doc_path"] for hit in found["items"]] == [str(folder / "report_001.txt")]


def _wait_for_ingest_lock(db: str, pid: int, ingest: subprocess.Popen[str]) -> None:
    """Until process ``pid`` holds the ingest lock of ``db`` (see veille.backends)."""
    backend = backend_for(db)
    for _ in range(1200):
        assert ingest.poll() is None, ingest.communicate()
        if backend.dialect == "duckdb":
            lock = Path(f"{db}.lock")
            if lock.exists() and lock.read_text().strip() == str(pid):
                return
        else:
            import psycopg

            with psycopg.connect(db, autocommit=True) as connection:
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
                    [f"veille ingest {pid}@%"],
                ).fetchone()
            if row and row[0]:
                return
        time.sleep(0.05)
    pytest.fail("the first ingest never took the lock")


def test_a_second_ingest_fails_fast_while_the_first_completes(
    store_db: str, corpus: tuple[Path, int]
) -> None:
    folder, documents = corpus
    first = _ingest(folder, store_db)
    try:
        _wait_for_ingest_lock(store_db, first.pid, first)
        second = subprocess.run(
            [VEILLE, "ingest", str(folder), "--db", store_db],
            capture_output=True,
            text=True,
            timeout=300,
        )
        first_still_running = first.poll() is None
    except BaseException:
        first.kill()
        raise
    message = " ".join(second.stderr.split())  # as printed, wrapped to the terminal
    assert second.returncode != 0
    assert f"database is locked by ingest process {first.pid}" in message
    assert "wait for it to finish" in message
    assert first_still_running  # it failed at once, it did not wait for the first
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    with Store(store_db, read_only=True) as store:
        assert store.stats()["documents"] == documents
    assert os.path.exists(f"{store_db}.lock") == store_db.endswith(".duckdb")
