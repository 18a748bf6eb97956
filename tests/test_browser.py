"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

A database is built from examples/ plus one hostile article of our own (HTML and script in
its title, text and URL), `veille serve` runs on a free port, and the tests click through the
dashboard as an analyst would: open an actor, filter by type, follow counts to the events
they count, open an evidence sentence in its article, reload a shared URL, read /docs. Every
request the page makes is checked to stay on the local server (nothing from a CDN), and
screenshots land in tests/artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest

from veille.pipeline import ingest
from veille.web import SWAGGER, VENDORED, vendored

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(
        "Chromium is not installed (scripts/system-packages.sh installs Debian's chromium)",
        allow_module_level=True,
    )
if not vendored(*VENDORED, *SWAGGER):
    pytest.skip(
        "the dashboard's npm libraries are not vendored (make install runs npm ci)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
# As the machine's probe runs Chromium as root in a closed network: no sandbox (root), and no
# background connections to Google's hosts, which would fail here and in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

# A hostile article: each injection sets window.__xss if the page ever runs it.
HOSTILE_TITLE = (
    'Accord <script>window.__xss = "title"</script> <img src=x onerror="window.__xss=\'title\'">'
)
HOSTILE_IMG = "<img src=x onerror=\"window.__xss='evidence'\">"
HOSTILE_SCRIPT = "<script>window.__xss='script'</script>"
HOSTILE_TEXT = (
    "Rabat, 3 mars 2025 – Le Maroc et la France ont signé lundi à Rabat un accord de "
    f"coopération sécuritaire {HOSTILE_IMG} contre le terrorisme.\n\n"
    f"Le ministre marocain de l'Intérieur a reçu son homologue français {HOSTILE_SCRIPT} "
    "pour une visite officielle de deux jours.\n"
)


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> str:
    folder = tmp_path_factory.mktemp("browser")
    hostile = folder / "hostile.jsonl"
    record = {
        "title": HOSTILE_TITLE,
        "text": HOSTILE_TEXT,
        "url": "javascript:window.__xss='url'",
        "published": "2025-03-03",
    }
    hostile.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    path = str(folder / "dashboard.duckdb")
    summary = ingest([str(EXAMPLES), str(hostile)], db=path, pipeline=pipeline)
    assert summary.events_stored > 5 and not summary.errors
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    """`veille serve` in a subprocess, as a user starts it; its base URL."""
    yield from serve(database)


def serve(database: str) -> Iterator[str]:
    port = free_port()
    veille = Path(sys.executable).with_name("veille")
    process = subprocess.Popen(
        [str(veille), "serve", "--db", database, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/stats", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"veille serve did not start: {process.communicate()[1][-2000:]}")
            time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus what it did that it should not: script errors, dialogs, foreign requests."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        # The dashboard must work offline: anything not for our server is refused and noted.
        if urlparse(route.request.url).netloc == urlparse(self.base).netloc:
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.base}/{fragment}")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def watched(browser: Any, server: str) -> Iterator[Watched]:
    yield from watched_page(browser, server)


def watched_page(browser: Any, server: str) -> Iterator[Watched]:
    # The page's Content-Security-Policy would also refuse Playwright's own evaluated
    # scripts; bypassing it means the escaping tests prove the escaping itself, not the CSP.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    watched = Watched(context.new_page(), server)
    yield watched
    context.close()
    assert watched.errors == [], watched.errors
    assert watched.foreign == [], f"requests left the machine: {watched.foreign}"
    assert watched.dialogs == [], watched.dialogs


def api(server: str, path: str, **params: Any) -> Any:
    query = f"?{urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{server}{path}{query}", timeout=10) as response:
        return json.load(response)


def rendered(page: Any, view: str) -> None:
    """Wait until the dashboard has drawn the view of the URL it is now at."""
    page.wait_for_function("document.body.dataset.rendered === location.hash")
    assert page.locator(f"[data-view={view}]").count() == 1, page.url


def event_rows(watched: Watched) -> Any:
    """The event table's rows once the view has loaded."""
    rendered(watched.page, "events")
    return watched.page.locator("table.events-table tbody tr")


def shown_total(watched: Watched) -> int:
    rendered(watched.page, "events")
    heading = watched.page.locator("[data-view=events] h1").inner_text()
    return int(heading.split()[0].replace(",", ""))


# -- tests -------------------------------------------------------------------------------------


def test_overview_counts_match_the_api_and_lead_to_events(watched: Watched, server: str) -> None:
    response = watched.page.goto(f"{server}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = watched.page
    rendered(page, "overview")
    overview = api(server, "/api/dashboard/overview")
    assert overview["events"] == api(server, "/api/stats")["events"]
    value = page.locator("[data-card=events] .card-value").inner_text()
    assert int(value.replace(",", "")) == overview["events"]
    dated = [month for month in overview["timeline"] if month["month"]]
    assert page.locator(".timeline-chart a.bar").count() == len(dated)
    # The world outline is drawn from the vendored file, event places on top.
    assert page.locator(".map-chart path.country").count() > 50
    assert page.locator(".map-chart a.place").count() == len(overview["places"])
    watched.shot("overview")

    # Each event-type count opens exactly the events it counts.
    for event_type, count in overview["by_type"].items():
        watched.open()
        page.locator(f"a.bar-row[data-type={event_type}]").click()
        rows = event_rows(watched)
        assert shown_total(watched) == count == rows.count(), event_type
        assert set(rows.locator("td:nth-child(2) .type-badge").all_inner_texts()) == {event_type}

    # So does a timeline bar: the events of that month.
    month = dated[0]
    watched.open()
    page.locator(f".timeline-chart a.bar[data-month='{month['month']}']").click()
    assert event_rows(watched).count() == month["events"]
    assert all(day.startswith(month["month"]) for day in event_days(watched))


def event_days(watched: Watched) -> list[str]:
    cells = event_rows(watched).locator("td:first-child").all_inner_texts()
    return [cell.split()[0] for cell in cells]


def test_network_click_opens_actor_page_and_partner_events(watched: Watched, server: str) -> None:
    graph = api(server, "/api/graph")
    watched.open("#/network")
    page = watched.page
    rendered(page, "network")
    page.wait_for_function("document.getElementById('network-canvas').cytoscape")
    drawn = page.evaluate("document.getElementById('network-canvas').cytoscape.nodes().length")
    assert drawn == len(graph["nodes"])
    assert page.locator("table.links-table tbody tr").count() == len(graph["edges"])
    watched.shot("network")

    # A real mouse click on the busiest actor's node, where Cytoscape drew it.
    actor = graph["nodes"][0]
    box = page.locator("#network-canvas").bounding_box()
    x, y = page.evaluate(
        "id => { const p = document.getElementById('network-canvas').cytoscape"
        ".getElementById(id).renderedPosition(); return [p.x, p.y]; }",
        actor["identity"],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    rendered(page, "actor")
    assert page.locator(".actor-header h1").inner_text().startswith(actor["name"])
    brief = api(server, f"/api/actors/{actor['identity']}")
    value = page.locator("[data-card=events] .card-value").inner_text()
    assert int(value) == brief["events"] == actor["events"]
    watched.shot("actor")

    # The partner's shared-event count opens exactly those events, each with both actors.
    partner = brief["partners"][0]
    row = page.locator(f".partners-table tr[data-partner='{partner['identity']}']")
    row.locator("td.num a").click()
    rows = event_rows(watched)
    assert rows.count() == partner["events"]
    for text in rows.all_inner_texts():
        assert actor["name"] in text and partner["name"] in text

    # A graph edge's count opens the events that make that edge.
    watched.open("#/network")
    edge = graph["edges"][0]
    page.locator("table.links-table tbody tr").first.locator("a.edge-count").click()
    assert event_rows(watched).count() == edge["events"]


def test_type_and_actor_filters_live_in_the_url(watched: Watched, server: str) -> None:
    watched.open("#/events")
    page = watched.page
    event_rows(watched)
    page.select_option("#filters select[name=type]", "COOPERATE")
    page.wait_for_function("location.hash.includes('type=COOPERATE')")
    expected = api(server, "/api/events", type="COOPERATE", limit=500)["total"]
    assert shown_total(watched) == expected == event_rows(watched).count() > 0

    page.fill("#filters input[name=actor]", "maroc")  # a name, any case
    page.click("#filters button[type=submit]")
    page.wait_for_function("location.hash.includes('actor=MAR')")
    both = api(server, "/api/dashboard/events", type="COOPERATE", actor="MAR")["total"]
    assert 0 < shown_total(watched) == both <= expected

    # The URL alone restores the view: reload, and a fresh tab opened on the same URL.
    url = page.url
    page.reload()
    assert shown_total(watched) == both
    assert page.input_value("#filters select[name=type]") == "COOPERATE"
    assert page.input_value("#filters input[name=actor]") == "Maroc"
    other = page.context.new_page()
    other.goto(url)
    rendered(other, "events")
    assert other.locator("table.events-table tbody tr").count() == both
    other.close()
    watched.shot("events-filtered")


def slider_threshold(server: str) -> str:
    """A step of the confidence slider (0.05) that keeps some events and leaves some out."""
    confidences = [e["confidence"] for e in api(server, "/api/events", limit=500)["items"]]
    for step in range(1, 21):
        kept = sum(confidence >= step / 20 for confidence in confidences)
        if 0 < kept < len(confidences):
            return f"{step / 20:g}"
    pytest.fail(f"no slider step divides the events' confidences {sorted(set(confidences))}")


def test_confidence_slider_lives_in_the_url_and_filters_every_view(
    watched: Watched, server: str
) -> None:
    page = watched.page
    watched.open("#/events")
    everything = event_rows(watched).count()
    slider = "#filters input[name=min_confidence]"
    assert page.input_value(slider) == "0"
    assert page.locator("#min-confidence-shown").inner_text() == "any"

    threshold = slider_threshold(server)
    page.fill(slider, threshold)  # sets the value, then fires input and change as a drag does
    page.wait_for_function(f"location.hash.includes('min_confidence={threshold}')")
    expected = api(server, "/api/events", min_confidence=threshold, limit=500)["total"]
    rows = event_rows(watched)
    assert 0 < shown_total(watched) == expected == rows.count() < everything
    shown = rows.locator("td.confidence").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.confidence))"
    )
    assert len(shown) == expected and min(shown) >= float(threshold)
    assert page.locator("#min-confidence-shown").inner_text() == f"≥ {threshold}"
    watched.shot("events-confident")

    # The URL alone restores it, and the other views and their counts use it too.
    page.reload()
    assert shown_total(watched) == expected
    assert page.input_value(slider) == threshold
    page.locator("#tabs a.tab", has_text="Overview").click()
    rendered(page, "overview")
    assert f"min_confidence={threshold}" in page.url
    value = page.locator("[data-card=events] .card-value").inner_text()
    assert int(value.replace(",", "")) == expected
    for event_type, count in api(server, "/api/dashboard/overview", min_confidence=threshold)[
        "by_type"
    ].items():
        link = page.locator(f"a.bar-row[data-type={event_type}]")
        assert f"min_confidence={threshold}" in (link.get_attribute("href") or "")
        link.click()
        assert shown_total(watched) == count == event_rows(watched).count(), event_type
        page.go_back()
        rendered(page, "overview")
    page.locator("#tabs a.tab", has_text="Network").click()
    rendered(page, "network")
    graph = api(server, "/api/graph", min_confidence=threshold)
    assert page.locator("table.links-table tbody tr").count() == len(graph["edges"])

    # Back to 0: no filter, and nothing about it left in the URL.
    page.fill(slider, "0")
    page.wait_for_function("!location.hash.includes('min_confidence')")
    rendered(page, "network")
    assert page.locator("table.links-table tbody tr").count() == len(
        api(server, "/api/graph")["edges"]
    )
    assert page.locator("#min-confidence-shown").inner_text() == "any"


