"""Engines: the same pipeline over many documents, on all local cores or on a Ray cluster.

Every engine gives the same events in the same order as ``Pipeline.run`` in one process.

- ``ProcessPoolEngine`` (``--workers N``): this process reads and cleans the documents —
  cleaning is cheap and keeps the run's near-duplicate memory, which needs every document
  in input order in one place — and sends batches of cleaned documents to worker
  processes, each of which loads the models once. Results come back in input order, and
  only a bounded number of batches is ever in flight, so memory stays flat on any corpus.
- ``RayEngine`` (``--engine ray``): Ray Data actors, each with the models loaded once, read,
  clean and code whole input files (articles or JSONL shards); the driver gathers the events
  (small next to the articles) in input order. See ``RayEngine`` for near-duplicates.
"""

from __future__ import annotations

import itertools
import json
import logging
import multiprocessing
import os
import signal
import socket
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from veille.clean import Cleaner
from veille.coding import ErrorHandler, Pipeline, installed_languages
from veille.ingest import IngestError, iter_input_files, read_documents
from veille.model import ActorMention, CleanDocument, Document, DocumentResult, Event
from veille.store import check_confidence, confident_enough

#: Documents sent to a worker at once: large enough that sending costs little next to coding.
DOCUMENTS_PER_BATCH = 16
#: Batches queued per worker, so a worker never waits for the reader, and memory stays bounded.
BATCHES_IN_FLIGHT_PER_WORKER = 2
#: Input files per Ray actor call (an article each, or a whole JSONL shard).
FILES_PER_RAY_BATCH = 4
#: Seconds to wait for a Ray cluster address to answer.
CONNECT_TIMEOUT_S = 10


def _ignore(error: IngestError) -> None:
    """Default error handler: skip the input."""


class Engine(Protocol):
    """Codes every document under ``paths``; ``Pipeline`` is the in-process engine."""

    def run(
        self, paths: Iterable[str], published: date | None = None, on_error: ErrorHandler = ...
    ) -> Iterator[DocumentResult]: ...


class EngineError(RuntimeError):
    """A run that could not finish (a worker died, the cluster is unreachable); one line."""


def usable_cores() -> int:
    """Cores this process may run on (CPU affinity, as set by taskset or a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def local_engine(workers: int | None = None) -> Engine:
    """One process for ``workers == 1``, else a pool (``None``: every usable core)."""
    count = workers or usable_cores()
    if count < 1:
        raise ValueError(f"workers must be at least 1, not {count}")
    return Pipeline() if count == 1 else ProcessPoolEngine(count)


# --- all local cores --------------------------------------------------------------------

#: The models of a worker process, loaded once by ``_start_worker``.
_worker_pipeline: Pipeline | None = None

Coded = tuple[tuple[ActorMention, ...], tuple[Event, ...]]


def _start_worker() -> None:
    global _worker_pipeline
    # Ctrl-C is the reading process's to handle: it stops the pool cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_pipeline = Pipeline()


def _code_in_worker(cleans: Sequence[CleanDocument]) -> list[Coded]:
    assert _worker_pipeline is not None, "worker started without its pipeline"
    # The cleaned documents stay with the reading process: only what was found comes back.
    return [(r.mentions, r.events) for r in _worker_pipeline.code_batch(cleans)]


@dataclass(slots=True)
class _Batch:
    """Inputs in reading order: cleaned documents, and the errors met among them."""

    items: list[CleanDocument | IngestError]
    future: Future[list[Coded]] | None = None

    @property
    def cleans(self) -> list[CleanDocument]:
        return [item for item in self.items if isinstance(item, CleanDocument)]

    def first_path(self) -> str:
        item = self.items[0]
        return item.path if isinstance(item, IngestError) else item.document.doc_path


class ProcessPoolEngine:
    """Codes documents in ``workers`` processes, each with its own models.

    Processes are started with 'spawn' (never forked from a process that holds spaCy), on
    demand, so a small input starts few; an input of one batch or less is coded in this
    process, since starting a worker (loading the models) costs more than coding it.
    """

    def __init__(
        self,
        workers: int,
        batch_size: int = DOCUMENTS_PER_BATCH,
        batches_in_flight: int | None = None,
    ) -> None:
        if workers < 1 or batch_size < 1:
            raise ValueError("workers and batch_size must be at least 1")
        self.workers = workers
        self.batch_size = batch_size
        self.batches_in_flight = batches_in_flight or BATCHES_IN_FLIGHT_PER_WORKER * workers

    def run(
        self,
        paths: Iterable[str],
        published: date | None = None,
        on_error: ErrorHandler = _ignore,
    ) -> Iterator[DocumentResult]:
        """Results in input order; ``on_error`` is called where the single-process run would."""
        batches = self._batches(
            read_documents(paths, published), Cleaner(coded=installed_languages())
        )
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        if second is None:
            yield from _finish(first, Pipeline().code_batch(first.cleans), on_error)
            return
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )
        in_flight: deque[_Batch] = deque()
        try:
            for batch in itertools.chain((first, second), batches):
                if len(in_flight) >= self.batches_in_flight:
                    yield from self._collect(in_flight.popleft(), on_error)
                if batch.cleans:
                    try:
                        batch.future = pool.submit(_code_in_worker, batch.cleans)
                    except BrokenProcessPool:
                        raise _worker_died(in_flight[0] if in_flight else batch) from None
                in_flight.append(batch)
            while in_flight:
                yield from self._collect(in_flight.popleft(), on_error)
        finally:
            # Also on an error or an early stop: queued batches are dropped, not coded.
            pool.shutdown(wait=True, cancel_futures=True)

    def _batches(
        self, items: Iterable[Document | IngestError], cleaner: Cleaner
    ) -> Iterator[_Batch]:
        batch = _Batch([])
        documents = 0
        for item in items:
            if isinstance(item, IngestError):
                batch.items.append(item)
                continue
            batch.items.append(cleaner.clean(item))
            documents += 1
            if documents == self.batch_size:
                yield batch
                batch, documents = _Batch([]), 0
        if batch.items:
            yield batch

    @staticmethod
    def _collect(batch: _Batch, on_error: ErrorHandler) -> Iterator[DocumentResult]:
        coded: Sequence[DocumentResult | Coded] = []
        if batch.future is not None:
            try:
                coded = batch.future.result()
            except BrokenProcessPool:
                raise _worker_died(batch) from None
        yield from _finish(batch, coded, on_error)


def _worker_died(first_lost: _Batch) -> EngineError:
    return EngineError(
        "a worker process died (killed, out of memory, or its models failed to load: see "
        f"above); documents from {first_lost.first_path()} on were not coded"
    )


def _finish(
    batch: _Batch, coded: Sequence[DocumentResult | Coded], on_error: ErrorHandler
) -> Iterator[DocumentResult]:
    """The batch's results and errors, interleaved in reading order."""
    found = iter(coded)
    for item in batch.items:
        if isinstance(item, IngestError):
            on_error(item)
            continue
        result = next(found)
        if isinstance(result, DocumentResult):
            yield result
        else:
            mentions, events = result
            yield DocumentResult(item, mentions, events)


