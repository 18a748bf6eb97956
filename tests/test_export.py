"""Exports (veille.export, ``veille export``) on a database made by ingesting examples/."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import tally_reference
from typer.testing import CliRunner

import veille.pipeline
from veille.cli import app as cli_app
from veille.export import COLUMN_NAMES, COLUMNS, FORMATS, ExportFilter, export, flat_row
from veille.pipeline import ingest
from veille.store import EventFilter, Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://gexf.net/1.3}"


@pytest.fixture(scope="module")
def database(examples_db: str) -> str:
    return examples_db


def run_export(database: str, tmp_path: Path, output_format: str, *options: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    output = tmp_path / f"events.{output_format}"
    result = CliRunner().invoke(
        cli_app,
        ["export", "--db", database, "--format", output_format, "-o", str(output), *options],
    )
    assert result.exit_code == 0, result.output
    assert str(output) in result.output  # the summary names the file
    assert not list(tmp_path.glob("*.partial"))
    return output


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMN_NAMES
        return list(reader)


def parquet_rows(path: Path) -> list[dict[str, Any]]:
    with duckdb.connect() as connection:
        result = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def parquet_types(path: Path) -> dict[str, str]:
    with duckdb.connect() as connection:
        rows = connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])
        return {name: kind for name, kind, *_ in rows.fetchall()}


def items(cell: str) -> list[str]:
    """The actors of a joined CSV cell ("MAR;FRA"; empty for none)."""
    return cell.split(";") if cell else []


# -- JSONL ----------------------------------------------------------------------------------


def test_jsonl_lines_equal_veille_extract_output(
    database: str, tmp_path: Path, pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `veille extract` on the same inputs, with the already loaded models.
    monkeypatch.setattr(veille.pipeline, "Pipeline", lambda: pipeline)
    extracted = tmp_path / "extract.jsonl"
    result = CliRunner().invoke(cli_app, ["extract", str(EXAMPLES), "-o", str(extracted)])
    assert result.exit_code == 0, result.output
    exported = run_export(database, tmp_path, "jsonl")
    extract_lines = extracted.read_text(encoding="utf-8").splitlines()
    export_lines = exported.read_text(encoding="utf-8").splitlines()
    assert len(export_lines) > 5
    assert sorted(export_lines) == sorted(extract_lines)
    with Store(database, read_only=True) as store:
        assert [r["id"] for r in jsonl_records(exported)] == [r["id"] for r in store.events()]


# -- CSV and Parquet ---------------------------------------------------------------------


def test_csv_has_one_flat_row_per_event(database: str, tmp_path: Path) -> None:
    records = {r["id"]: r for r in jsonl_records(run_export(database, tmp_path, "jsonl"))}
    rows = csv_rows(run_export(database, tmp_path, "csv"))
    assert [row["event_id"] for row in rows] == list(records)
    with duckdb.connect(database, read_only=True) as connection:
        urls = dict(connection.execute("SELECT doc_id, url FROM documents").fetchall())
    for row in rows:
        record = records[row["event_id"]]
        assert row["event"] == record["event"]
        assert row["date"] == (record["date"] or "")
        assert items(row["actor1_code"]) == [a["code"] for a in record["actor"]]
        assert items(row["actor1_name"]) == [a["name"] for a in record["actor"]]
        assert items(row["actor2_code"]) == [a["code"] for a in record["recipient"]]
        sectors = [",".join(a["sector"]) for a in record["recipient"]]
        assert items(row["actor2_sector"]) == sectors
        assert row["context"] == ",".join(record["context"])
        assert row["mode"] == ",".join(record["mode"])
        assert row["event_text"] == record["event_text"]
        assert (int(row["text_start"]), int(row["text_end"])) == tuple(record["text_info"].values())
        assert row["url"] == (urls[record["doc_id"]] or "")
        assert row["doc_path"] == record["doc_path"] and row["doc_id"] == record["doc_id"]
        loc = record["event_loc"] or {}
        assert row["lat"] == ("" if loc.get("lat") is None else str(loc["lat"]))
        assert float(row["confidence"]) == record["confidence"]
    assert any(row["url"] for row in rows)  # the HTML and JSONL examples carry a URL


def test_parquet_has_the_csv_rows_with_column_types(database: str, tmp_path: Path) -> None:
    path = run_export(database, tmp_path, "parquet")
    assert parquet_types(path) == dict(COLUMNS)
    rows = parquet_rows(path)
    flat = csv_rows(run_export(database, tmp_path, "csv"))
    assert len(rows) == len(flat) > 5
    for row, text_row in zip(rows, flat, strict=True):
        as_text = {key: "" if value is None else str(value) for key, value in row.items()} | {
            "historical": str(row["historical"])
        }
        assert as_text == text_row


class FakeStore:
    """Just what the CSV/Parquet exports read, with awkward text."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def export_rows(
        self, where: EventFilter, context: str | None = None
    ) -> Iterator[tuple[dict[str, Any], str | None]]:
        for record in self.records:
            yield record, 'https://example.org/a?b=1,c="2"'


