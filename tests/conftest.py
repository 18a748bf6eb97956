"""Shared fixtures. Third-party articles are read from ../shared and never copied here."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# The measurement scripts beside the tests are importable from them.
sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "gold" / "seeds.jsonl"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir() or not GOLD.is_file():
        pytest.skip(f"sample articles not available at {SEEDS} (the shared/ folder is absent)")
    return SEEDS


@pytest.fixture(scope="session")
def nlp():
    from veille.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def pipeline():
    from veille.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory, pipeline) -> str:
    """A DuckDB file holding examples/ coded, for tests that only read it (copy to write)."""
    from veille.pipeline import ingest

    path = str(tmp_path_factory.mktemp("examples") / "examples.duckdb")
    summary = ingest([str(EXAMPLES)], db=path, pipeline=pipeline)
    assert summary.events_stored > 5 and not summary.errors
    return path


# -- databases: every store test runs on DuckDB and on a real PostgreSQL server ---------

POSTGRES_SCRIPT = ROOT / "scripts" / "postgres.sh"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a throwaway PostgreSQL server (scripts/postgres.sh), up for the whole session."""
    started = subprocess.run(
        ["bash", str(POSTGRES_SCRIPT), "start"], capture_output=True, text=True, timeout=300
    )
    if started.returncode == 3:  # no PostgreSQL binaries (scripts/system-packages.sh)
        pytest.skip(f"no PostgreSQL server to test with: {started.stderr.strip()}")
    if started.returncode != 0:
        pytest.fail(f"scripts/postgres.sh start failed:\n{started.stderr}")
    info = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    try:
        yield info["url"]
    finally:
        subprocess.run(["bash", str(POSTGRES_SCRIPT), "stop", info["dir"]], timeout=120)


@pytest.fixture
def postgres_db(postgres_server: str) -> Iterator[str]:
    """URL of a new empty database on the test server, dropped after the test."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", "postgresql"])
def store_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new empty database, once as a DuckDB file and once on PostgreSQL (the ``--db``)."""
    if request.param == "duckdb":
        return str(tmp_path / "veille.duckdb")
    return request.getfixturevalue("postgres_db")


# -- hypothesis profiles: "ci" (default, make test) and "soak" (make soak) ---------------------
# Chosen by HYPOTHESIS_PROFILE. Tests that leave max_examples to the profile (tests/test_fuzz.py)
# scale with it; tests that set their own keep it. "ci" is derandomized so that make test gives
# the same answer on every run; "soak" explores new examples each time. No example database:
# CI starts clean anyway, and a failure prints the example (and a reproduce blob).
hypothesis_settings.register_profile(
    "ci", max_examples=100, deadline=None, database=None, print_blob=True, derandomize=True
)
hypothesis_settings.register_profile(
    "soak", max_examples=3000, deadline=None, database=None, print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