# --- Ray cluster ------------------------------------------------------------------------


class _NoNearDuplicates:
    """The cleaner's near-duplicate memory in Ray actors: remembers nothing (see RayEngine)."""

    def check_and_add(self, doc_id: str, text: str) -> None:
        return None


class _RayCoder:
    """A Ray Data actor: models loaded once, then read, clean and code batches of files."""

    def __init__(self, working_dir: str, published: date | None) -> None:
        try:
            # Paths are as the user gave them, relative to the driver's working folder.
            os.chdir(working_dir)
        except OSError:
            raise EngineError(
                f"folder {working_dir} does not exist on Ray node {os.uname().nodename}; "
                "inputs must be at the same path on every node (a shared file system)"
            ) from None
        self.pipeline = Pipeline()
        self.cleaner = Cleaner(coded=self.pipeline.languages)
        self.cleaner.duplicates = _NoNearDuplicates()  # type: ignore[assignment]
        self.published = published

    def __call__(self, batch: dict[str, Any]) -> Any:
        import pyarrow as pa

        rows: dict[str, list[Any]] = {"order": [], "documents": [], "events": [], "errors": []}
        for order, path in zip(batch["order"], batch["path"], strict=True):
            items = [
                item if isinstance(item, IngestError) else self.cleaner.clean(item)
                for item in read_documents([str(path)], self.published)
            ]
            cleans = [item for item in items if isinstance(item, CleanDocument)]
            results = self.pipeline.code_batch(cleans)
            rows["order"].append(int(order))
            rows["documents"].append(len(cleans))
            rows["events"].append(
                "".join(
                    json.dumps(event.to_json(), ensure_ascii=False) + "\n"
                    for result in results
                    for event in result.events
                )
            )
            # Reported by file, before its events: the events written are the same as in a
            # local run; only where error lines fall among them on the terminal may differ.
            rows["errors"].append(
                json.dumps([[e.path, e.reason] for e in items if isinstance(e, IngestError)])
            )
        return pa.Table.from_pydict(rows, schema=_ray_result_schema())


def _ray_result_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("order", pa.int64()),
            ("documents", pa.int64()),
            ("events", pa.string()),  # JSONL: the file's events, in order
            ("errors", pa.string()),  # JSON list of [path, reason]
        ]
    )