def awkward_record(event_id: str, text: str) -> dict[str, Any]:
    actor = {"code": "MAR", "sector": ["GOV", "MIL"], "name": "Maroc", "entity_text": "Rabat"}
    group = {"code": "IMG", "sector": ["REB"], "name": "État islamique, « EI »"}
    return {
        "id": event_id,
        "doc_path": 'dir/it\'s, "odd".txt',
        "doc_id": "sha256:00",
        "event": "ACCUSE",
        "mode": [],
        "context": ["terrorism", "diplomatic"],
        "actor": [actor, {**actor, "code": "FRA", "name": "France"}],
        "recipient": [group],
        "date": "2025-03",
        "date_precision": "month",
        "historical": True,
        "event_loc": {"extracted_place": "Gao", "geonameid": 2457163, "lat": 16.27, "lon": -0.04},
        "size": {"persons": 3},
        "event_text": text,
        "text_info": {"start": 0, "end": len(text)},
        "confidence": 0.5,
        "coder": "veille 0.1.0",
    }


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_awkward_text_survives_csv_and_parquet(tmp_path: Path, output_format: str) -> None:
    texts = ['He said "no", then left;\nnew line', "'; DROP TABLE events; --", "\\N", "NULL"]
    records = [awkward_record(f"e{i}", text) for i, text in enumerate(texts)]
    output = tmp_path / f"out.{output_format}"
    summary = export(FakeStore(records), output_format, output)  # type: ignore[arg-type]
    assert summary.events == len(texts)
    rows = csv_rows(output) if output_format == "csv" else parquet_rows(output)
    assert [row["event_text"] for row in rows] == texts
    row = rows[0]
    assert row["actor1_code"] == "MAR;FRA" and row["actor1_sector"] == "GOV,MIL;GOV,MIL"
    assert row["actor2_name"] == "État islamique, « EI »"
    assert row["doc_path"] == 'dir/it\'s, "odd".txt'
    assert row["url"] == 'https://example.org/a?b=1,c="2"'
    assert json.loads(row["size"]) == {"persons": 3}
    assert str(row["historical"]) == "True" and row["date"] == "2025-03"


def test_flat_row_lines_up_with_the_columns() -> None:
    row = flat_row(awkward_record("e1", "text"), "https://u")
    assert len(row) == len(COLUMNS)
    assert dict(zip(COLUMN_NAMES, row, strict=True))["url"] == "https://u"


# -- graphs -------------------------------------------------------------------------------


def expected_graph(database: str, **filters: Any) -> dict[str, Any]:
    selection = ExportFilter(**filters)
    with Store(database, read_only=True) as store:
        return tally_reference.graph(
            tally_reference.participant_rows(store, selection.where(), selection.context)
        )


def test_graphml_export_is_the_api_graph(database: str, tmp_path: Path) -> None:
    root = ET.parse(run_export(database, tmp_path, "graphml")).getroot()
    graph = expected_graph(database)
    assert root.tag == f"{GRAPHML}graphml"
    nodes = {n.get("id") for n in root.iter(f"{GRAPHML}node")}
    assert nodes == {n["identity"] for n in graph["nodes"]} and len(nodes) > 3
    edges = list(root.iter(f"{GRAPHML}edge"))
    assert len(edges) == len(graph["edges"]) > 0
    for element, edge in zip(edges, graph["edges"], strict=True):
        assert (element.get("source"), element.get("target")) == (edge["source"], edge["target"])
        data = {d.get("key"): d.text for d in element.iter(f"{GRAPHML}data")}
        assert int(data["edge_events"]) == edge["events"]
        assert data["edge_quad"] == edge["quad"]


