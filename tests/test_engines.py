"""The engines (all local cores, a Ray cluster) give the events of a single-process run.

Same JSON, same order, same error lines; worker processes are started for real (spawn), and
the Ray test starts a local Ray cluster.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from veille.cli import app
from veille.engines import EngineError, ProcessPoolEngine
from veille.ingest import IngestError
from veille.outputs import OutputError, event_schema, open_event_writer
from veille.pipeline import Pipeline, extract, ingest
from veille.store import EventFilter, Store

# Ray Data reads some of its own deprecated settings.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEEDS = EXAMPLES.parents[1] / "shared" / "corpus" / "seeds"
runner = CliRunner()


def run_traced(engine: Any, paths: list[str]) -> list[Any]:
    """Results in the order the engine delivered them, then the error lines in theirs.

    How errors interleave with results depends on batch sizes, so only each order counts.
    """
    steps: list[Any] = []
    errors: list[str] = []
    for result in engine.run(paths, None, lambda error: errors.append(f"error {error}")):
        events = [event.to_json() for event in result.events]
        steps.append((result.document.doc_path, events, result.mentions))
    return steps + errors


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our own examples five times over (later copies are near-duplicates), with bad inputs.

    More documents than one batch, so that the pool really starts worker processes.
    """
    folder = tmp_path_factory.mktemp("corpus")
    texts = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.txt"))]
    for copy in range(5):
        for number, text in enumerate(texts):
            (folder / f"{copy}_{number}.txt").write_text(
                f"{text}\nMise à jour numéro {copy}.\n", encoding="utf-8"
            )
    lines = [json.dumps({"text": text}, ensure_ascii=False) for text in texts]
    lines.insert(1, '{"text": "broken')
    (folder / "2_feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "3_scan.txt").write_bytes(b"%PDF-1.4 binary")
    return folder


def test_pool_gives_the_single_process_results_errors_and_order(
    corpus: Path, pipeline: Pipeline
) -> None:
    paths = [str(corpus), str(EXAMPLES), "missing.txt"]
    expected = run_traced(pipeline, paths)
    assert sum(1 for step in expected if isinstance(step, str)) == 3  # the test bites
    assert len(expected) > 16  # more than one batch of documents, even at the default size
    assert run_traced(ProcessPoolEngine(workers=2, batch_size=3), paths) == expected


def test_pool_on_the_sample_articles(seeds_dir: Path, pipeline: Pipeline) -> None:
    paths = [str(seeds_dir)]
    expected = run_traced(pipeline, paths)
    assert any(events for _path, events, _mentions in expected)
    assert run_traced(ProcessPoolEngine(workers=2, batch_size=1), paths) == expected


def test_cli_extract_with_workers_matches_one_worker(corpus: Path, tmp_path: Path) -> None:
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"events-{workers}.jsonl"
        result = runner.invoke(app, ["extract", str(corpus), "--workers", workers, "-o", str(out)])
        assert result.exit_code == 1, result.output  # the bad inputs
        assert "error " in result.output and "3_scan.txt: binary file" in result.output
        assert "2_feed.jsonl#L2: broken JSON" in result.output
        outputs[workers] = out.read_text(encoding="utf-8")
    assert outputs["1"].count("\n") > 10
    assert outputs["2"] == outputs["1"]


def test_ingest_with_workers_stores_what_one_worker_stores(corpus: Path, tmp_path: Path) -> None:
    stored = {}
    for workers in (1, 2):
        db = str(tmp_path / f"w{workers}.duckdb")
        summary = ingest([str(corpus)], db=db, workers=workers)
        assert len(summary.errors) == 2
        with Store(db, read_only=True) as store:
            stats = {k: v for k, v in store.stats().items() if k != "database"}
            stored[workers] = (stats, list(store.events(EventFilter())))
    stats, events = stored[1]
    # Near-duplicates are marked in the reading process, across the whole run.
    assert stats["near_duplicates"] > 0
    assert events
    assert stored[2] == stored[1]


def test_a_dead_worker_stops_the_run_with_a_clear_error(corpus: Path) -> None:
    results = ProcessPoolEngine(workers=1, batch_size=1).run([str(corpus)])
    next(results)  # the worker is up
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(EngineError, match="a worker process died"):
        list(results)


def test_extract_refuses_a_pipeline_with_workers(pipeline: Pipeline) -> None:
    with pytest.raises(ValueError, match="workers=1"):
        next(extract([str(EXAMPLES)], pipeline=pipeline, workers=2))


# --- outputs -----------------------------------------------------------------------------


def sample_records(pipeline: Pipeline) -> list[dict[str, Any]]:
    return [event.to_json() for event in extract([str(EXAMPLES)], pipeline=pipeline)]


def test_shards_hold_every_event_in_order(tmp_path: Path, pipeline: Pipeline) -> None:
    records = sample_records(pipeline)
    folder = tmp_path / "events"
    with open_event_writer(folder, "jsonl", events_per_shard=4) as write:
        for record in records:
            write(record)
    shards = sorted(folder.iterdir())
    assert [s.name for s in shards[:2]] == ["part-00000.jsonl", "part-00001.jsonl"]
    assert len(shards) == -(-len(records) // 4)
    lines = [line for shard in shards for line in shard.read_text(encoding="utf-8").splitlines()]
    assert [json.loads(line) for line in lines] == records
    assert not (tmp_path / "events.partial").exists()
    with pytest.raises(OutputError, match="not an empty folder"), open_event_writer(folder):
        pass


def test_parquet_keeps_the_event_records(tmp_path: Path, pipeline: Pipeline) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    records = sample_records(pipeline)
    out = tmp_path / "events.parquet"
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--workers", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.schema.equals(event_schema())
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, record in zip(rows, records, strict=True):
        assert row["text_info"] == record["text_info"]
        assert row["event_text"] == record["event_text"]
        assert [a["code"] for a in row["actor"]] == [a["code"] for a in record["actor"]]
        assert dict(row["size"] or []) == (record["size"] or {})


def test_parquet_needs_a_file_or_folder() -> None:
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--format", "parquet"])
    assert result.exit_code == 2
    assert "standard output" in result.output


# --- Ray ---------------------------------------------------------------------------------


def test_ray_engine_reports_an_unreachable_cluster() -> None:
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'veille[ray]')")
    result = runner.invoke(
        app, ["extract", str(EXAMPLES), "--engine", "ray", "--address", "ray://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "cannot reach Ray at ray://127.0.0.1:1" in result.output


@pytest.fixture(scope="module")
def local_ray() -> Any:
    """A local Ray cluster of two CPUs for this module's tests; skipped if Ray cannot start."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'veille[ray]')")
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    except Exception as error:  # any reason Ray cannot start here
        pytest.skip(f"cannot start a local Ray cluster: {error}")
    yield ray
    ray.shutdown()


def test_ray_engine_gives_the_single_process_events(
    local_ray: Any, pipeline: Pipeline, tmp_path: Path
) -> None:
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"%PDF-1.4 binary")
    paths = [str(EXAMPLES), "missing.txt", str(bad)]
    if SEEDS.is_dir():  # the sample articles too, where ../shared is there
        paths.append(str(SEEDS))
    errors: list[IngestError] = []
    expected = [e.to_json() for e in extract(paths, None, errors.append, pipeline=pipeline)]
    assert expected and len(errors) == 2

    out = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["extract", *paths, "--engine", "ray", "-o", str(out)])
    assert result.exit_code == 1, result.output  # the two bad inputs
    for error in errors:
        assert f"error {error}" in result.output
    assert f"{len(expected)} events from" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [json.dumps(record, ensure_ascii=False) for record in expected]


def test_ray_engine_leaves_out_events_below_min_confidence(local_ray: Any) -> None:
    everything = runner.invoke(app, ["extract", str(EXAMPLES), "--engine", "ray"])
    assert everything.exit_code == 0, everything.output
    records = [json.loads(line) for line in everything.stdout.splitlines()]
    threshold = sorted({record["confidence"] for record in records})[1]
    option = ["--min-confidence", str(threshold)]
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--engine", "ray", *option])
    assert result.exit_code == 0, result.output
    kept = [record for record in records if record["confidence"] >= threshold]
    assert 0 < len(kept) < len(records)
    assert [json.loads(line) for line in result.stdout.splitlines()] == kept