def test_event_row_opens_its_evidence_highlighted(watched: Watched, server: str) -> None:
    watched.open("#/events")
    rows = event_rows(watched)
    row = rows.nth(min(3, rows.count() - 1))
    event_id = row.get_attribute("data-event-id")
    row.locator("td").first.click()  # anywhere on the row
    page = watched.page
    rendered(page, "document")
    event = api(server, f"/api/events/{event_id}")["event"]
    highlighted = "".join(page.locator("mark.current").all_text_contents())
    assert highlighted == event["event_text"]
    assert page.locator(".evidence-quote").inner_text() == event["event_text"]
    assert page.locator("mark.current").first.is_visible()
    watched.shot("document")

    # Another event of the article, chosen in the side list, becomes the highlighted one.
    others = page.locator(f".doc-events a:not([data-event-id='{event_id}'])")
    if others.count():
        other_id = others.first.get_attribute("data-event-id")
        others.first.click()
        page.wait_for_function(f"location.hash.includes('{other_id}')")
        rendered(page, "document")
        other = api(server, f"/api/events/{other_id}")["event"]
        assert "".join(page.locator("mark.current").all_text_contents()) == other["event_text"]


def test_docs_render_offline(watched: Watched, server: str) -> None:
    watched.open("docs")
    page = watched.page
    page.wait_for_selector(".swagger-ui .opblock")
    paths = api(server, "/openapi.json")["paths"]
    operations = sum(len(methods) for methods in paths.values())
    assert page.locator(".swagger-ui .opblock").count() == operations
    assert "/api/events" in page.locator(".swagger-ui").inner_text()
    watched.shot("docs")