def test_gexf_export_has_labels_kinds_weights_and_type_counts(
    database: str, tmp_path: Path
) -> None:
    root = ET.parse(run_export(database, tmp_path, "gexf")).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    graph = expected_graph(database)
    body = root.find(f"{GEXF}graph")
    assert body is not None and body.get("defaultedgetype") == "directed"
    declared = {
        (a.get("class"), attribute.get("id"))
        for a in body.iter(f"{GEXF}attributes")
        for attribute in a.iter(f"{GEXF}attribute")
    }
    nodes = {n.get("id"): n for n in body.iter(f"{GEXF}node")}
    assert set(nodes) == {n["identity"] for n in graph["nodes"]}
    for node in graph["nodes"]:
        element = nodes[node["identity"]]
        assert element.get("label") == node["name"]
        values = {v.get("for"): v.get("value") for v in element.iter(f"{GEXF}attvalue")}
        assert values["kind"] == node["kind"] and int(values["events"]) == node["events"]
        assert all(("node", key) in declared for key in values)
    assert nodes["MAR"].get("label") == "Maroc"
    kinds = {v.get("value") for n in nodes.values() for v in n.iter(f"{GEXF}attvalue")}
    assert {"state", "group"} <= kinds
    edges = list(body.iter(f"{GEXF}edge"))
    assert len(edges) == len(graph["edges"]) > 0
    for element in edges:
        assert element.get("source") in nodes and element.get("target") in nodes
        assert element.get("type") in ("directed", "undirected")
        values = {v.get("for"): v.get("value") for v in element.iter(f"{GEXF}attvalue")}
        assert all(("edge", key) in declared for key in values)
        by_type = sum(int(v) for k, v in values.items() if k.startswith("type_"))
        assert float(element.get("weight", "0")) == by_type == int(values["events"]) > 0
        assert values["quad"].endswith(("cooperation", "conflict"))


# -- filters and empty results ---------------------------------------------------------------


def test_filters_apply_to_every_format(database: str, tmp_path: Path) -> None:
    everything = jsonl_records(run_export(database, tmp_path, "jsonl"))

    def involves(record: dict[str, Any], code: str) -> bool:
        return code in {a["code"] for a in record["actor"] + record["recipient"]}

    cases: list[tuple[list[str], list[dict[str, Any]]]] = [
        (["--actor", "MAR"], [r for r in everything if involves(r, "MAR")]),
        (["--type", "cooperate"], [r for r in everything if r["event"] == "COOPERATE"]),
        (["--context", "terrorism"], [r for r in everything if "terrorism" in r["context"]]),
    ]
    for options, expected in cases:
        assert 0 < len(expected) < len(everything), options
        ids = [r["id"] for r in expected]
        assert [
            r["id"] for r in jsonl_records(run_export(database, tmp_path, "jsonl", *options))
        ] == ids
        assert [
            r["event_id"] for r in csv_rows(run_export(database, tmp_path, "csv", *options))
        ] == ids
        parquet = parquet_rows(run_export(database, tmp_path, "parquet", *options))
        assert [r["event_id"] for r in parquet] == ids
    # A country's name selects the same events as its code.
    by_name = jsonl_records(run_export(database, tmp_path, "jsonl", "--actor", "Maroc"))
    assert [r["id"] for r in by_name] == [r["id"] for r in cases[0][1]]
    graph = ET.parse(run_export(database, tmp_path, "gexf", "--type", "COOPERATE")).getroot()
    for edge in graph.iter(f"{GEXF}edge"):
        types = {
            v.get("for")
            for v in edge.iter(f"{GEXF}attvalue")
            if v.get("for", "").startswith("type_")
        }
        assert types == {"type_COOPERATE"}


def test_min_confidence_applies_to_every_format_and_to_graph_counts(
    database: str, tmp_path: Path
) -> None:
    everything = jsonl_records(run_export(database, tmp_path, "jsonl"))
    levels = sorted({r["confidence"] for r in everything})
    assert len(levels) > 1, levels
    option = ["--min-confidence", str(levels[1])]
    kept = [r["id"] for r in everything if r["confidence"] >= levels[1]]
    assert 0 < len(kept) < len(everything)
    assert [
        r["id"] for r in jsonl_records(run_export(database, tmp_path, "jsonl", *option))
    ] == kept
    assert [r["event_id"] for r in csv_rows(run_export(database, tmp_path, "csv", *option))] == kept
    parquet = parquet_rows(run_export(database, tmp_path, "parquet", *option))
    assert [r["event_id"] for r in parquet] == kept
    # The graphs are built from the kept events' participants only.
    with Store(database, read_only=True) as store:
        every_row = tally_reference.participant_rows(store, EventFilter())
    graph = tally_reference.graph([row for row in every_row if row["event_id"] in kept])
    assert graph != tally_reference.graph(every_row)
    root = ET.parse(run_export(database, tmp_path, "graphml", *option)).getroot()
    weights = [
        int(d.text or "0") for d in root.iter(f"{GRAPHML}data") if d.get("key") == "edge_events"
    ]
    assert weights == [edge["events"] for edge in graph["edges"]]
    root = ET.parse(run_export(database, tmp_path, "gexf", *option)).getroot()
    nodes = {n.get("id") for n in root.iter(f"{GEXF}node")}
    assert nodes == {node["identity"] for node in graph["nodes"]}
    weights = [int(float(e.get("weight", "0"))) for e in root.iter(f"{GEXF}edge")]
    assert weights == [edge["events"] for edge in graph["edges"]]


