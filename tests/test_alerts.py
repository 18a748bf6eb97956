"""Alerts: a new article matching a watch gives one Atom entry, one webhook call, one email.

The webhook receiver and the SMTP server (aiosmtpd) listen on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.test_stories import WIRE, _article
from veille import alerts
from veille.alerts import (
    ATOM_NS,
    AlertSettings,
    add_watch,
    digest_html,
    list_watches,
    run_alerts,
)
from veille.api import create_app
from veille.cli import app
from veille.store import Store, StoreError
from veille.stories import StoryFilter


class Receiver(BaseHTTPRequestHandler):
    calls: list[dict[str, object]] = []
    failures_left = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.failures_left:
            Receiver.failures_left -= 1
            self.send_response(503)
        else:
            Receiver.calls.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    Receiver.calls = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.fixture
def smtp() -> Iterator[tuple[list[object], int]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[object] = []

    class Keep(Message):
        def handle_message(self, message: object) -> None:
            received.append(message)

    with socket.socket() as probe:  # a free port (the controller cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received, port
    finally:
        controller.stop()


def test_a_new_matching_story_goes_out_once_on_each_channel(
    store_db: str, webhook: str, smtp: tuple[list[object], int]
) -> None:
    mails, port = smtp
    settings = AlertSettings(smtp_host="127.0.0.1", smtp_port=port, backoff=0.01)
    Receiver.failures_left = 1  # the first POST fails: it is retried
    with Store(store_db) as store:
        watch = add_watch(store, "Maroc–Mali", StoryFilter(actor="MLI"), webhook, "a@example.org")
        other = add_watch(store, "Spain", StoryFilter(actor="ESP"))
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        first = run_alerts(store, settings)
        # Another outlet joins the same story; a later round sends nothing again.
        store.add(_article(WIRE + " ", "https://lematin.ma/b", date(2025, 2, 17)))
        second = run_alerts(store, settings)
    assert first.sent == {"atom": 1, "webhook": 1, "email": 1} and not first.failed
    assert sum(second.sent.values()) == 0
    assert len(Receiver.calls) == 1 and Receiver.calls[0]["story"]["event"] == "CONSULT"
    assert len(mails) == 1 and "CONSULT" in mails[0]["Subject"]
    client = TestClient(create_app(store_db))
    atom = client.get(f"/api/watches/{watch.watch_id}/atom")
    assert atom.status_code == 200 and atom.headers["content-type"].startswith(
        "application/atom+xml"
    )
    entries = ET.fromstring(atom.text).findall(f"{{{ATOM_NS}}}entry")
    assert len(entries) == 1
    nothing = client.get(f"/api/watches/{other.watch_id}/atom")
    assert ET.fromstring(nothing.text).findall(f"{{{ATOM_NS}}}entry") == []


def test_webhook_gives_up_after_its_retries_and_tries_next_round(
    tmp_path: object, webhook: str
) -> None:
    db = str(tmp_path / "v.duckdb")  # type: ignore[operator]
    Receiver.failures_left = 10
    waits: list[float] = []
    settings = AlertSettings(retries=2, backoff=0.5)
    with Store(db) as store:
        add_watch(store, "all", StoryFilter(), webhook)
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        summary = run_alerts(store, settings, sleep=waits.append)
        assert summary.sent == {"atom": 1} and len(summary.failed) == 1
        assert waits == [0.5, 1.0]  # doubling waits between the three attempts
        Receiver.failures_left = 0
        assert run_alerts(store, settings, sleep=waits.append).sent == {"webhook": 1}


def test_stories_api_and_digest(tmp_path: object) -> None:
    db = str(tmp_path / "v.duckdb")  # type: ignore[operator]
    with Store(db) as store:
        watch = add_watch(store, "all", StoryFilter())
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        store.add(_article("Autre récit du 17 février.", "https://le360.ma/c", date(2025, 2, 17)))
        page = digest_html(store, watch, date(2025, 2, 17))
    assert "1</strong> stories" in page and "<svg" in page
    client = TestClient(create_app(db))
    listed = client.get("/api/stories", params={"actor": "Mali", "min_sources": 2}).json()
    assert listed["total"] == 1
    story = listed["items"][0]
    assert (story["independent_sources"], story["sources"]) == (2, 2)
    detail = client.get(f"/api/stories/{story['story_id']}").json()
    assert {source["outlet"] for source in detail["sources"]} == {"mapexpress.ma", "le360.ma"}
    assert all(source["evidence"] for source in detail["sources"])
    assert client.get("/api/stories", params={"min_sources": 3}).json()["total"] == 0
    assert client.get("/api/stories/nope").status_code == 404
    # Counts: the graph joins Morocco and Mali by one story, or by two events on request.
    edges = client.get("/api/graph").json()["edges"]
    assert [edge["events"] for edge in edges] == [1]
    edges = client.get("/api/graph", params={"unit": "events"}).json()["edges"]
    assert [edge["events"] for edge in edges] == [2]
    # So do the actor list and an actor's brief.
    [mali] = [a for a in client.get("/api/actors").json()["items"] if a["identity"] == "MLI"]
    assert mali["events"] == 1 == client.get("/api/actors/MLI").json()["events"]
    assert client.get("/api/actors/MLI", params={"unit": "events"}).json()["events"] == 2


TOKEN = "watch-token-0123456789abcdef"


def test_a_watch_is_deleted_over_the_api_only_with_the_token(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        watch = add_watch(store, "all", StoryFilter())
        kept = add_watch(store, "Mali", StoryFilter(actor="MLI"))
        store.add(_article(WIRE, "https://www.mapexpress.ma/a", date(2025, 2, 17)))
        run_alerts(store)  # an Atom entry recorded for each watch
    address = f"/api/watches/{watch.watch_id}"
    assert TestClient(create_app(db)).delete(address).status_code == 403  # read-only server
    client = TestClient(create_app(db, token=TOKEN))
    assert client.delete(address).status_code == 401
    assert client.delete(address, headers={"Authorization": "Bearer wrong"}).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answer = client.delete(address, headers=auth)
    assert answer.status_code == 200 and answer.json() == {
        "watch_id": watch.watch_id,
        "deleted": True,
    }
    assert [w["watch_id"] for w in client.get("/api/watches").json()] == [kept.watch_id]
    assert client.get(f"{address}/atom").status_code == 404
    assert client.delete(address, headers=auth).status_code == 404
    with Store(db, read_only=True) as store:
        sent = store.connection.execute("SELECT watch_id FROM alerts").fetchall()
    assert sent == [(kept.watch_id,)]  # the deleted watch's record went with it


def test_the_cli_deletes_a_watch(tmp_path: Path) -> None:
    db = str(tmp_path / "v.duckdb")
    runner = CliRunner()
    saved = json.loads(runner.invoke(app, ["watch-add", "Mali", "--db", db]).stdout)
    deleted = runner.invoke(app, ["watch-delete", saved["watch_id"], "--db", db])
    assert deleted.exit_code == 0 and f"watch {saved['watch_id']} deleted" in deleted.stderr
    with Store(db, read_only=True) as store:
        assert list_watches(store) == []
    again = runner.invoke(app, ["watch-delete", saved["watch_id"], "--db", db])
    assert again.exit_code == 1 and f"no watch '{saved['watch_id']}'" in again.stderr


class FrozenTime(datetime):
    """Every watch saved at the same instant: the same watch twice gets the same id."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> FrozenTime:
        return cls(2025, 3, 1, 12, tzinfo=tz)


def test_a_database_error_saving_a_watch_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts, "datetime", FrozenTime)
    db = str(tmp_path / "v.duckdb")
    with Store(db) as store:
        first = add_watch(store, "Mali", StoryFilter(actor="MLI"))
        with pytest.raises(StoreError, match=r"^watch 'Mali': cannot store \(.*\)$") as raised:
            add_watch(store, "Mali", StoryFilter(actor="MLI"))  # its id is taken
        assert "\n" not in str(raised.value)
        assert list_watches(store) == [first]  # nothing of the failed save is kept
    failed = CliRunner().invoke(app, ["watch-add", "Mali", "--db", db, "--actor", "MLI"])
    assert failed.exit_code == 2
    assert failed.stderr.startswith("error watch 'Mali': cannot store (")
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.output
