"""Crash safety (issue 7.2): `veille ingest` killed with SIGKILL at random points.

A clean reference run codes the corpus once. Then `veille ingest` is started again and
again on one database file and killed with SIGKILL, most often while it is coding and
storing documents (right after it logs a stored document, plus a random delay), sometimes at
any moment from start-up to the closing checkpoint. After every kill the database must open
and hold only whole documents: each stored document has exactly the paragraphs, mentions,
events and participants that the reference run stored for it, and no row belongs to a
document that is not stored. A run left to finish must then equal the reference, with no
duplicate. When a run completes, the next round starts on a new file.

Only the command's behaviour is used (its exit code, its ``-v`` log lines, the tables it
writes), so the test keeps holding whatever the store does inside to stay whole.

``make test`` runs a fast variant (20 kills on a small corpus); ``make soak`` sets
``VEILLE_SOAK=1`` for 200 kills on a larger one (``VEILLE_CRASH_KILLS`` overrides).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
import reliability_report
from conftest import EXAMPLES, SHARED

pytestmark = pytest.mark.reliability

SOAK = os.environ.get("VEILLE_SOAK") == "1"
KILLS = int(os.environ.get("VEILLE_CRASH_KILLS", "200" if SOAK else "20"))
LANES = int(os.environ.get("VEILLE_CRASH_LANES", "2"))
#: POPCORN texts added to the corpus when ../shared is there (fictional French reports).
POPCORN_TEXTS = 40 if SOAK else 8
POPCORN = SHARED / "corpus" / "popcorn" / "test.json"
SEEDS = SHARED / "corpus" / "seeds"
#: A line `veille -v ingest` logs once a document has been coded and stored.
PROGRESS = re.compile(r" INFO .+: \d+ events$")
#: Columns that differ between two runs storing the same thing.
RUN_DEPENDENT = {
    "ingested_at",  # wall-clock time of the write
    # Near-duplicates are found among the documents one run sees, so whether a restarted run
    # that skips stored documents sees the original or the copy is not a property of storage.
    "near_duplicate_of",
}
TABLES = ("documents", "paragraphs", "actor_mentions", "events", "event_participants")
RUN_TIMEOUT = 600


def veille_command() -> list[str]:
    script = Path(sys.executable).with_name("veille")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from veille.cli import app; app(prog_name='veille')"]


# -- the corpus and what a clean run stores -------------------------------------------------


def build_corpus(folder: Path) -> list[str]:
    """examples/, plus the sample articles and some POPCORN texts when ../shared is there.

    Third-party texts are written to the temporary folder only, never to the repository.
    """
    folder.mkdir()
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix in (".txt", ".html", ".jsonl"):
            shutil.copy(path, folder / path.name)
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt")):
            shutil.copy(path, folder / f"seed_{path.name}")
    if POPCORN.is_file():
        texts = json.loads(POPCORN.read_text(encoding="utf-8"))
        for key in random.Random(7).sample(sorted(texts), POPCORN_TEXTS):
            (folder / f"popcorn_{key}.txt").write_text(texts[key]["text"], encoding="utf-8")
    return sorted(p.name for p in folder.iterdir())


def table_rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    cursor = connection.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stable(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in row.items() if k not in RUN_DEPENDENT))


@dataclass
class Snapshot:
    """What a database holds, document by document."""

    documents: dict[str, dict[str, list[tuple[Any, ...]]]]
    orphans: list[str] = field(default_factory=list)  # rows of no stored document
    duplicates: list[str] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(len(doc["events"]) for doc in self.documents.values())


def snapshot(db: Path) -> Snapshot:
    """Read ``db`` (read-only); every row is filed under the document it belongs to."""
    with duckdb.connect(str(db), read_only=True) as connection:
        rows = {table: table_rows(connection, table) for table in TABLES}
    documents: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    duplicates = []
    for row in rows["documents"]:
        if row["doc_id"] in documents:
            duplicates.append(f"document {row['doc_id']}")
        documents[row["doc_id"]] = {table: [] for table in TABLES}
        documents[row["doc_id"]]["documents"] = [stable(row)]
    event_doc = {row["event_id"]: row["doc_id"] for row in rows["events"]}
    orphans = []
    for table in TABLES[1:]:
        for row in rows[table]:
            doc_id = row.get("doc_id") or event_doc.get(row["event_id"])
            if doc_id not in documents:
                orphans.append(f"{table} row of missing document {doc_id}")
                continue
            documents[doc_id][table].append(stable(row))
    for doc_id, tables in documents.items():
        for table, items in tables.items():
            if len(set(items)) != len(items):
                duplicates.append(f"{table} of {doc_id}")
            items.sort()
    return Snapshot(documents, orphans, duplicates)


def assert_whole(state: Snapshot, reference: Snapshot, when: str) -> None:
    """No partial document, no orphan row, no duplicate; each document as the reference."""
    assert not state.orphans, f"{when}: {state.orphans[:5]}"
    assert not state.duplicates, f"{when}: {state.duplicates[:5]}"
    unknown = set(state.documents) - set(reference.documents)
    assert not unknown, f"{when}: documents the reference does not have: {sorted(unknown)[:5]}"
    for doc_id, tables in state.documents.items():
        expected = reference.documents[doc_id]
        for table in TABLES:
            assert tables[table] == expected[table], (
                f"{when}: {doc_id} is partial or differs in {table}"
            )


# -- running and killing the command --------------------------------------------------------


@dataclass
class Run:
    """One `veille -v ingest` process and the progress lines it has logged."""

    process: subprocess.Popen[str]
    started: float
    stored: int = 0  # documents logged as coded and stored
    log: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @classmethod
    def start(cls, corpus: Path, db: Path) -> Run:
        process = subprocess.Popen(
            [*veille_command(), "-v", "ingest", str(corpus), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: nothing outlives the kill
        )
        run = cls(process, time.monotonic())
        threading.Thread(target=run._read, daemon=True).start()
        return run

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self.changed:
                self.log.append(line.rstrip("\n"))
                self.stored += bool(PROGRESS.search(line))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for_progress(self, documents: int, timeout: float) -> None:
        """Until ``documents`` progress lines were logged or the process ended."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.stored >= documents or self.process.poll() is not None, timeout
            )

    def kill(self) -> bool:
        """SIGKILL the ingest; False if it had already finished by itself."""
        if self.process.poll() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(RUN_TIMEOUT)
        return self.process.returncode == -signal.SIGKILL

    def finish(self) -> int:
        returncode = self.process.wait(RUN_TIMEOUT)
        time.sleep(0.05)  # let the reader thread take the last lines
        return returncode


