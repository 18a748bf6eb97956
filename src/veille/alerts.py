"""Alerts: saved watches over stories, and the new stories that match them, sent once.

A watch is a ``StoryFilter`` kept in the database with where to send what it finds. Each
round (``veille alerts``, or the loop of ``veille serve --alerts``) looks for the stories
that match a watch and have changed since the watch was saved, and sends each one once per
channel: an entry in the watch's Atom feed, a webhook POST (JSON, retried with backoff) and
an email over SMTP. The ``alerts`` table records what went out, which is what makes a
story go out exactly once; a failed send is tried again at the next round. A weekly digest
(HTML with small SVG charts, printable to PDF) lists a watch's stories of one week.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import smtplib
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from veille import __version__
from veille.stories import StoryFilter, story_conditions

if TYPE_CHECKING:
    from veille.store import Store

log = logging.getLogger("veille")
ATOM_NS = "http://www.w3.org/2005/Atom"
CHANNELS = ("atom", "webhook", "email")


@dataclass(frozen=True, slots=True)
class Watch:
    watch_id: str
    name: str
    filter: StoryFilter
    webhook: str | None = None
    email: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))

    def to_json(self) -> dict[str, Any]:
        return {
            "watch_id": self.watch_id,
            "name": self.name,
            "filter": self.filter.to_json(),
            "webhook": self.webhook,
            "email": self.email,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Where and how to send: the SMTP server and sender, the webhook retries."""

    smtp_host: str | None = None
    smtp_port: int = 25
    sender: str = "veille@localhost"
    retries: int = 3  # webhook attempts after the first
    backoff: float = 1.0  # seconds before the first retry, doubled at each
    timeout: float = 10.0


@dataclass(slots=True)
class AlertSummary:
    sent: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        sent = ", ".join(f"{channel} {self.sent[channel]}" for channel in CHANNELS)
        return f"sent: {sent}; {len(self.failed)} failed (tried again next round)"


# -- watches in the database ------------------------------------------------------------------


def add_watch(
    store: Store,
    name: str,
    where: StoryFilter,
    webhook: str | None = None,
    email: str | None = None,
) -> Watch:
    """Save a watch; it follows the stories that change from now on. A database error is a
    ``StoreError`` naming the watch, and nothing is saved."""
    now = datetime.now(UTC).replace(tzinfo=None)
    key = json.dumps([name, where.to_json(), webhook, email, now.isoformat()])
    watch_id = "w" + hashlib.sha256(key.encode()).hexdigest()[:12]
    watch = Watch(watch_id, name, where, webhook, email, now)
    with store._writing(f"watch {name!r}"):
        store.connection.execute(
            "INSERT INTO watches VALUES (?, ?, ?, ?, ?, ?)",
            [watch.watch_id, name, json.dumps(where.to_json()), webhook, email, now],
        )
    return watch


def list_watches(store: Store) -> list[Watch]:
    rows = store.connection.execute(
        "SELECT watch_id, name, filter, webhook, email, created_at FROM watches"
        " ORDER BY created_at, watch_id"
    ).fetchall()
    return [_watch(row) for row in rows]


def get_watch(store: Store, watch_id: str) -> Watch | None:
    row = store.connection.execute(
        "SELECT watch_id, name, filter, webhook, email, created_at FROM watches WHERE watch_id = ?",
        [watch_id],
    ).fetchone()
    return _watch(row) if row else None


def delete_watch(store: Store, watch_id: str) -> bool:
    """Delete a watch and the record of what it sent; False if there is no such watch. A
    database error is a ``StoreError`` naming the watch, and nothing is deleted."""
    with store._writing(f"watch {watch_id}"):
        store.connection.execute("DELETE FROM alerts WHERE watch_id = ?", [watch_id])
        gone = store.connection.execute(
            "DELETE FROM watches WHERE watch_id = ? RETURNING watch_id", [watch_id]
        ).fetchone()
    return gone is not None


def _watch(row: tuple[Any, ...]) -> Watch:
    watch_id, name, where, webhook, email, created_at = row
    return Watch(
        watch_id, name, StoryFilter.from_json(json.loads(where)), webhook, email, created_at
    )


# -- what is new for a watch ------------------------------------------------------------------


