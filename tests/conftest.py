"""Shared fixtures. Third-party articles are read from ../shared and never copied here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

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