class RayEngine:
    """Codes files on a Ray cluster with Ray Data; events as in a single-machine run.

    Inputs are listed by the driver (folders expanded as ``veille extract`` does) and read by
    the actors, so every node must see them at the same path (shared file system), and every
    node needs Veille installed, models included: only the file list goes out, and events
    and error lines come back.

    Near-duplicates: the mark needs every document in input order in one process, which a
    cluster does not have, and it only ever feeds the database (``veille ingest``), never an
    event. Ray mode therefore marks no near-duplicates (which also keeps actors' memory
    flat), and its events are those of the single-machine run.
    """

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        files_per_batch: int = FILES_PER_RAY_BATCH,
    ) -> None:
        self.address = address
        self.workers = workers
        self.files_per_batch = files_per_batch
        self.documents = 0

    def events(
        self,
        paths: Iterable[str],
        published: date | None = None,
        on_error: ErrorHandler = _ignore,
        min_confidence: float = 0.0,
    ) -> Iterator[dict[str, Any]]:
        """Event records (``Event.to_json()``) in input order; bad inputs go to ``on_error``;
        events below ``min_confidence`` are left out, as ``veille.pipeline.extract`` does."""
        min_confidence = check_confidence(min_confidence)
        plan = list(iter_input_files(paths))
        files = [item for item in plan if isinstance(item, str)]
        if not files:
            for item in plan:
                if isinstance(item, IngestError):
                    on_error(item)
            return
        ray = _start_ray(self.address, self.workers)
        started_here = ray is not None
        ray = ray or _ray()
        try:
            for record in self._run(ray, plan, files, published, on_error):
                if confident_enough(record["confidence"], min_confidence):
                    yield record
        finally:
            if started_here:
                ray.shutdown()

    def _run(
        self,
        ray: Any,
        plan: list[str | IngestError],
        files: list[str],
        published: date | None,
        on_error: ErrorHandler,
    ) -> Iterator[dict[str, Any]]:
        from ray.data import ActorPoolStrategy, DataContext

        context = DataContext.get_current()
        context.execution_options.preserve_order = True
        context.print_on_execution_start = False
        batches = -(-len(files) // self.files_per_batch)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = max(1, min(self.workers or cpus, batches))
        dataset = ray.data.from_items(
            [{"order": order, "path": path} for order, path in enumerate(files)],
            override_num_blocks=batches,
        ).map_batches(
            _RayCoder,
            fn_constructor_kwargs={"working_dir": os.getcwd(), "published": published},
            batch_size=self.files_per_batch,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=actors),
            num_cpus=1,
        )
        pending = iter(plan)
        expected = 0
        try:
            for table in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
                for row in table.to_pylist():
                    # Errors of inputs that are not files (missing paths) keep their place.
                    for item in pending:
                        if isinstance(item, str):
                            break
                        on_error(item)
                    if row["order"] != expected:
                        raise EngineError(f"Ray returned file {row['order']}, not {expected}")
                    expected += 1
                    self.documents += row["documents"]
                    for path, reason in json.loads(row["errors"]):
                        on_error(IngestError(path, reason))
                    for line in row["events"].splitlines():
                        yield json.loads(line)
        except EngineError:
            raise
        except Exception as error:  # Ray wraps actor failures in many types
            raise EngineError(f"the Ray run failed: {_summary(error)}") from error
        for item in pending:
            if isinstance(item, IngestError):
                on_error(item)


def _ray() -> Any:
    # Before Ray is imported: never report usage over the network.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
        import ray.data
    except ImportError:
        raise EngineError("the Ray engine needs Ray: pip install 'veille[ray]'") from None
    # Ray Data's progress reports stay in its log file; warnings still reach the terminal.
    for handler in logging.getLogger(ray.data.__name__).handlers:
        if handler.name == "console":
            handler.setLevel(logging.WARNING)
    return ray


def _start_ray(address: str | None, workers: int | None) -> Any | None:
    """Connect to ``address`` (or start a local Ray) unless connected; the module if we did."""
    ray = _ray()
    if address not in (None, "auto"):
        _check_reachable(address)
    if ray.is_initialized():
        return None
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address is None:  # a Ray on this machine only, for this run
        options |= {"num_cpus": workers or usable_cores(), "include_dashboard": False}
    try:
        ray.init(address=address, **options)
    except Exception as error:  # ConnectionError, ValueError, RuntimeError, ...
        raise EngineError(
            f"cannot start or reach Ray at {address or 'a new local cluster'}: {_summary(error)}"
        ) from None
    return ray


def _check_reachable(address: str) -> None:
    """Fail fast on an address nothing listens at: Ray itself would wait for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except (OSError, ValueError) as error:
        raise EngineError(
            f"cannot reach Ray at {address} (expected auto, host:port or ray://host:port): {error}"
        ) from None


def _summary(error: BaseException) -> str:
    """The last line of a (possibly wrapped, multi-line) error: the actual reason."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