def test_article_text_is_shown_literally_and_never_run(watched: Watched, server: str) -> None:
    """Issue 7.4: HTML and script in an article's title, text and URL stay text."""
    hits = api(server, "/api/search", q="homologue visite officielle")["items"]
    hostile = [hit for hit in hits if hit["title"] == HOSTILE_TITLE]
    assert hostile, "the hostile article was not stored"
    doc_id = hostile[0]["doc_id"]
    events = api(server, "/api/dashboard/events", text="window.__xss")["items"]
    assert len(events) == 2  # both injected sentences were coded as events

    page = watched.page
    views = [
        ("#/events?" + urlencode({"text": "window.__xss"}), "events"),
        (f"#/document/{doc_id}?event={events[0]['id']}", "document"),
        ("#/search?" + urlencode({"q": "homologue visite officielle"}), "search"),
        ("#/actor/MAR", "actor"),
    ]
    for fragment, view in views:
        watched.open(fragment)
        rendered(page, view)
        page.wait_for_timeout(200)  # time for an injected handler to fire, were there one
        text = page.locator("main").inner_text()
        assert page.evaluate("window.__xss") is None, fragment
        # Nothing from the article became an element.
        assert page.locator("main img, main script").count() == 0, fragment
        if view == "events":
            assert HOSTILE_IMG in text and HOSTILE_SCRIPT in text
        if view == "search":
            assert HOSTILE_TITLE in text
    watched.open(f"#/document/{doc_id}")
    rendered(page, "document")
    assert page.locator("h1.doc-title").inner_text() == HOSTILE_TITLE
    article = page.locator("article.article-text").inner_text()
    assert HOSTILE_IMG in article and HOSTILE_SCRIPT in article
    # The article's javascript: URL is not a link target.
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.href)")
    assert not any(href.startswith("javascript:") for href in hrefs)
    assert page.evaluate("window.__xss") is None
    watched.shot("hostile-article")


