"""Where Veille's time goes on on-topic pages: a cProfile of ``Pipeline.run`` (and of storing
the results) over the on-topic corpus of ``bench/run.py``, split by stage.

    python bench/profile_on_topic.py              # 200 pages; prints the table
    python bench/profile_on_topic.py --docs 528

Stages are cumulative times of the functions that implement them (profiler overhead
included, so read the shares, not the seconds): reading and cleaning, the cascade, the spaCy
analysis, actors, events (of which dates, places, consolidation), and the store (a DuckDB
ingest of the same results, profiled separately).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402 - the bench's corpus builder

#: (stage, function patterns whose cumulative time makes it), in the order printed. A
#: pattern is "file.py:function".
STAGES = (
    ("read files", ("ingest.py:read_documents",)),
    ("clean (boilerplate, language, near-duplicates)", ("clean.py:clean",)),
    ("tokenise and cut sentences", ("nlp.py:tokenise",)),
    ("cascade: cues and plan", ("cascade.py:plan",)),
    ("cascade: second pass", ("cascade.py:refine",)),
    ("spaCy analysis (parse, NER)", ("nlp.py:analyse",)),
    ("write analyses back (annotate)", ("nlp.py:annotate",)),
    ("actors", ("actors.py:recognise",)),
    ("events, all", ("events.py:code",)),
    ("  of which dates", ("events.py:_closest_date", "placing.py:earlier_date")),
    ("  of which places", ("placing.py:event_place",)),
    ("  of which consolidation", ("consolidate.py:consolidate",)),
    ("  of which datelines and lede (situate)", ("placing.py:situate",)),
)


def stage_seconds(stats: pstats.Stats, patterns: tuple[str, ...]) -> float:
    total = 0.0
    for (file, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if any(
            file.endswith("/" + p.split(":")[0]) and function == p.split(":")[1] for p in patterns
        ):
            total += cumulative
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args()
    from veille.pipeline import Pipeline
    from veille.store import Store

    pages, notes = bench.on_topic_sources(
        bench.DEFAULT_CORPUS,
        bench.ROOT / "examples",
        bench.ROOT / "devset",
        bench.DEFAULT_DEV_INDEX,
    )
    for note in notes:
        print(note)
    with tempfile.TemporaryDirectory() as folder:
        bench.build_on_topic_corpus(pages, args.docs, Path(folder))
        pipeline = Pipeline()
        profile = cProfile.Profile()
        profile.enable()
        results = list(pipeline.run([folder]))
        profile.disable()
        stats = pstats.Stats(profile)
        total = max(entry[3] for entry in stats.stats.values())  # type: ignore[attr-defined]
        store_profile = cProfile.Profile()
        with Store(str(Path(folder) / "bench.duckdb")) as store:
            store_profile.enable()
            for result in results:
                store.add(result)
            store_profile.disable()
        store_seconds = max(e[3] for e in pstats.Stats(store_profile).stats.values())  # type: ignore[attr-defined]
    print(
        f"{len(results)} pages, {sum(len(r.events) for r in results)} events; coding "
        f"{total:.1f} s under the profiler, storing {store_seconds:.1f} s"
    )
    print("| stage | share of coding time |\n|---|---:|")
    for name, patterns in STAGES:
        print(f"| {name} | {100 * stage_seconds(stats, patterns) / total:.0f} % |")
    print(f"| store (DuckDB, beside coding) | {100 * store_seconds / total:.0f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
