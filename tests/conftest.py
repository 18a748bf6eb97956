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


# -- hypothesis profiles: "ci" (default, make test) and "soak" (make soak) ---------------------
# Chosen by HYPOTHESIS_PROFILE. Tests that leave max_examples to the profile (tests/test_fuzz.py)
# scale with it; tests that set their own keep it. "ci" is derandomized so that make test gives
# the same answer on every run; "soak" explores new examples each time. No example database:
# CI starts clean anyway, and a failure prints the example (and a reproduce blob).
import os as _os  # noqa: E402

from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile(
    "ci", max_examples=100, deadline=None, database=None, print_blob=True, derandomize=True
)
_hypothesis_settings.register_profile(
    "soak", max_examples=3000, deadline=None, database=None, print_blob=True
)
_hypothesis_settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "ci"))
