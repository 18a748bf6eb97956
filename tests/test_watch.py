"""`veille watch` and `veille recode` against a local HTTP server on 127.0.0.1.

The server serves feeds and pages written here (no third-party text) and misbehaves on
purpose: error statuses, silence, trickling, huge answers, redirect loops, broken XML,
robots.txt refusals. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from veille.cli import app
from veille.feeds import Source, canonical_address, load_sources, normalise_address, sources_of
from veille.fetch import WatchSettings, retry_after
from veille.store import Store
from veille.watch import Watcher, WatchSummary

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

#: Short limits so that the faults cost seconds, not minutes.
FAST = WatchSettings(
    connect_timeout=1.0,
    read_timeout=1.5,
    total_timeout=2.5,
    retries=2,
    backoff=0.05,
    max_retry_after=2.0,
    host_delay=0.0,
    max_bytes=1_000_000,
)

# -- the team's own stories (French, invented for these tests) ----------------------------

STORIES = [
    (
        "Rabat et Nouakchott signent un accord de sécurité",
        "Rabat, le 4 mars 2025. Le Maroc et la Mauritanie ont signé mardi à Rabat un accord de "
        "coopération sécuritaire pour lutter contre le terrorisme dans la région du Sahel.",
        "Le ministre marocain de l'Intérieur a reçu son homologue mauritanien pour deux jours "
        "d'entretiens consacrés à la surveillance des frontières et aux échanges de "
        "renseignements.",
        "Les deux délégations ont annoncé la création d'un comité conjoint qui se réunira chaque "
        "trimestre, alternativement à Rabat et à Nouakchott.",
    ),
    (
        "Attaque contre un poste militaire près de Tombouctou",
        "Bamako, le 10 mars 2025. Des hommes armés ont attaqué lundi un poste de l'armée malienne"
        " près de Tombouctou, tuant six soldats, selon l'état-major.",
        "L'armée malienne a riposté et affirme avoir neutralisé plusieurs assaillants au cours de"
        " l'après-midi, sans donner de bilan précis.",
        "Le gouvernement de transition a condamné une attaque lâche et promis de poursuivre les "
        "opérations dans le nord du pays.",
    ),
    (
        "Niamey et Ouagadougou renforcent leur alliance",
        "Niamey, le 12 mars 2025. Le Niger et le Burkina Faso ont tenu mercredi à Niamey une "
        "réunion des chefs d'état-major pour coordonner la lutte contre les groupes jihadistes.",
        "Les deux pays ont convenu de mener des patrouilles conjointes le long de leur frontière "
        "commune, selon un communiqué publié à l'issue de la rencontre.",
        "Le ministre nigérien de la Défense a salué une coopération exemplaire entre les membres "
        "de l'Alliance des États du Sahel.",
    ),
    (
        "Alger accuse Bamako",
        "Alger, le 15 mars 2025. L'Algérie a accusé samedi le Mali d'avoir violé son espace "
        "aérien avec un drone armé abattu près de la frontière.",
        "Le ministère algérien des Affaires étrangères a convoqué l'ambassadeur du Mali à Alger "
        "pour lui signifier une protestation officielle.",
        "Bamako a rejeté ces accusations et affirme que l'appareil se trouvait sur le territoire "
        "malien lorsqu'il a été abattu.",
    ),
    (
        "Dakar et Nouakchott patrouillent ensemble",
        "Dakar, le 18 mars 2025. Le Sénégal et la Mauritanie ont lancé mardi une opération "
        "conjointe de surveillance du fleuve Sénégal contre les trafics d'armes.",
        "Les marines des deux pays ont arrêté douze trafiquants présumés au cours de la première "
        "semaine, a indiqué la gendarmerie sénégalaise.",
        "Le président sénégalais a remercié les autorités mauritaniennes pour leur soutien "
        "logistique.",
    ),
    (
        "Tunis expulse des diplomates",
        "Tunis, le 21 mars 2025. La Tunisie a expulsé vendredi deux diplomates libyens accusés "
        "d'espionnage, selon le ministère tunisien de l'Intérieur.",
        "La police tunisienne a arrêté trois complices présumés à Sfax et saisi du matériel de "
        "communication.",
        "Tripoli a dénoncé une décision hostile et menacé de prendre des mesures de réciprocité.",
    ),
    (
        "Le Tchad reçoit une aide militaire",
        "N'Djamena, le 24 mars 2025. Les Émirats arabes unis ont livré lundi au Tchad des "
        "véhicules blindés destinés à la lutte contre Boko Haram autour du lac Tchad.",
        "Le ministre tchadien de la Défense a remercié les Émirats pour une aide qui renforcera "
        "la sécurité des populations.",
        "Des soldats tchadiens seront formés à Abou Dhabi dans les prochains mois, selon "
        "l'ambassade émirienne.",
    ),
    (
        "Rabat et Madrid coopèrent contre le terrorisme",
        "Madrid, le 27 mars 2025. La police espagnole et la police marocaine ont démantelé jeudi "
        "une cellule terroriste liée à l'État islamique, a annoncé le ministère espagnol de "
        "l'Intérieur.",
        "Quatre suspects ont été arrêtés à Tanger et deux autres à Barcelone au terme d'une "
        "enquête conjointe.",
        "Le ministre espagnol de l'Intérieur a salué l'excellente coopération avec le Maroc en "
        "matière de lutte antiterroriste.",
    ),
]


def article(number: int, canonical: str | None = None, furniture: str = "Accueil") -> bytes:
    title, *paragraphs = STORIES[number]
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title>{link}</head><body><nav>{furniture}</nav><article><h1>{escape(title)}</h1>"
        f"{body}</article><footer>Tous droits réservés</footer></body></html>"
    ).encode()


def rss(links: list[str], declared: str = "utf-8", encoding: str = "utf-8") -> bytes:
    items = "".join(
        f"<item><title>Article {i}</title><link>{escape(link)}</link>"
        "<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel>'
        f"<title>Fil de test</title><link>http://127.0.0.1/</link>"
        f"<description>Essai</description>{items}</channel></rss>"
    ).encode(encoding)


# -- the local server ---------------------------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


class Site:
    """A local web site: routes by path, and every request it saw."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []
        self.answers: list[tuple[str, int]] = []
        self.sent: dict[str, int] = {}
        self.lock = threading.Lock()
        self.base = ""

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for seen, headers, _ in self.requests if seen == path]

    def times(self, path: str) -> list[float]:
        with self.lock:
            return [at for seen, _, at in self.requests if seen == path]

    def page_hits(self) -> list[str]:
        with self.lock:
            return [path for path, _, _ in self.requests if path.startswith("/articles/")]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        site: Site = self.server.site
        with site.lock:
            site.requests.append((self.path, dict(self.headers), time.monotonic()))
        handler = site.routes.get(self.path) or site.routes.get(urlsplit(self.path).path)
        if handler is None:
            respond(self, b"not here", status=404)
        else:
            handler(self)

    def send_response(self, code: int, message: str | None = None) -> None:
        with self.server.site.lock:
            self.server.site.answers.append((self.path, code))
        super().send_response(code, message)

    def log_message(self, *args: object) -> None:
        pass