def pending(store: Store, watch: Watch, channel: str) -> list[dict[str, Any]]:
    """Stories matching ``watch``, changed since it was saved, not yet sent on ``channel``."""
    conditions, params = story_conditions(store, watch.filter)
    rows = store.connection.execute(
        f"SELECT s.record FROM stories s WHERE {conditions} AND s.updated_at >= ?"
        " AND s.story_id NOT IN (SELECT story_id FROM alerts WHERE watch_id = ? AND channel = ?)"
        " ORDER BY s.created_at, s.story_id",
        [*params, watch.created_at, watch.watch_id, channel],
    ).fetchall()
    return [json.loads(record) for (record,) in rows]


def run_alerts(
    store: Store,
    settings: AlertSettings = AlertSettings(),
    sleep: Callable[[float], None] = time.sleep,
) -> AlertSummary:
    """One round: every watch's new stories to its feed, webhook and mailbox, once each."""
    summary = AlertSummary()
    for watch in list_watches(store):
        senders: dict[str, Callable[[dict[str, Any]], int]] = {"atom": lambda story: 1}
        if watch.webhook:
            senders["webhook"] = lambda story, w=watch: post_webhook(w, story, settings, sleep)
        if watch.email and settings.smtp_host:
            senders["email"] = lambda story, w=watch: send_email(w, story, settings)
        for channel, send in senders.items():
            for story in pending(store, watch, channel):
                try:
                    attempts = send(story)
                except (OSError, smtplib.SMTPException, WebhookError) as error:
                    summary.failed.append(f"{watch.name} {channel} {story['story_id']}: {error}")
                    continue
                with store._writing(f"alert of watch {watch.watch_id}"):
                    store.connection.execute(
                        "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (watch_id, story_id, channel) DO NOTHING",
                        [watch.watch_id, story["story_id"], channel, _now(), attempts, "sent"],
                    )
                summary.sent[channel] += 1
    return summary


class WebhookError(Exception):
    pass


def post_webhook(
    watch: Watch,
    story: dict[str, Any],
    settings: AlertSettings,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST the story as JSON; retried with doubling waits on errors and 5xx/429 answers.
    Returns the number of attempts; ``WebhookError`` when all failed."""
    import httpx

    payload = {"watch": watch.to_json(), "story": story}
    delay = settings.backoff
    problem = ""
    for attempt in range(1, settings.retries + 2):
        try:
            answer = httpx.post(watch.webhook or "", json=payload, timeout=settings.timeout)
            if answer.status_code < 300:
                return attempt
            problem = f"HTTP {answer.status_code}"
            if answer.status_code < 500 and answer.status_code != 429:
                break  # the receiver refuses it: trying again will not help
        except httpx.HTTPError as error:
            problem = str(error) or type(error).__name__
        if attempt <= settings.retries:
            sleep(delay)
            delay *= 2
    raise WebhookError(f"{watch.webhook}: {problem}")


def send_email(watch: Watch, story: dict[str, Any], settings: AlertSettings) -> int:
    message = EmailMessage()
    message["Subject"] = f"[Veille] {watch.name}: {story_title(story)}"
    message["From"] = settings.sender
    message["To"] = watch.email or ""
    message.set_content(story_text(story))
    with smtplib.SMTP(
        settings.smtp_host or "", settings.smtp_port, timeout=settings.timeout
    ) as smtp:
        smtp.send_message(message)
    return 1


def story_title(story: dict[str, Any]) -> str:
    parties = " – ".join(story["participants"])
    return f"{story['event']} {parties} ({story.get('date') or 'undated'})"


def story_text(story: dict[str, Any]) -> str:
    return (
        f"{story_title(story)}\n"
        f"Place: {story.get('place') or 'unknown'}\n"
        f"Independent sources: {story['independent_sources']} "
        f"({', '.join(story['outlets']) or 'no outlet'}); confidence {story['confidence']}\n"
        f"First seen {story.get('first_seen')}, last seen {story.get('last_seen')}\n"
    )


# -- the Atom feed and the weekly digest ------------------------------------------------------


def atom_feed(store: Store, watch: Watch, base_url: str = "") -> str:
    """The watch's Atom feed: one entry per story it has matched, newest first."""
    rows = store.connection.execute(
        "SELECT s.record, a.sent_at FROM alerts a JOIN stories s USING (story_id)"
        " WHERE a.watch_id = ? AND a.channel = 'atom' ORDER BY a.sent_at DESC, s.story_id",
        [watch.watch_id],
    ).fetchall()
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "id", f"urn:veille:watch:{watch.watch_id}")
    add(feed, "title", f"Veille: {watch.name}")
    updated = max((sent for _record, sent in rows), default=watch.created_at)
    add(feed, "updated", _atom_time(updated))
    add(feed, "generator", "Veille", version=__version__)
    add(feed, "link", rel="self", href=f"{base_url}/api/watches/{watch.watch_id}/atom")
    for record, sent_at in rows:
        story = json.loads(record)
        entry = add(feed, "entry")
        add(entry, "id", f"urn:veille:story:{story['story_id']}")
        add(entry, "title", story_title(story))
        add(entry, "updated", _atom_time(sent_at))
        add(entry, "link", href=f"{base_url}/api/stories/{story['story_id']}")
        add(entry, "summary", story_text(story))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)