# -- stories: one real-world event told by several outlets ------------------------------------

STORY_ARTICLES = ROOT / "tests" / "data" / "stories" / "articles.jsonl"
#: Two Morocco–Mali commission sessions (four and two outlets, one wire copy) and a joint
#: Morocco–Spain operation (three outlets, one in Spanish).
STORY_DOCS = {"x01", "x02", "x03", "x04", "x05", "x06", "x07", "x08", "x09"}


@pytest.fixture(scope="module")
def stories_database(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> str:
    folder = tmp_path_factory.mktemp("stories")
    articles = folder / "stories.jsonl"
    lines = STORY_ARTICLES.read_text(encoding="utf-8").splitlines()
    chosen = [line for line in lines if json.loads(line)["id"] in STORY_DOCS]
    articles.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    path = str(folder / "stories.duckdb")
    summary = ingest([str(articles)], db=path, pipeline=pipeline)
    assert summary.documents_stored == len(STORY_DOCS) and not summary.errors
    return path


@pytest.fixture(scope="module")
def stories_server(stories_database: str) -> Iterator[str]:
    yield from serve(stories_database)


@pytest.fixture
def story_page(browser: Any, stories_server: str) -> Iterator[Watched]:
    yield from watched_page(browser, stories_server)


def test_network_and_counts_show_each_story_once_with_its_sources(
    story_page: Watched, stories_server: str
) -> None:
    page = story_page.page
    stories = api(stories_server, "/api/stories", limit=500)["items"]
    raw = api(stories_server, "/api/stats")["events"]
    assert len(stories) < raw  # several outlets told the same events
    # The first commission: four articles, of which two are one wire copy, so 3 sources.
    [first] = [s for s in stories if s["event"] == "CONSULT" and s["date"] == "2025-02-17"]
    assert (first["sources"], first["independent_sources"]) == (4, 3)

    # Overview: the stories card counts each real-world event once, raw events beside it.
    story_page.open()
    rendered(page, "overview")
    assert page.locator("[data-card=stories] .card-value").inner_text() == str(len(stories))
    assert page.locator("[data-card=events] .card-value").inner_text() == str(raw)
    types = page.locator("a.bar-row .bar-count").all_inner_texts()
    assert sum(int(n) for n in types) == len(stories)

    # Network: the Morocco–Mali link counts its stories, not the events of every outlet.
    story_page.open("#/network")
    rendered(page, "network")
    between = api(stories_server, "/api/stories", actor="MAR", partner="MLI")["total"]
    row = page.locator("table.links-table tbody tr[data-source=MAR][data-target=MLI]")
    assert int(row.locator("a.edge-count").inner_text()) == between
    story_page.shot("network-stories")
    page.locator("a[data-unit-toggle=events]").click()
    rendered(page, "network")
    row = page.locator("table.links-table tbody tr[data-source=MAR][data-target=MLI]")
    assert int(row.locator("a.edge-count").inner_text()) > between

    # Stories view: one row per story with its source count; its page shows every source.
    page.locator("#tabs a.tab", has_text="Stories").click()
    rendered(page, "stories")
    assert page.locator("table.stories-table tbody tr").count() == len(stories)
    cell = page.locator(f"tr[data-story-id={first['story_id']}] td[data-sources]")
    assert cell.inner_text() == "3"
    cell.locator("a").click()
    rendered(page, "story")
    assert (
        page.locator("[data-independent-sources]").get_attribute("data-independent-sources") == "3"
    )
    sources = page.locator(".sources article.source")
    assert sources.count() == 4
    for i in range(4):
        assert sources.nth(i).locator("blockquote.evidence").count() >= 1
    outlets = set(page.locator(".sources article.source h2").all_inner_texts())
    assert outlets == {"mapexpress.ma", "lematin.ma", "fr.hespress.com", "jeuneafrique.com"}
    # The wire copy is shown as counted with the agency's own article.
    assert page.locator(".sources [data-counted-with]").count() == 1
    story_page.shot("story")


def test_weekly_digest_prints_to_pdf(
    story_page: Watched, stories_server: str, stories_database: str
) -> None:
    from veille.alerts import add_watch
    from veille.store import Store
    from veille.stories import StoryFilter

    with Store(stories_database) as store:
        watch = add_watch(store, "Maroc–Mali", StoryFilter(actor="MLI"))
    story_page.open(f"api/watches/{watch.watch_id}/digest?week=2025-02-17")
    page = story_page.page
    assert page.locator("h1").inner_text() == "Maroc–Mali"
    stories = api(stories_server, "/api/stories", actor="MLI", since="2025-02-17")["items"]
    week = [s for s in stories if "2025-02-17" <= (s["date"] or "") < "2025-02-24"]
    assert page.locator("tbody tr").count() == len(week) > 0
    assert page.locator("svg rect.bar").count() >= 7  # one bar per day, one per type
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "digest.pdf").write_bytes(pdf)
