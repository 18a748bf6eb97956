"""Stories: events of several documents told of one real-world event, merged (veille.stories)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from veille.model import (
    Actor,
    CleanDocument,
    Document,
    DocumentResult,
    Event,
    EventLocation,
    Paragraph,
    ResolvedDate,
    StoryMember,
)
from veille.store import Store
from veille.stories import (
    StoryBook,
    dates_agree,
    independent_groups,
    outlet_of,
    participants_agree,
    places_agree,
    summarise,
)

MAR = Actor("MAR", ("GOV",), "Maroc", "le Maroc")
MLI = Actor("MLI", ("GOV",), "Mali", "le Mali")
NER = Actor("NER", ("MIL",), "Niger", "le Niger")
JNIM = Actor("MLI", ("REB",), "Jama'at Nusrat al-Islam wal-Muslimin", "le JNIM")


def member(
    event_id: str,
    doc_id: str = "d1",
    event: str = "CONSULT",
    parties: tuple[str, ...] = ("MAR", "MLI"),
    day: date | None = date(2025, 2, 17),
    precision: str | None = "day",
    **more: object,
) -> StoryMember:
    return StoryMember(
        event_id,
        doc_id,
        event,
        frozenset(parties),
        day,
        precision,
        "text",
        **more,  # type: ignore[arg-type]
    )


def test_dates_agree_at_the_precision_each_states() -> None:
    day = member("e1")
    assert dates_agree(day, member("e2", day=date(2025, 2, 1), precision="month"))
    assert dates_agree(day, member("e2", day=date(2025, 1, 1), precision="year"))
    assert dates_agree(day, member("e2", day=date(2025, 2, 18)))  # "hier", a time zone
    assert not dates_agree(day, member("e2", day=date(2025, 2, 23)))
    assert not dates_agree(day, member("e2", day=date(2025, 3, 1), precision="month"))
    assert not dates_agree(day, member("e2", day=None, precision=None))  # says too little


def test_parties_agree_when_one_telling_names_more() -> None:
    assert participants_agree(frozenset({"NER"}), frozenset({"NER", "JNIM"}))
    assert not participants_agree(frozenset({"MAR", "MLI"}), frozenset({"MAR", "ESP"}))
    assert not participants_agree(frozenset({"MAR"}), frozenset({"ESP"}))


def test_places_contradict_across_borders_or_far_apart() -> None:
    rabat = {"place": "Rabat", "lat": 34.02, "lon": -6.83, "place_country": "MAR"}
    bamako = {"place": "Bamako", "lat": 12.65, "lon": -8.0, "place_country": "MLI"}
    tanger = {"place": "Tanger", "lat": 35.77, "lon": -5.8, "place_country": "MAR"}
    sale = {"place": "Salé", "lat": 34.05, "lon": -6.8, "place_country": "MAR"}
    alone = ("MAR",)
    assert not places_agree(
        member("a", parties=alone, **rabat), member("b", parties=alone, **bamako)
    )
    # Both countries take part: a joint operation on both sides tells one story.
    assert places_agree(member("a", **rabat), member("b", **bamako))
    assert not places_agree(member("a", **rabat), member("b", **tanger))
    assert places_agree(member("a", **rabat), member("b", **sale))
    assert places_agree(member("a", **rabat), member("b"))


def test_the_book_merges_tellings_and_keeps_ids() -> None:
    book = StoryBook()
    first = book.add(member("e1", "d1", outlet="le360.ma"))
    assert book.add(member("e2", "d2", day=date(2025, 2, 1), precision="month")) == first
    other = book.add(member("e3", "d3", day=date(2025, 5, 2)))
    assert other != first
    assert book.add(member("e4", "d4", event="AGREE")) not in (first, other)
    # The month-dated telling cannot bridge 17 February and a later February meeting.
    assert book.add(member("e5", "d5", day=date(2025, 2, 25))) not in (first, other)
    story = book.story(first)
    assert (story.events, story.sources, story.date, story.date_precision) == (
        2,
        2,
        "2025-02-17",
        "day",
    )


def test_outlets_and_wire_copies_are_one_source_each() -> None:
    members = [
        member("e1", "d1", outlet="le360.ma", confidence=0.6),
        member("e2", "d2", outlet="le360.ma", confidence=0.6),
        member("e3", "d3", outlet="hespress.com", confidence=0.6),
        member("e4", "d4", outlet="mapexpress.ma", confidence=0.6),
    ]
    assert len(independent_groups(members)) == 3
    assert len(independent_groups(members, [("d3", "d4")])) == 2
    one = summarise("s1", members[:1])
    three = summarise("s1", members)
    assert three.independent_sources == 3 and three.sources == 4
    assert one.confidence == pytest.approx(0.6)
    assert three.confidence > one.confidence
    assert three.outlets == ("hespress.com", "le360.ma", "mapexpress.ma")
    assert outlet_of("https://www.le360.ma/politique/x") == "le360.ma"


# -- in the database: incremental, stable, on both backends -----------------------------------


def _article(
    text: str,
    url: str,
    day: date | None,
    precision: str = "day",
    parties: tuple[Actor, ...] = (MAR, MLI),
    kind: str = "CONSULT",
    place: EventLocation | None = None,
) -> DocumentResult:
    document = Document(
        Document.content_id(text), url, text, "jsonl", url=url, published=date(2025, 2, 18)
    )
    clean = CleanDocument(document, (Paragraph(0, len(text), text, "fr", True),))
    event = Event(
        url,
        document.doc_id,
        kind,
        [parties[0]],
        list(parties[1:]),
        text,
        0,
        len(text),
        date=ResolvedDate(day, precision, "x") if day else None,  # type: ignore[arg-type]
        event_loc=place,
        confidence=0.6,
    )
    return DocumentResult(clean, (), (event,))


WIRE = (
    "Rabat, 17 février 2025 (MAP) - La commission militaire mixte maroco-malienne a tenu sa"
    " première session à Rabat sous la présidence des chefs d'état-major des deux pays, qui"
    " ont examiné la coopération en matière de formation et de lutte contre le terrorisme."
)


def test_stored_documents_join_stories_and_keep_their_ids(store_db: str) -> None:
    with Store(store_db) as store:
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        [(story_id,)] = store.connection.execute("SELECT story_id FROM stories").fetchall()
        # The same wire copy on another outlet, then an own report dated by month only.
        store.add(_article(WIRE + " ", "https://lematin.ma/b", date(2025, 2, 17)))
        store.add(
            _article(
                "En février 2025, le Maroc et le Mali ont réuni leur commission.",
                "https://le360.ma/c",
                date(2025, 2, 1),
                "month",
            )
        )
        store.add(_article("Autre réunion.", "https://le360.ma/d", date(2025, 6, 3)))
        rows = store.connection.execute(
            "SELECT story_id, events, sources, independent_sources, story_date"
            " FROM stories ORDER BY events DESC"
        ).fetchall()
        assert rows[0] == (story_id, 3, 3, 2, "2025-02-17")
        assert len(rows) == 2
        counted = store.connection.execute(
            "SELECT count(DISTINCT story_id), count(*) FROM events"
        ).fetchone()
        assert counted == (2, 4)
        # Deleting the first source keeps the story (and its id) for the others.
        first = store.connection.execute(
            "SELECT doc_id FROM documents WHERE url = 'https://www.mapexpress.ma/a'"
        ).fetchone()[0]
        assert store.delete_document(first)
        row = store.connection.execute(
            "SELECT events, independent_sources FROM stories WHERE story_id = ?", [story_id]
        ).fetchone()
        assert row == (2, 2)


def test_watched_pages_join_stories_too(tmp_path: Path) -> None:
    from veille.model import Fetch

    db = str(tmp_path / "v.duckdb")
    first = _article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17))
    second = _article(WIRE + " ", "https://lematin.ma/b", date(2025, 2, 17))
    with Store(db) as store:
        for result in (first, second):
            fetch = Fetch(result.document.url or "", "page", 200, datetime(2025, 2, 18), body=b"x")
            store.add_fetch(fetch, result)
        rows = store.connection.execute("SELECT DISTINCT story_id FROM events").fetchall()
        assert len(rows) == 1
        # Coding a page again (veille recode) keeps its story.
        store.replace_document(first.document.doc_id, first)
        assert store.connection.execute("SELECT DISTINCT story_id FROM events").fetchall() == rows


def test_cli_lists_stories_and_exports_graphs_by_story(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from veille.cli import app

    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        store.add(_article(WIRE + " ", "https://lematin.ma/b", date(2025, 2, 17)))
    runner = CliRunner()
    listed = runner.invoke(app, ["stories", "--db", db, "--format", "jsonl"])
    assert listed.exit_code == 0, listed.output
    [story] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (story["sources"], story["independent_sources"]) == (2, 1)  # a wire copy
    table = runner.invoke(app, ["stories", "--db", db])
    assert "1 stories" in table.stdout and "CONSULT" in table.stdout
    # --rebuild gives the same stories back (same ids).
    rebuilt = runner.invoke(app, ["stories", "--db", db, "--rebuild", "--format", "jsonl"])
    assert rebuilt.exit_code == 0 and json.loads(rebuilt.stdout)["story_id"] == story["story_id"]
    for unit, weight in (("stories", "1"), ("events", "2")):
        out = tmp_path / f"{unit}.graphml"
        result = runner.invoke(
            app, ["export", "--db", db, "--format", "graphml", "--unit", unit, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert f'<data key="edge_type_CONSULT">{weight}</data>' in out.read_text(encoding="utf-8")
    assert runner.invoke(app, ["stories", "--db", db, "--format", "csv"]).exit_code == 2


def test_cli_saves_watches_and_sends_alerts(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from veille.cli import app

    db = str(tmp_path / "v.duckdb")
    runner = CliRunner()
    saved = runner.invoke(app, ["watch-add", "Mali", "--db", db, "--actor", "MLI"])
    assert saved.exit_code == 0, saved.output
    assert json.loads(saved.stdout)["filter"] == {"actor": "MLI"}
    with Store(db) as store:
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
    first = runner.invoke(app, ["alerts", "--db", db])
    assert first.exit_code == 0 and "atom 1" in first.stderr
    again = runner.invoke(app, ["alerts", "--db", db])
    assert "atom 0" in again.stderr
    assert runner.invoke(app, ["alerts", "--db", db, "--smtp", "nohost"]).exit_code == 2


def test_a_database_without_stories_is_still_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from veille.api import create_app
    from veille.store import migrations

    db = str(tmp_path / "old.duckdb")
    before_stories = [m for m in migrations("duckdb") if m.version < 7]
    with monkeypatch.context() as patch:
        patch.setattr("veille.store.migrations", lambda dialect: before_stories)
        with Store(db) as store:
            store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
    client = TestClient(create_app(db))  # read-only: not migrated
    assert client.get("/api/graph").json()["edges"][0]["events"] == 1
    assert client.get("/api/stories").json()["total"] == 0
    assert client.get("/api/dashboard/overview").json()["raw_events"] == 1


def test_export_writes_story_records(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from veille.cli import app

    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        store.add(_article(WIRE + " ", "https://lematin.ma/b", date(2025, 2, 17)))
    out = tmp_path / "stories.jsonl"
    result = CliRunner().invoke(
        app, ["export", "--db", db, "--format", "stories", "--actor", "Mali", "-o", str(out)]
    )
    assert result.exit_code == 0 and "1 stories written" in result.stderr
    [story] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert story["sources"] == 2 and story["participants"] == ["MAR", "MLI"]
