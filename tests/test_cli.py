"""End to end through the `veille` command (in process, with Typer's runner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, GOLD
from typer.testing import CliRunner

from veille.cli import app
from veille.model import PLOVER_TYPES
from veille.store import migrations

SPEC_KEYS = [
    "id",
    "doc_path",
    "doc_id",
    "event",
    "mode",
    "context",
    "actor",
    "recipient",
    "date",
    "date_precision",
    "date_source",
    "historical",
    "event_loc",
    "size",
    "event_text",
    "text_info",
    "confidence",
    "coder",
]
runner = CliRunner()


def _check_spec_record(record: dict, original: str | None = None) -> None:
    assert list(record) == SPEC_KEYS
    assert record["event"] in PLOVER_TYPES
    assert record["date_precision"] in (None, "day", "month", "year")
    assert record["date_source"] in ((None,) if record["date"] is None else ("text", "published"))
    assert 0 <= record["confidence"] <= 1
    for actor in (*record["actor"], *record["recipient"]):
        assert {"code", "sector", "name", "entity_text", "wikidata"} <= set(actor)
    if original is not None:
        span = record["text_info"]
        assert original[span["start"] : span["end"]] == record["event_text"]


def test_extract_seeds_writes_spec_jsonl_with_true_offsets(seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(seeds_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records
    for record in records:
        path = Path(record["doc_path"])
        assert path.parent == seeds_dir
        _check_spec_record(record, path.read_text(encoding="utf-8"))


def test_eval_on_seeds_reaches_target_f1(seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(seeds_dir), "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["eval", str(GOLD), str(out)])
    assert result.exit_code == 0, result.output
    f1 = float(result.output.split("F1 ")[1].split()[0])
    assert f1 >= 0.85, result.output


def test_bad_file_is_reported_and_the_rest_still_coded(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(
        "Le Maroc et la Mauritanie ont signé un accord de sécurité à Rabat.\n", encoding="utf-8"
    )
    (tmp_path / "bad.txt").write_bytes(b"%PDF-1.5 \x00\x01\x02")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.txt'}: binary file" in result.output
    assert [json.loads(line)["event"] for line in out.read_text().splitlines()] == ["SUPPORT"]


def test_ingest_examples_is_idempotent_and_queryable(store_db: str) -> None:
    db = store_db  # a DuckDB file, then a PostgreSQL URL
    first = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert "0 documents stored" in second.output and "already there" in second.output
    stats = json.loads(runner.invoke(app, ["stats", "--db", db, "--format", "json"]).output)
    files = [p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".html")]
    feed_lines = (EXAMPLES / "feed.jsonl").read_text(encoding="utf-8").strip().splitlines()
    latest = migrations()[-1].version  # the schema the package ships
    assert stats["documents"] == len(files) + len(feed_lines)
    assert stats["schema_version"] == latest
    assert stats["events"] >= 5
    jsonl = runner.invoke(app, ["events", "--db", db, "--format", "jsonl"])
    records = [json.loads(line) for line in jsonl.output.splitlines()]
    assert len(records) >= 5
    for record in records:
        _check_spec_record(record)
    mar = runner.invoke(app, ["events", "--db", db, "--actor", "MAR", "--format", "jsonl"])
    assert all(
        "MAR" in {a["code"] for a in (*json.loads(line)["actor"], *json.loads(line)["recipient"])}
        for line in mar.output.splitlines()
    )
    csv_output = runner.invoke(
        app, ["events", "--db", db, "--format", "csv", "--type", "COOPERATE"]
    )
    rows = csv_output.output.splitlines()
    assert rows[0].startswith("date,event,mode")
    assert all(",COOPERATE," in row for row in rows[1:])


def test_events_on_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "no such database" in result.output


def test_actors_command_prints_jsonl_mentions(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Le président nigérien a reçu une délégation de la CEDEAO.\n", encoding="utf-8")
    result = runner.invoke(app, ["actors", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    mentions = [json.loads(line) for line in result.output.splitlines()]
    assert {(m["code"], m["name"]) for m in mentions} >= {
        ("NER", "Niger"),
        ("IGO", "Communauté économique des États de l'Afrique de l'Ouest"),
    }
    assert {"doc_path", "start", "end", "entity_text", "code", "sector", "name", "office"} <= set(
        mentions[0]
    )


@pytest.mark.parametrize(
    "bad", [["extract"], ["events", "--format", "xml"], ["events", "--since", "hier"]]
)
def test_usage_errors(bad: list[str]) -> None:
    assert runner.invoke(app, bad).exit_code == 2


def records_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def a_threshold(records: list[dict]) -> float:
    """A confidence that some of the records have and some are below."""
    levels = sorted({r["confidence"] for r in records})
    assert len(levels) > 1, levels
    return levels[1]


def test_extract_min_confidence_drops_events_below_it(
    tmp_path: Path, pipeline: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("veille.engines.Pipeline", lambda: pipeline)  # the loaded models
    everything = runner.invoke(app, ["extract", str(EXAMPLES)])
    assert everything.exit_code == 0, everything.output
    records = records_of(everything.output)
    threshold = a_threshold(records)
    out = tmp_path / "kept.jsonl"
    kept = runner.invoke(
        app, ["extract", str(EXAMPLES), "--min-confidence", str(threshold), "-o", str(out)]
    )
    assert kept.exit_code == 0, kept.output
    expected = [r for r in records if r["confidence"] >= threshold]
    assert 0 < len(expected) < len(records)
    assert records_of(out.read_text(encoding="utf-8")) == expected
    assert f"{len(expected)} events from" in kept.output


def test_events_min_confidence(examples_db: str) -> None:
    everything = runner.invoke(app, ["events", "--db", examples_db, "--format", "jsonl"])
    records = records_of(everything.output)
    threshold = a_threshold(records)
    options = ["--min-confidence", str(threshold), "--format", "jsonl"]
    kept = runner.invoke(app, ["events", "--db", examples_db, *options])
    assert kept.exit_code == 0, kept.output
    expected = [r for r in records if r["confidence"] >= threshold]
    assert 0 < len(expected) < len(records)
    assert records_of(kept.output) == expected
    table = runner.invoke(app, ["events", "--db", examples_db, "--min-confidence", "1"])
    assert table.exit_code == 0 and "0 events in" in table.output


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "high"])
@pytest.mark.parametrize("command", ["extract", "events", "export"])
def test_min_confidence_outside_0_to_1_is_a_usage_error(
    command: str, value: str, tmp_path: Path
) -> None:
    arguments = {
        "extract": ["extract", str(EXAMPLES)],
        "events": ["events", "--db", str(tmp_path / "none.duckdb")],
        "export": ["export", "--db", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "x")],
    }[command]
    result = runner.invoke(app, [*arguments, "--min-confidence", value])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.replace("│", " ").split())  # unwrapped from Rich's box
    assert "Invalid value for '--min-confidence'" in message
    assert "not a number between 0 and 1" in message or "valid number" in message


def test_ingest_stores_every_event_and_takes_no_threshold(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db, "--min-confidence", "0.8"])
    assert result.exit_code == 2 and "No such option" in result.output


def test_the_extract_path_imports_no_database_or_web_library() -> None:
    # Start-up (issue 16): `veille extract` opens no database and serves nothing.
    code = (
        "import sys, veille.cli, veille.pipeline, veille.engines, veille.outputs; "
        "print(*(m for m in ('duckdb', 'psycopg', 'fastapi', 'uvicorn') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