def digest_html(store: Store, watch: Watch, week_start: date) -> str:
    """The week's stories of a watch as a printable HTML page with two small bar charts."""
    week_end = week_start + timedelta(days=7)
    conditions, params = story_conditions(store, watch.filter)
    rows = store.connection.execute(
        f"SELECT s.record FROM stories s WHERE {conditions}"
        " AND coalesce(s.date_start, s.first_seen) >= ?"
        " AND coalesce(s.date_start, s.first_seen) < ?"
        " ORDER BY s.independent_sources DESC, s.date_start, s.story_id",
        [*params, week_start, week_end],
    ).fetchall()
    stories = [json.loads(record) for (record,) in rows]
    by_day = Counter(
        (s.get("date") or s.get("first_seen") or "")[:10] for s in stories if s.get("date")
    )
    days = [(week_start + timedelta(days=i)).isoformat() for i in range(7)]
    by_type = Counter(s["event"] for s in stories)
    items = "".join(
        f"<tr><td>{html.escape(s.get('date') or '')}</td><td>{html.escape(s['event'])}</td>"
        f"<td>{html.escape(', '.join(s['participants']))}</td>"
        f"<td>{html.escape(s.get('place') or '')}</td><td>{s['independent_sources']}</td>"
        f"<td>{html.escape(', '.join(s['outlets']))}</td></tr>"
        for s in stories
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Veille digest: {html.escape(watch.name)}, week of {week_start}</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}"
        ".charts{display:flex;gap:2em}@page{size:A4;margin:15mm}</style></head><body>"
        f"<h1>{html.escape(watch.name)}</h1><p>Week of {week_start} to "
        f"{week_end - timedelta(days=1)}: <strong>{len(stories)}</strong> stories.</p>"
        "<div class='charts'>"
        f"{bar_chart('Stories per day', [(d[5:], by_day.get(d, 0)) for d in days])}"
        f"{bar_chart('Stories per type', by_type.most_common())}</div>"
        "<table><thead><tr><th>Date</th><th>Type</th><th>Parties</th><th>Place</th>"
        f"<th>Sources</th><th>Outlets</th></tr></thead><tbody>{items}</tbody></table>"
        "</body></html>"
    )


def bar_chart(title: str, bars: list[tuple[str, int]], width: int = 280) -> str:
    """A small horizontal bar chart as inline SVG (prints as vectors)."""
    top = max((n for _label, n in bars), default=0) or 1
    height = 18 * len(bars) + 24
    parts = [
        f"<svg role='img' aria-label='{html.escape(title)}' width='{width}' height='{height}'"
        " xmlns='http://www.w3.org/2000/svg'>"
        f"<text x='0' y='14' font-weight='bold'>{html.escape(title)}</text>"
    ]
    for i, (label, n) in enumerate(bars):
        y = 24 + 18 * i
        length = round((width - 130) * n / top)
        parts.append(
            f"<text x='0' y='{y + 12}' font-size='11'>{html.escape(label)}</text>"
            f"<rect class='bar' x='90' y='{y + 2}' width='{length}' height='12' fill='#3b6ea5'/>"
            f"<text x='{95 + length}' y='{y + 12}' font-size='11'>{n}</text>"
        )
    return "".join(parts) + "</svg>"


def _atom_time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def alert_loop(db: str, settings: AlertSettings, every: float) -> threading.Thread:
    """Run ``run_alerts`` every ``every`` seconds in a daemon thread (``veille serve``)."""
    from veille.store import WRITE_WAIT_SECONDS, Store, StoreError

    def loop() -> None:
        while True:
            try:
                with Store(db, wait=WRITE_WAIT_SECONDS) as store:
                    summary = run_alerts(store, settings)
                if summary.sent or summary.failed:
                    log.info("alerts: %s", summary)
            except StoreError as error:
                log.warning("alerts: %s", error)
            time.sleep(every)

    thread = threading.Thread(target=loop, name="veille-alerts", daemon=True)
    thread.start()
    return thread