def respond(
    h: BaseHTTPRequestHandler,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


def static(
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    headers: dict[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    delay: float = 0.0,
) -> Handler:
    """A fixed answer; with ``etag``/``last_modified``, 304 to a matching conditional GET."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        validators = {k: v for k, v in validators.items() if v}
        if (etag and h.headers.get("If-None-Match") == etag) or (
            last_modified and h.headers.get("If-Modified-Since") == last_modified
        ):
            h.send_response(304)
            for name, value in validators.items():
                h.send_header(name, value)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        respond(h, body, content_type, status, {**validators, **(headers or {})})

    return handle


def held_after(
    free: int, answered: Iterator[int], release: threading.Event, handler: Handler
) -> Handler:
    """``handler``, except that from the ``free``-th answer on (counted by ``answered``, shared
    by the pages) it first waits for ``release``."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        if next(answered) >= free:
            release.wait(timeout=120)
        handler(h)

    return handle


FEED_TYPE = "application/rss+xml; charset=utf-8"


@contextlib.contextmanager
def serving() -> Iterator[Site]:
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.block_on_close = False
    server.site = site  # type: ignore[attr-defined]
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as s:
        yield s


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "watch.duckdb")


def scalar(db: str, sql: str, params: list[Any] | None = None) -> Any:
    with Store(db, read_only=True, wait=30) as store:
        row = store.connection.execute(sql, params or []).fetchone()
    return row[0] if row else None


def documents(db: str) -> int:
    return int(scalar(db, "SELECT count(*) FROM documents"))


def serve_articles(site: Site, numbers: list[int], delay: float = 0.0) -> list[str]:
    paths = [f"/articles/{n}" for n in numbers]
    for n, path in zip(numbers, paths, strict=True):
        site.routes[path] = static(article(n), etag=f'"a{n}"', delay=delay)
    return paths


def watch(sources: list[Any], db: str, pipeline: Any, **settings: Any) -> WatchSummary:
    chosen = WatchSettings(**{**FAST.__dict__, **settings}) if settings else FAST
    return Watcher(sources, db, chosen, pipeline).run_once()


def kinds(summary: WatchSummary) -> dict[str, str]:
    return {urlsplit(e.address).path: e.kind for e in summary.errors}


# -- done when: a feed watched once codes every page; a second run fetches none -----------


def test_watch_once_stores_every_page_and_a_second_run_fetches_none(
    site: Site, db: str, pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("veille.coding.Pipeline", lambda: pipeline)  # the loaded models
    paths = serve_articles(site, [0, 1, 2])
    modified = "Tue, 04 Mar 2025 10:00:00 GMT"
    site.routes["/feed.xml"] = static(
        rss([site.url(p) for p in paths]), FEED_TYPE, etag='"feed-1"', last_modified=modified
    )
    command = ["watch", site.url("/feed.xml"), "--once", "--db", db, "--delay", "0"]

    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    assert "3 new pages" in first.output and "3 documents stored" in first.output
    assert documents(db) == 3
    assert scalar(db, "SELECT count(*) FROM events") >= 3
    # Every page kept as fetched, compressed, with its fetch metadata.
    with Store(db, read_only=True) as store:
        for path in paths:
            kept = store.last_fetch(site.url(path), "page")
            assert kept is not None and kept.etag and kept.doc_id
            assert kept.content_type == "text/html; charset=utf-8"
            assert store.raw_page(kept.sha256 or "") == article(int(path.rsplit("/", 1)[1]))
        sizes = store.connection.execute("SELECT sum(size), sum(octet_length(body)) FROM raw_pages")
        raw, compressed = sizes.fetchone() or (0, 0)
    assert compressed < raw
    urls = scalar(db, "SELECT count(DISTINCT url) FROM documents WHERE url LIKE 'http://127%'")
    assert urls == 3

    second = runner.invoke(app, command)
    assert second.exit_code == 0, second.output
    assert "0 new pages" in second.output and "(1 unchanged)" in second.output
    feed_requests = site.hits("/feed.xml")
    assert len(feed_requests) == 2
    assert feed_requests[1].get("If-None-Match") == '"feed-1"'
    assert feed_requests[1].get("If-Modified-Since") == modified
    assert site.answers.count(("/feed.xml", 304)) == 1
    assert sorted(site.page_hits()) == sorted(paths)  # each page fetched once, ever
    assert documents(db) == 3
    assert scalar(db, "SELECT count(*) FROM fetches WHERE kind = 'page'") == 3


# -- faults -------------------------------------------------------------------------------


def test_error_statuses_retry_after_and_what_is_tried_again(
    site: Site, db: str, pipeline: Any
) -> None:
    good = serve_articles(site, [0])
    site.routes["/articles/gone404"] = static(b"missing", status=404)
    site.routes["/articles/gone410"] = static(b"gone", status=410)
    site.routes["/articles/broken500"] = static(b"oops", status=500)
    site.routes["/articles/later503"] = static(b"busy", status=503, headers={"Retry-After": "3600"})
    busy_answers = iter([503])

    def busy(h: BaseHTTPRequestHandler) -> None:
        if next(busy_answers, 200) == 503:
            respond(h, b"busy", status=503, headers={"Retry-After": "1"})
        else:
            respond(h, article(1))

    site.routes["/articles/busy503"] = busy
    faulty = ["gone404", "gone410", "broken500", "later503", "busy503"]
    links = [site.url(p) for p in good] + [site.url(f"/articles/{p}") for p in faulty]
    site.routes["/feed.xml"] = static(rss(links), FEED_TYPE)

    summary = watch([site.url("/feed.xml")], db, pipeline)
    assert kinds(summary) == {
        "/articles/gone404": "http 404",
        "/articles/gone410": "http 410",
        "/articles/broken500": "http 500",
        "/articles/later503": "http 503",
    }
    assert all(e.address.startswith(site.base) for e in summary.errors)
    assert summary.documents_stored == 2  # the good page and the one that was busy once
    busy_times = site.times("/articles/busy503")
    assert len(busy_times) == 2 and busy_times[1] - busy_times[0] >= 0.9  # Retry-After: 1
    assert len(site.hits("/articles/broken500")) == 1 + FAST.retries  # bounded, with backoff
    assert len(site.hits("/articles/later503")) == 1  # an hour's wait: left for next round

    summary = watch([site.url("/feed.xml")], db, pipeline)
    # Gone pages are settled; failed ones are tried again; stored ones are left alone.
    assert len(site.hits("/articles/gone404")) == len(site.hits("/articles/gone410")) == 1
    assert len(site.hits("/articles/broken500")) == 2 * (1 + FAST.retries)
    assert len(site.hits("/articles/later503")) == 2
    assert len(site.hits("/articles/busy503")) == 2 and len(site.hits(good[0])) == 1
    assert documents(db) == 2


def test_a_silent_server_and_a_trickling_one_time_out(site: Site, db: str, pipeline: Any) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel, never answered
    silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"

    def trickle(h: BaseHTTPRequestHandler) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n<rss>"
        with contextlib.suppress(OSError):
            for byte in answer[:20]:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(1.0)  # a byte a second: never silent long enough for a read timeout
        h.close_connection = True

    site.routes["/slow.xml"] = trickle
    good = serve_articles(site, [2])
    site.routes["/feed.xml"] = static(rss([site.url(p) for p in good]), FEED_TYPE)
    started = time.monotonic()
    try:
        summary = watch([silent_url, site.url("/slow.xml"), site.url("/feed.xml")], db, pipeline)
    finally:
        silent.close()
    assert time.monotonic() - started < 15
    assert {e.address: e.kind for e in summary.errors} == {
        silent_url: "timeout",
        site.url("/slow.xml"): "timeout",
    }
    assert summary.documents_stored == 1 and documents(db) == 1


def test_broken_feeds_never_stop_a_round(site: Site, db: str, pipeline: Any) -> None:
    pages = serve_articles(site, [0, 1, 2, 3])
    whole = rss([site.url(pages[0]), site.url(pages[1])])
    site.routes["/truncated.xml"] = static(whole[: whole.index(b"</item>") + 30], FEED_TYPE)
    site.routes["/malformed.xml"] = static(
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>'
        + site.url(pages[2]).encode()
        + b"</link></item><item><title>sans fin</titl></channel>",
        FEED_TYPE,
    )
    site.routes["/garbage.xml"] = static(b"\x00\x01{not xml at all}\xff" * 20, FEED_TYPE)
    site.routes["/page.html"] = static(article(4), "text/html; charset=utf-8")
    # Latin-1 bytes under a UTF-8 label, with an accented address.
    site.routes["/articles/d%C3%A9p%C3%AAche"] = static(article(5))
    site.routes["/latin1.xml"] = static(
        rss([site.url("/articles/dépêche")], declared="utf-8", encoding="latin-1"),
        "application/rss+xml; charset=utf-8",
    )
    site.routes["/feed.xml"] = static(rss([site.url(pages[3])]), FEED_TYPE)
    feeds = ["truncated", "malformed", "garbage", "page.html", "latin1", "feed"]
    sources = [site.url(f"/{f}" if "." in f else f"/{f}.xml") for f in feeds]

    summary = watch(sources, db, pipeline)
    errors = kinds(summary)
    assert errors["/page.html"] == "not a feed"
    assert errors["/garbage.xml"] == "malformed feed"
    assert errors["/truncated.xml"] == "malformed feed"
    assert errors["/malformed.xml"] == "malformed feed"
    assert "/latin1.xml" not in errors and "/feed.xml" not in errors
    assert len(site.hits("/articles/d%C3%A9p%C3%AAche")) == 1  # the address read right
    # What the broken feeds still said clearly is followed: their complete items.
    assert len(site.hits(pages[0])) == 1 and len(site.hits(pages[3])) == 1
    with Store(db, read_only=True) as store:
        rows = store.connection.execute("SELECT url FROM documents").fetchall()
    stored = {url for (url,) in rows}
    assert site.url("/articles/d%C3%A9p%C3%AAche") in stored and site.url(pages[3]) in stored


def test_a_huge_answer_is_cut_short(site: Site, db: str, pipeline: Any) -> None:
    size = 200 * 1024 * 1024

    def huge(declare: bool) -> Handler:
        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            if declare:
                h.send_header("Content-Length", str(size))
            else:
                h.send_header("Connection", "close")  # the body ends when the server closes
            h.end_headers()
            chunk, sent = b"<p>x</p>" * 8192, 0
            with contextlib.suppress(OSError):
                while sent < size:  # made as it goes: 200 MB never held in memory
                    h.wfile.write(chunk)
                    sent += len(chunk)
            site.sent[h.path] = sent
            h.close_connection = True

        return handle

    site.routes["/articles/streamed"] = huge(declare=False)
    site.routes["/articles/declared"] = huge(declare=True)
    site.routes["/huge.xml"] = huge(declare=False)
    links = [site.url("/articles/streamed"), site.url("/articles/declared")]
    site.routes["/feed.xml"] = static(rss(links), FEED_TYPE)
    started = time.monotonic()
    summary = watch([site.url("/feed.xml"), site.url("/huge.xml")], db, pipeline)
    assert time.monotonic() - started < 10
    assert kinds(summary) == {
        "/articles/streamed": "too large",
        "/articles/declared": "too large",
        "/huge.xml": "too large",
    }
    time.sleep(0.5)  # the server threads notice the closed connections
    assert 0 < site.sent.get("/articles/streamed", 0) < 64 * 1024 * 1024
    assert documents(db) == 0


def test_redirect_loops_stop_and_good_redirects_are_followed(
    site: Site, db: str, pipeline: Any
) -> None:
    def redirect(to: str) -> Handler:
        return static(b"", status=302, headers={"Location": to})

    site.routes["/loop-a.xml"] = redirect("/loop-b.xml")
    site.routes["/loop-b.xml"] = redirect("/loop-a.xml")
    site.routes["/articles/loop"] = redirect("/articles/loop")
    site.routes["/articles/moved"] = redirect("/articles/3")
    serve_articles(site, [3])
    links = [site.url("/articles/loop"), site.url("/articles/moved")]
    site.routes["/feed.xml"] = static(rss(links), FEED_TYPE)

    summary = watch([site.url("/loop-a.xml"), site.url("/feed.xml")], db, pipeline)
    assert kinds(summary) == {"/loop-a.xml": "redirects", "/articles/loop": "redirects"}
    assert len(site.hits("/articles/loop")) == 1 + FAST.max_redirects
    final = scalar(db, "SELECT final_url FROM fetches WHERE url = ?", [site.url("/articles/moved")])
    assert final == site.url("/articles/3")
    assert documents(db) == 1


def test_one_article_is_stored_once_under_many_addresses(
    site: Site, db: str, pipeline: Any
) -> None:
    serve_articles(site, [0])
    a = site.url("/articles/0")
    # Another address of the same article, whose page furniture differs: its canonical link
    # says what it is.
    site.routes["/story"] = static(article(0, canonical=a, furniture="Menu principal"))
    site.routes["/one.xml"] = static(
        rss([a + "?utm_source=rss&utm_medium=feed", site.url("/story?id=7&fbclid=xyz")]),
        FEED_TYPE,
    )
    site.routes["/two.xml"] = static(
        rss([a + "/amp", a + "?fbclid=abc#top", a.replace("127.0.0.1", "127.0.0.1") + "?gclid=1"]),
        FEED_TYPE,
    )
    summary = watch([site.url("/one.xml"), site.url("/two.xml")], db, pipeline)
    assert not summary.errors
    assert summary.pages_listed == 2  # /articles/0 and /story?id=7
    assert len(site.hits("/articles/0")) == 1 and not site.hits("/articles/0/amp")
    assert documents(db) == 1
    assert summary.documents_stored == 1 and summary.duplicates == 1

    again = watch([site.url("/one.xml"), site.url("/two.xml")], db, pipeline)
    assert again.new_pages == 0 and len(site.hits("/story?id=7")) == 1


def news_sitemap(urls: list[str]) -> bytes:
    entries = "".join(
        f"<url><loc>{escape(url)}</loc><news:news><news:publication><news:name>Essai</news:name>"
        "<news:language>fr</news:language></news:publication>"
        "<news:publication_date>2025-03-24T08:00:00+00:00</news:publication_date>"
        "<news:title>Titre</news:title></news:news></url>"
        for url in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>"
    ).encode()


def test_news_sitemaps_and_sitemap_indexes(site: Site, db: str, pipeline: Any) -> None:
    paths = serve_articles(site, [6, 7])
    site.routes["/sitemap-news.xml"] = static(news_sitemap([site.url(paths[0])]), "text/xml")
    site.routes["/sitemap-2.xml.gz"] = static(
        gzip.compress(news_sitemap([site.url(paths[1])])), "application/gzip"
    )
    children = ["/sitemap-news.xml", "/sitemap-2.xml.gz", "/sitemap-missing.xml"]
    index = "".join(f"<sitemap><loc>{site.url(c)}</loc></sitemap>" for c in children)
    site.routes["/sitemap.xml"] = static(
        b'<?xml version="1.0" encoding="UTF-8"?><sitemapindex'
        b' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + index.encode()
        + b"</sitemapindex>",
        "application/xml",
    )
    summary = watch([site.url("/sitemap.xml")], db, pipeline)
    assert kinds(summary) == {"/sitemap-missing.xml": "http 404"}
    assert summary.documents_stored == 2 and documents(db) == 2
    assert scalar(db, "SELECT count(*) FROM fetches WHERE kind = 'feed' AND status = 200") == 3


def test_robots_txt_is_obeyed(db: str, pipeline: Any) -> None:
    with serving() as site:
        site.routes["/robots.txt"] = static(
            b"User-agent: *\nDisallow: /private/\n", "text/plain; charset=utf-8"
        )
        site.routes["/private/secret"] = static(article(1))
        site.routes["/private/feed.xml"] = static(rss([site.url("/articles/0")]), FEED_TYPE)
        serve_articles(site, [0, 2])
        links = [site.url("/private/secret"), site.url("/articles/2")]
        site.routes["/feed.xml"] = static(rss(links), FEED_TYPE)
        summary = watch([site.url("/feed.xml"), site.url("/private/feed.xml")], db, pipeline)
    assert kinds(summary) == {"/private/secret": "robots.txt", "/private/feed.xml": "robots.txt"}
    assert not site.hits("/private/secret") and not site.hits("/private/feed.xml")
    assert len(site.hits("/robots.txt")) == 1  # once per host and round
    assert documents(db) == 1 and site.hits("/articles/2") and not site.hits("/articles/0")


def test_the_watch_killed_mid_run_loses_nothing_and_stores_nothing_twice(
    site: Site, db: str, pipeline: Any
) -> None:
    numbers = list(range(8))
    paths = serve_articles(site, numbers)
    # The first two pages are answered at once, the others only once the watch is killed:
    # on a loaded machine a fixed delay let the watch store all eight before the kill.
    released = threading.Event()
    answered = itertools.count()
    for path in paths:
        site.routes[path] = held_after(2, answered, released, site.routes[path])
    site.routes["/feed.xml"] = static(rss([site.url(p) for p in paths]), FEED_TYPE, etag='"f"')
    command = [str(Path(sys.executable).parent / "veille"), "watch", site.url("/feed.xml")]
    process = subprocess.Popen(
        [*command, "--once", "--db", db, "--delay", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        stored = 0
        while stored < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if Path(db).exists():
                with contextlib.suppress(Exception):
                    stored = documents(db)
        assert process.poll() is None, "the watch ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        released.set()
    before = documents(db)
    assert before == 2

    summary = watch([site.url("/feed.xml")], db, pipeline)  # restarted (304: the kept copy)
    assert not summary.errors
    assert summary.new_pages == len(numbers) - before
    assert documents(db) == len(numbers)
    per_page = scalar(
        db,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM fetches"
        " WHERE kind = 'page' AND status = 200 GROUP BY url) counts",
    )
    assert per_page == 1
    assert scalar(db, "SELECT count(*) FROM fetches WHERE kind = 'page'") == len(numbers)


def test_the_api_keeps_answering_during_a_watch(site: Site, db: str, pipeline: Any) -> None:
    from fastapi.testclient import TestClient

    from veille.api import create_app

    paths = serve_articles(site, [0, 1, 2, 3, 4], delay=0.3)
    site.routes["/feed.xml"] = static(rss([site.url(p) for p in paths]), FEED_TYPE)
    Store(db).close()
    client = TestClient(create_app(db))
    result: list[WatchSummary] = []
    watching = threading.Thread(
        target=lambda: result.append(watch([site.url("/feed.xml")], db, pipeline))
    )
    watching.start()
    statuses = []
    while watching.is_alive():
        statuses.append(client.get("/api/events", params={"limit": 5}).status_code)
        time.sleep(0.05)
    watching.join()
    assert len(statuses) >= 5 and set(statuses) == {200}
    assert result and result[0].documents_stored == 5


# -- recode -------------------------------------------------------------------------------


def test_recode_reports_what_a_trigger_change_adds(
    site: Site, db: str, pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veille.pipeline import recode

    paths = serve_articles(site, [4, 6, 0])
    site.routes["/feed.xml"] = static(rss([site.url(p) for p in paths]), FEED_TYPE)
    real_code = pipeline.coder.code
    with monkeypatch.context() as patched:
        # The coder before the change: it knew no trigger of AID.
        patched.setattr(
            pipeline.coder,
            "code",
            lambda *args, **kw: [e for e in real_code(*args, **kw) if e.event != "AID"],
        )
        summary = watch([site.url("/feed.xml")], db, pipeline)
    assert summary.documents_stored == 3
    assert scalar(db, "SELECT count(*) FROM events WHERE event = 'AID'") == 0
    events_before = scalar(db, "SELECT count(*) FROM events")
    hits = len(site.page_hits())

    result = recode(db, pipeline=pipeline)
    assert result.documents == 3 and result.documents_changed >= 2
    assert result.added["AID"] >= 2 and set(result.added) == {"AID"}
    assert not result.removed and not result.errors
    aid = scalar(db, "SELECT count(*) FROM events WHERE event = 'AID'")
    assert aid == result.added["AID"]
    assert scalar(db, "SELECT count(*) FROM events") == events_before + aid
    assert documents(db) == 3 and len(site.page_hits()) == hits  # read from the kept pages

    monkeypatch.setattr("veille.pipeline.Pipeline", lambda: pipeline)
    unchanged = runner.invoke(app, ["recode", "--db", db, "--source", "127.0.0.1"])
    assert unchanged.exit_code == 0, unchanged.output
    assert "3 documents read again, 0 changed" in unchanged.output
    elsewhere = runner.invoke(app, ["recode", "--db", db, "--source", "example.org"])
    assert "0 documents read again" in elsewhere.output
    later = runner.invoke(app, ["recode", "--db", db, "--since", "2999-01-01"])
    assert "0 documents read again" in later.output


def test_watch_and_recode_on_both_backends(site: Site, store_db: str, pipeline: Any) -> None:
    from veille.pipeline import recode

    paths = serve_articles(site, [1, 5])
    site.routes["/feed.xml"] = static(rss([site.url(p) for p in paths]), FEED_TYPE, etag='"x"')
    first = watch([site.url("/feed.xml")], store_db, pipeline)
    assert first.documents_stored == 2 and not first.errors
    second = watch([site.url("/feed.xml")], store_db, pipeline)
    assert second.sources_unchanged == 1 and second.new_pages == 0
    assert len(site.page_hits()) == 2
    result = recode(store_db, pipeline=pipeline)
    assert result.documents == 2 and result.documents_changed == 0 and not result.errors
    with Store(store_db, read_only=True) as store:
        assert store.stats()["documents"] == 2
        kept = store.last_fetch(site.url(paths[0]), "page")
        assert kept is not None and store.raw_page(kept.sha256 or "") == article(1)


# -- small parts --------------------------------------------------------------------------


def test_addresses_lose_tracking_amp_and_mobile_forms() -> None:
    same = "https://example.org/politique/article-123"
    for variant in (
        "https://example.org/politique/article-123?utm_source=rss&utm_campaign=x",
        "https://EXAMPLE.org/politique/article-123#comments",
        "https://m.example.org/politique/article-123?fbclid=abc",
        "https://amp.example.org/politique/article-123",
        "https://example.org/politique/article-123/amp/",
        "https://example.org/amp/politique/article-123",
        "https://example.org:443/politique/article-123?gclid=1&xtor=RSS-3",
        "https://example.org/politique/article-123?amp=1",
    ):
        assert normalise_address(variant) == same, variant
    assert normalise_address("https://example.org/a.amp.html") == "https://example.org/a.html"
    assert normalise_address("https://example.org/p?id=7&utm_medium=x") == (
        "https://example.org/p?id=7"
    )
    assert normalise_address("/b", base="https://example.org/a/") == "https://example.org/b"
    assert normalise_address("https://example.org/dépêche") == (
        "https://example.org/d%C3%A9p%C3%AAche"
    )
    for bad in ("ftp://example.org/x", "javascript:alert(1)", "http://", "http://x:port/"):
        assert normalise_address(bad) is None, bad
    page = b'<head><link href="/articles/1?utm_source=x" rel="canonical"></head>'
    assert canonical_address(page, "https://example.org/story?id=1") == (
        "https://example.org/articles/1"
    )


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("120") == 120.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: at once


def test_sources_files_and_their_errors(tmp_path: Path) -> None:
    listed = load_sources(ROOT / "examples" / "sources.yaml")
    assert len(listed) >= 18
    assert {s.language for s in listed} >= {"fr", "es", "en"}
    assert all(s.url.startswith("https://") and s.name for s in listed)
    assert sources_of(["https://example.org/feed?utm_source=x"]) == [
        Source("https://example.org/feed")
    ]
    bad = tmp_path / "bad.yaml"
    for text, message in (
        ("sources: [", "not a YAML file"),
        ("feeds: []", "expected a list under 'sources:'"),
        ("sources:\n  - name: x\n", "source 1 has no 'url'"),
        ("sources:\n  - url: ftp://x/feed\n", "is not a web address"),
    ):
        bad.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["watch", str(bad), "--db", str(tmp_path / "x.duckdb")])
        assert result.exit_code == 2 and message in result.output, result.output
        assert str(bad) in result.output
    assert not (tmp_path / "x.duckdb").exists()
    missing = runner.invoke(app, ["watch", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    both = runner.invoke(app, ["watch", "https://example.org/f", "--once", "--every", "5m"])
    assert both.exit_code == 2
    never = runner.invoke(app, ["watch", "https://example.org/f", "--every", "soon"])
    assert never.exit_code == 2 and "not a duration" in never.output