@dataclass
class KillPlan:
    """Where the next kill lands: after the n-th progress line plus a delay, or at a time."""

    after_documents: int | None
    delay: float


def plan_kill(rng: random.Random, stored: int, total: int, full_run: float) -> KillPlan:
    if rng.random() < 0.25:
        # Anywhere from start-up (model loading, opening, migrating) to the final checkpoint.
        return KillPlan(None, rng.uniform(0, full_run * 1.1))
    # Mostly while new documents are coded and written: documents already stored are coded
    # again (or skipped) first, so aim one to three documents past them, a few at the end.
    after = min(total, stored + rng.randint(0, 2))
    return KillPlan(after, rng.uniform(0, 0.3))


@dataclass
class Tally:
    kills: int = 0
    completed_runs: int = 0
    rounds: int = 0
    checks: int = 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "corpus"
    build_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path) -> tuple[Snapshot, float]:
    """The clean run every interrupted run is compared to, and how long it took."""
    db = corpus.parent / "reference.duckdb"
    run = Run.start(corpus, db)
    assert run.finish() == 0, "\n".join(run.log[-20:])
    state = snapshot(db)
    assert state.documents and state.events and not state.orphans and not state.duplicates
    return state, time.monotonic() - run.started


def test_crash_corpus_includes_the_shared_articles(corpus: Path) -> None:
    if not SEEDS.is_dir() or not POPCORN.is_file():
        pytest.skip(f"{SHARED}/corpus absent: the crash test runs on examples/ alone")
    names = os.listdir(corpus)
    assert sum(n.startswith("seed_") for n in names) >= 5
    assert sum(n.startswith("popcorn_") for n in names) == POPCORN_TEXTS