def test_date_range_filter(database: str, tmp_path: Path) -> None:
    since, until = "2025-03-01", "2025-05-31"
    records = jsonl_records(
        run_export(database, tmp_path, "jsonl", "--since", since, "--until", until)
    )
    with duckdb.connect(database, read_only=True) as connection:
        days = dict(
            connection.execute(
                "SELECT e.event_id, coalesce(e.date_start, d.published)"
                " FROM events e JOIN documents d USING (doc_id)"
            ).fetchall()
        )
    expected = {i for i, day in days.items() if day and since <= day.isoformat() <= until}
    assert expected and {r["id"] for r in records} == expected


@pytest.mark.parametrize("output_format", FORMATS)
def test_empty_selection_writes_a_valid_empty_file(
    database: str, tmp_path: Path, output_format: str
) -> None:
    path = run_export(database, tmp_path, output_format, "--actor", "' OR 1=1 --")
    if output_format in ("jsonl", "stories"):
        assert path.read_bytes() == b""
    elif output_format == "csv":
        assert csv_rows(path) == []
    elif output_format == "parquet":
        assert parquet_rows(path) == [] and list(parquet_types(path)) == list(COLUMN_NAMES)
    else:
        root = ET.parse(path).getroot()
        namespace = GRAPHML if output_format == "graphml" else GEXF
        assert root.tag == f"{namespace}{output_format}"
        assert not list(root.iter(f"{namespace}node")) and not list(root.iter(f"{namespace}edge"))


# -- the command and its errors --------------------------------------------------------------


def test_failed_export_leaves_the_old_file_and_no_partial(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import veille.export

    output = tmp_path / "events.csv"
    output.write_text("previous export\n", encoding="utf-8")
    calls = 0

    def failing_row(record: dict[str, Any], url: str | None = None) -> list[Any]:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise RuntimeError("disk on fire")
        return flat_row(record, url)

    monkeypatch.setattr(veille.export, "flat_row", failing_row)
    with Store(database, read_only=True) as store, pytest.raises(RuntimeError):
        export(store, "csv", output)
    assert output.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "xlsx"], "choose jsonl"),
        (["--since", "2025-13-01"], "not a date"),
        (["--min-confidence", "1.5"], "not a number between 0 and 1"),
        (["-o", "/nonexistent-dir/x.csv"], "no such directory"),
    ],
)
def test_bad_options_get_a_clear_error(
    database: str, tmp_path: Path, options: list[str], message: str
) -> None:
    arguments = ["export", "--db", database, "-o", str(tmp_path / "x.jsonl"), *options]
    result = CliRunner().invoke(cli_app, arguments)
    assert result.exit_code == 2 and message in result.output, result.output


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    result = CliRunner().invoke(
        cli_app, ["export", "--db", str(missing), "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and "no such database" in result.output
    assert not missing.exists()


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "parquet", "gexf"])
def test_postgresql_export_equals_duckdb_export(
    database: str, postgres_db: str, pipeline: Any, tmp_path: Path, output_format: str
) -> None:
    summary = ingest([str(EXAMPLES)], db=postgres_db, pipeline=pipeline)
    assert summary.events_stored > 5 and not summary.errors
    from_duckdb = run_export(database, tmp_path / "duckdb", output_format)
    from_postgres = run_export(postgres_db, tmp_path / "postgres", output_format)
    if output_format == "parquet":
        assert parquet_rows(from_postgres) == parquet_rows(from_duckdb)
    else:
        assert from_postgres.read_bytes() == from_duckdb.read_bytes()


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_date_source_is_a_column(tmp_path: Path, output_format: str) -> None:
    stated = {**awkward_record("e1", "a"), "date_source": "text"}
    published = {
        **awkward_record("e2", "b"),
        "date": "2025-03-12",
        "date_precision": "day",
        "date_source": "published",
    }
    undated = {**awkward_record("e3", "c"), "date": None, "date_precision": None}
    undated["date_source"] = None
    output = tmp_path / f"out.{output_format}"
    export(FakeStore([stated, published, undated]), output_format, output)  # type: ignore[arg-type]
    rows = csv_rows(output) if output_format == "csv" else parquet_rows(output)
    assert COLUMN_NAMES[COLUMN_NAMES.index("date_precision") + 1] == "date_source"
    assert [row["date_source"] or None for row in rows] == ["text", "published", None]
