"""Add up the figures the reliability tests wrote during `make soak` and print them.

Usage: python scripts/soak_summary.py REPORT.jsonl [PYTEST_EXIT_STATUS]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def main(report: Path, status: int) -> None:
    figures: Counter[str] = Counter()
    if report.exists():
        for line in report.read_text(encoding="utf-8").splitlines():
            figures.update(json.loads(line))
    rows = [
        ("files tried", figures["files_tried"], "bad-input cases, fuzzed files, crash corpus"),
        ("kills survived", figures["crash_kills_survived"], "SIGKILL during `veille ingest`"),
        ("requests fuzzed", figures["requests_fuzzed"], "schemathesis, in process"),
        ("texts cleaned", figures["texts_cleaned"], "hypothesis, cleaner"),
        ("date strings", figures["date_strings"], "hypothesis, date resolver"),
        ("texts coded", figures["texts_coded"], "hypothesis, whole coder"),
        ("records lost", figures["records_lost"], "after kills and a completing run"),
    ]
    print("\nmake soak: reliability figures")
    for name, value, what in rows:
        print(f"  {name + ':':<17}{value:>9,}   ({what})")
    crash = (
        f"  crash corpus: {figures['crash_corpus_documents']:,} documents, "
        f"{figures['crash_corpus_events']:,} events; {figures['crash_database_files']:,} "
        f"database files; {figures['crash_runs_completed']:,} runs left to finish"
    )
    print(crash)
    print("  tests: " + ("all passed" if status == 0 else f"FAILED (pytest exit status {status})"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