def kill_repeatedly(
    lane: int, corpus: Path, expected: Snapshot, full_run: float, kills: int
) -> tuple[Tally, Path]:
    """Start and SIGKILL ingests on one database file until ``kills`` kills are done.

    Returns the tally and the (interrupted) database file of the last round.
    """
    total = len(expected.documents)
    rng = random.Random(int(os.environ.get("VEILLE_CRASH_SEED", "20261122")) + lane)
    tally = Tally()
    db = corpus.parent / f"lane{lane}-round0.duckdb"
    for _attempt in range(kills * 4):  # bounded, in case runs keep finishing before the kill
        if tally.kills >= kills:
            break
        stored_before = len(snapshot(db).documents) if db.exists() else 0
        plan = plan_kill(rng, stored_before, total, full_run)
        run = Run.start(corpus, db)
        if plan.after_documents is not None:
            run.wait_for_progress(plan.after_documents, RUN_TIMEOUT)
        time.sleep(plan.delay)
        killed = run.kill()
        if not killed:
            assert run.finish() == 0, "\n".join(run.log[-20:])
        # A killed run may leave no file (killed before creating it), never an unusable one.
        state = snapshot(db) if db.exists() else Snapshot({})
        assert_whole(state, expected, f"{db.name} after kill {tally.kills + killed}")
        tally.checks += 1
        tally.kills += killed
        if not killed:
            tally.completed_runs += 1
            assert set(state.documents) == set(expected.documents), "a finished run lost documents"
            tally.rounds += 1
            db = corpus.parent / f"lane{lane}-round{tally.rounds}.duckdb"
    assert tally.kills >= kills, tally
    return tally, db


def complete(corpus: Path, db: Path, expected: Snapshot) -> Snapshot:
    """Run the ingest to its end on an interrupted database; it must equal the reference."""
    run = Run.start(corpus, db)
    assert run.finish() == 0, "\n".join(run.log[-20:])
    final = snapshot(db)
    assert_whole(final, expected, f"{db.name} after the completing run")
    stats = subprocess.run(
        [*veille_command(), "stats", "--db", str(db), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["documents"] == len(final.documents)
    return final


def test_sigkill_at_random_points_loses_nothing(
    corpus: Path, reference: tuple[Snapshot, float]
) -> None:
    expected, full_run = reference
    # Independent lanes (one database file each) use the cores while others load models.
    shares = [KILLS // LANES + (lane < KILLS % LANES) for lane in range(LANES)]
    with ThreadPoolExecutor(LANES) as pool:
        lanes = list(
            pool.map(
                lambda lane: kill_repeatedly(lane, corpus, expected, full_run, shares[lane]),
                range(LANES),
            )
        )
        finals = list(pool.map(lambda lane: complete(corpus, lane[1], expected), lanes))
    lost = 0
    for final in finals:
        lost += len(set(expected.documents) - set(final.documents))
        lost += sum(
            len(set(rows) - set(final.documents.get(doc_id, {}).get(table, [])))
            for doc_id, tables in expected.documents.items()
            for table, rows in tables.items()
        )
        assert final.documents == expected.documents
    kills = sum(tally.kills for tally, _ in lanes)
    completed = sum(tally.completed_runs for tally, _ in lanes) + len(finals)
    files = sum(tally.rounds for tally, _ in lanes) + len(lanes)
    total = len(expected.documents)
    reliability_report.add("crash_kills_survived", kills)
    reliability_report.add("crash_runs_completed", completed)
    reliability_report.add("crash_database_files", files)
    reliability_report.add("crash_corpus_documents", total)
    reliability_report.add("crash_corpus_events", expected.events)
    reliability_report.add("records_lost", lost)
    reliability_report.add("files_tried", len(os.listdir(corpus)))
    print(
        f"\ncrash: {kills} SIGKILLs survived on {files} database files, {completed} runs left "
        f"to finish, {total} documents ({expected.events} events) whole after every kill, "
        f"records lost: {lost}"
    )
    assert lost == 0
