"""Figures of the reliability tests (files tried, kills survived, requests fuzzed, ...).

Tests add to named counters; when ``VEILLE_RELIABILITY_REPORT`` names a file, the counters
of the pytest process are appended to it as one JSON line at exit, and
``scripts/soak_summary.py`` adds them up for ``make soak``. Without the variable nothing is
written, so ``make test`` leaves no file behind.
"""

from __future__ import annotations

import atexit
import json
import os
from collections import Counter

REPORT_ENV = "VEILLE_RELIABILITY_REPORT"
figures: Counter[str] = Counter()


def add(name: str, amount: int = 1) -> None:
    figures[name] += amount


def _write() -> None:
    path = os.environ.get(REPORT_ENV)
    if path and figures:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(dict(figures), sort_keys=True) + "\n")


atexit.register(_write)
