"""Watching sources: RSS and Atom feeds and news sitemaps, followed over HTTP.

A round (``Watcher.run_once``) reads every source, finds the pages it lists that are not
stored yet, fetches each once, and hands it to the coder and the store: the page as fetched
(``Fetch``) with its document, actors and events, in one transaction per page. So a round
that is killed loses at most the pages in flight, which the next round fetches again, and
never stores anything twice.

``Fetcher`` is the polite HTTP client: robots.txt, one request at a time and a delay per
host, conditional GET (ETag, Last-Modified), a time limit for a whole response (also for a
server that trickles), bounded retries that honour Retry-After, a size cap and bounded
redirects. One bad source or page never stops a round: each failure is a ``WatchError``
that names its address.

    from veille.watch import Watcher
    summary = Watcher(["https://example.org/feed.xml"], db="veille.duckdb").run_once()
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import feedparser
import httpx
import yaml
from lxml import etree
from protego import Protego

from veille import __version__
from veille.ingest import IngestError, decode, html_document, printable_path
from veille.model import Document, DocumentResult, Fetch, StoredFetch
from veille.store import Store, StoreError, ingest_lock

if TYPE_CHECKING:
    from veille.coding import Pipeline

log = logging.getLogger("veille.watch")
T = TypeVar("T")

#: Sent with every request; a service should add a contact (``veille watch --user-agent``).
USER_AGENT = f"Veille/{__version__} (news watch)"
#: Seconds a write may wait for readers of a DuckDB file (``veille serve`` requests).
WRITE_WAIT_SECONDS = 120.0
#: Statuses worth asking again after a pause: the server is busy or briefly broken.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: A page that answered these is settled: it is not asked for again.
GONE_STATUSES = frozenset({404, 410})
#: feedparser's complaints that are no fault of the feed's items (a wrong charset label).
HARMLESS_FEED_FAULTS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """How politely and how patiently the watch fetches; the defaults suit public outlets."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two bytes
    total_timeout: float = 60.0  # for a whole response, however it trickles
    max_bytes: int = 10 * 1024 * 1024  # a response (after decompression) larger is refused
    max_redirects: int = 5
    retries: int = 2  # further attempts after a busy or broken answer (429, 5xx, no connection)
    backoff: float = 2.0  # seconds before the first retry, doubling; Retry-After wins
    max_retry_after: float = 120.0  # a longer Retry-After gives up until the next round
    host_delay: float = 1.0  # seconds between two requests to one host (robots' Crawl-delay wins)
    host_concurrency: int = 1
    concurrency: int = 8  # requests in flight, all hosts together
    max_items: int = 500  # pages taken from one feed or sitemap
    max_sitemaps: int = 10  # child sitemaps followed from a sitemap index


@dataclass(frozen=True, slots=True)
class Source:
    """A feed or sitemap to follow, with the language its pages are written in (a hint)."""

    url: str
    name: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class WatchError:
    address: str
    kind: str  # "http 404", "timeout", "too large", "robots.txt", "malformed feed", ...
    detail: str

    def __str__(self) -> str:
        return f"{printable_path(self.address)}: {self.kind} ({self.detail})"


@dataclass(slots=True)
class WatchSummary:
    """What one round did; ``str()`` is the one line the command prints."""

    sources: int = 0
    sources_unchanged: int = 0  # answered 304 Not Modified
    sources_failed: int = 0  # could not be read at all
    pages_listed: int = 0  # distinct addresses in all the sources
    new_pages: int = 0  # fetched this round and kept
    documents_stored: int = 0
    duplicates: int = 0  # a page whose article was already stored under another address
    events_stored: int = 0
    errors: list[WatchError] = field(default_factory=list)

    def errors_by_kind(self) -> dict[str, int]:
        return dict(Counter(error.kind for error in self.errors).most_common())

    def __str__(self) -> str:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in self.errors_by_kind().items())
        return (
            f"{self.sources} sources ({self.sources_unchanged} unchanged), "
            f"{self.pages_listed} pages listed, {self.new_pages} new pages, "
            f"{self.documents_stored} documents stored ({self.duplicates} duplicates), "
            f"{self.events_stored} events; {len(self.errors)} errors"
            + (f" ({kinds})" if kinds else "")
        )


class SourcesError(Exception):
    """A sources file that cannot be used; ``str()`` is one line naming it."""


# -- sources ------------------------------------------------------------------------------


def load_sources(path: str | Path) -> list[Source]:
    """The sources of a YAML file: ``sources: [{url, name, language}, ...]``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SourcesError(f"{path}: cannot read ({error.strerror or error})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0]
        raise SourcesError(f"{path}: not a YAML file ({reason})") from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: expected a list under 'sources:'")
    sources = []
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise SourcesError(f"{path}: source {position} has no 'url'")
        url = normalise_address(entry["url"])
        if url is None:
            raise SourcesError(f"{path}: source {position}: {entry['url']!r} is not a web address")
        language = entry.get("language")
        name = entry.get("name")
        sources.append(
            Source(url, str(name) if name else None, str(language) if language else None)
        )
    return sources


def sources_of(arguments: Iterable[str]) -> list[Source]:
    """Sources from the command line: YAML files and feed or sitemap addresses, mixed."""
    sources: list[Source] = []
    for argument in arguments:
        if argument.startswith(("http://", "https://")):
            url = normalise_address(argument)
            if url is None:
                raise SourcesError(f"{argument}: not a web address")
            sources.append(Source(url))
        else:
            sources.extend(load_sources(argument))
    return list({source.url: source for source in sources}.values())


# -- addresses: one article, one address --------------------------------------------------

#: Query parameters that only say who sent the reader (campaign and click trackers).
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "xtor",  # AT Internet, on many French outlets
        "ocid",
        "cmpid",
        "_ga",
        "_gl",
        "amp",  # ?amp or ?amp=1: the AMP copy of the same page
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "ns_")
#: Host prefixes of mobile and AMP copies of a site.
COPY_HOST_PREFIXES = ("amp.", "m.", "mobile.")
_AMP_SUFFIX = re.compile(r"(?:/amp/?|\.amp)$")
_AMP_HTML = re.compile(r"\.amp\.html?$")
_AMP_PREFIX = re.compile(r"^/amp(?=/)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Characters left as they are in a path; others (accents) are percent-encoded as UTF-8.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def normalise_address(address: str, base: str | None = None) -> str | None:
    """The address under which a page is known: tracking parameters, the fragment, AMP and
    mobile forms removed, host in lower case; ``None`` if it is not an http(s) address."""
    try:
        parts = urlsplit(urljoin(base, address.strip()) if base else address.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 host
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    for prefix in COPY_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host.removeprefix(prefix)
            break
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _AMP_HTML.sub(".html", parts.path)
    path = _AMP_PREFIX.sub("", _AMP_SUFFIX.sub("", path)) or "/"
    query = "&".join(
        piece
        for piece in parts.query.split("&")
        if piece and not _is_tracking(piece.split("=", 1)[0], piece.partition("=")[2])
    )
    return urlunsplit((scheme, netloc, quote(path, safe=_PATH_SAFE), query, ""))


def _is_tracking(key: str, value: str) -> bool:
    key = key.lower()
    if key == "outputtype":  # ?outputType=amp
        return value.lower() == "amp"
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def host_of(address: str) -> str:
    return urlsplit(address).netloc


_CANONICAL = re.compile(
    rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.IGNORECASE | re.DOTALL
)
_HREF = re.compile(rb"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def canonical_address(body: bytes, address: str) -> str | None:
    """The address a page names as its own (``<link rel="canonical">``), normalised."""
    head = body[:262144]  # the link belongs in <head>: no need to scan a whole page
    tag = _CANONICAL.search(head)
    href = _HREF.search(tag[0]) if tag else None
    if href is None:
        return None
    value = next(group for group in href.groups() if group is not None)
    return normalise_address(value.decode("utf-8", "replace"), base=address)


# -- fetching -----------------------------------------------------------------------------


class FetchFailure(Exception):
    """No usable answer from an address: ``kind`` as in ``WatchError``."""

    def __init__(self, kind: str, detail: str, retryable: bool = False) -> None:
        super().__init__(f"{kind} ({detail})")
        self.kind = kind
        self.detail = detail
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # as requested
    final_url: str
    status: int
    reason: str
    headers: dict[str, str]  # the headers that matter, lower-case names
    body: bytes
    fetched_at: datetime

    def as_fetch(self, kind: str, source: str | None, keep_body: bool) -> Fetch:
        return Fetch(
            url=self.url,
            kind=kind,  # type: ignore[arg-type]
            status=self.status,
            fetched_at=self.fetched_at,
            final_url=self.final_url,
            etag=self.headers.get("etag"),
            last_modified=self.headers.get("last-modified"),
            content_type=self.headers.get("content-type"),
            body=self.body if keep_body else None,
            source=source,
        )


KEPT_HEADERS = ("etag", "last-modified", "content-type", "retry-after")


@dataclass(slots=True)
class _Host:
    """What the fetcher knows of one host during a round."""

    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0  # loop time before which no new request starts
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_read: bool = False
    robots: Protego | None = None  # None: everything allowed
    failure: FetchFailure | None = None  # the host did not answer: its addresses fail alike


class Fetcher:
    """An HTTP client for a round; use as ``async with Fetcher(settings) as fetcher``."""

    def __init__(self, settings: WatchSettings = WatchSettings()) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            headers={"User-Agent": settings.user_agent},
            limits=httpx.Limits(max_connections=settings.concurrency),
        )
        self._hosts: dict[str, _Host] = {}
        self._in_flight = asyncio.Semaphore(settings.concurrency)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def get(self, url: str, previous: StoredFetch | None = None) -> Response:
        """The answer of ``url``, any status; conditional on ``previous``'s validators.

        Raises ``FetchFailure`` when robots.txt forbids it or no complete answer came.
        """
        host = self._host(url)
        await self._check_robots(host, url)
        headers = {}
        if previous is not None and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous is not None and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        return await self._get_with_retries(host, url, headers)

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        if key not in self._hosts:
            self._hosts[key] = _Host(
                asyncio.Semaphore(self.settings.host_concurrency), self.settings.host_delay
            )
        return self._hosts[key]

    async def _check_robots(self, host: _Host, url: str) -> None:
        async with host.robots_lock:  # read once per host and round
            if not host.robots_read:
                await self._read_robots(host, url)
                host.robots_read = True
        if host.failure is not None:
            raise host.failure
        if host.robots is not None and not host.robots.can_fetch(url, self.settings.user_agent):
            raise FetchFailure("robots.txt", "disallowed by the site's robots.txt")

    async def _read_robots(self, host: _Host, url: str) -> None:
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            response = await self._get_with_retries(host, robots_url, {})
        except FetchFailure as failure:
            if failure.kind in ("timeout", "connection"):
                host.failure = failure  # the host is down: no need to time out on each page
            return  # an unreadable robots.txt (too large, redirect loop) forbids nothing
        if response.status == 200:
            host.robots = Protego.parse(response.body.decode("utf-8", "replace"))
            delay = host.robots.crawl_delay(self.settings.user_agent)
            if delay:
                host.delay = max(host.delay, min(float(delay), 60.0))
        elif response.status >= 500:
            # RFC 9309: a server error on robots.txt means the whole site is off limits.
            host.robots = Protego.parse("User-agent: *\nDisallow: /")
            host.failure = FetchFailure(
                "robots.txt", f"robots.txt answered {response.status}: site left alone"
            )
        # 4xx: no robots.txt, everything allowed (RFC 9309)

    async def _get_with_retries(self, host: _Host, url: str, headers: dict[str, str]) -> Response:
        settings = self.settings
        for attempt in range(settings.retries + 1):
            last = attempt == settings.retries
            try:
                async with host.slots, self._in_flight:
                    await self._wait_turn(host)
                    response = await self._get_once(url, headers)
            except FetchFailure as failure:
                if last or not failure.retryable:
                    raise
                await asyncio.sleep(settings.backoff * 2**attempt)
                continue
            if response.status not in RETRY_STATUSES or last:
                return response
            delay = retry_after(response.headers.get("retry-after"))
            if delay is None:
                delay = settings.backoff * 2**attempt
            elif delay > settings.max_retry_after:
                return response  # asked to come back much later: next round
            log.info("%s: %d, retrying in %.1f s", url, response.status, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _wait_turn(self, host: _Host) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        wait = host.next_start - now
        host.next_start = max(now, host.next_start) + host.delay
        if wait > 0:
            await asyncio.sleep(wait)

    async def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        settings = self.settings
        try:
            # asyncio.timeout bounds the whole answer: httpx's timeouts are per read, which a
            # server sending a byte a second never exceeds.
            async with (
                asyncio.timeout(settings.total_timeout),
                self._client.stream("GET", url, headers=headers) as response,
            ):
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > settings.max_bytes:
                    raise FetchFailure(
                        "too large", f"{declared} bytes announced, limit {settings.max_bytes}"
                    )
                body = bytearray()
                async for chunk in response.aiter_bytes():  # decompressed: no gzip bombs
                    body += chunk
                    if len(body) > settings.max_bytes:
                        raise FetchFailure("too large", f"over {settings.max_bytes} bytes")
                return Response(
                    url=url,
                    final_url=str(response.url),
                    status=response.status_code,
                    reason=response.reason_phrase,
                    headers={k: response.headers[k] for k in KEPT_HEADERS if k in response.headers},
                    body=bytes(body),
                    fetched_at=datetime.now(UTC).replace(tzinfo=None),
                )
        except TimeoutError:
            raise FetchFailure(
                "timeout", f"no complete answer in {settings.total_timeout:g} s"
            ) from None
        except httpx.TimeoutException as error:
            raise FetchFailure("timeout", _timeout_detail(error, settings)) from None
        except httpx.TooManyRedirects:
            raise FetchFailure(
                "redirects", f"more than {settings.max_redirects} redirects (a loop?)"
            ) from None
        except httpx.ConnectError as error:
            raise FetchFailure("connection", _first_line(error), retryable=True) from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            # A broken answer (protocol error, bad encoding) or address: not worth retrying.
            raise FetchFailure("broken answer", _first_line(error)) from None


def _timeout_detail(error: httpx.TimeoutException, settings: WatchSettings) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"no connection in {settings.connect_timeout:g} s"
    return f"silent for {settings.read_timeout:g} s"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# -- reading feeds and sitemaps -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """A page a source lists."""

    address: str  # normalised
    published: date | None
    source: Source


@dataclass(frozen=True, slots=True)
class Listing:
    links: list[tuple[str, date | None]]  # page addresses (normalised) and publication dates
    sitemaps: list[str]  # child sitemaps of a sitemap index
    fault: str | None = None  # a fault the parser worked around (the links are still good)


_SITEMAP_ROOT = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex)\b")


def parse_listing(body: bytes, content_type: str | None, address: str, limit: int) -> Listing:
    """The pages a feed (RSS, Atom) or a sitemap lists. ``FetchFailure`` if it is neither."""
    if body.startswith(b"\x1f\x8b"):  # a .xml.gz sitemap
        body = _gunzip(body, limit=10 * 1024 * 1024)
    root = _SITEMAP_ROOT.search(body[:4096])
    if root:
        return _parse_sitemap(body, address, root[1] == b"sitemapindex", limit)
    return _parse_feed(body, content_type, address, limit)


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit)
    except zlib.error as error:
        raise FetchFailure("malformed feed", f"broken gzip ({error})") from None
    if inflater.unconsumed_tail:
        raise FetchFailure("too large", f"over {limit} bytes once decompressed")
    return data


def _parse_sitemap(body: bytes, address: str, is_index: bool, limit: int) -> Listing:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as error:
        raise FetchFailure("malformed feed", f"broken sitemap XML ({error})") from None
    if root is None:
        raise FetchFailure("malformed feed", "broken sitemap XML")
    fault = f"XML error, read anyway: {parser.error_log[0].message}" if parser.error_log else None
    links: list[tuple[str, date | None]] = []
    for entry in root.iter("{*}sitemap" if is_index else "{*}url"):
        loc = entry.findtext("{*}loc")
        url = normalise_address(loc, base=address) if loc else None
        if url is None:
            continue
        published = entry.findtext(".//{*}publication_date") or entry.findtext("{*}lastmod")
        links.append((url, _iso_date(published)))
    if is_index:
        # The newest child sitemaps first when they say when they changed.
        links.sort(key=lambda link: link[1] or date.min, reverse=True)
        return Listing([], [url for url, _ in links], fault)
    return Listing(links[:limit], [], fault)


def _parse_feed(body: bytes, content_type: str | None, address: str, limit: int) -> Listing:
    headers = {"content-location": address}
    if content_type:
        headers["content-type"] = content_type
    # Bytes, never a string: given a string that looks like an address, feedparser fetches it.
    feed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    if not feed.version and not feed.entries:
        if (content_type or "").startswith("text/html") or b"<html" in body[:2048].lower():
            raise FetchFailure("not a feed", "an HTML page, not RSS, Atom or a sitemap")
        reason = _first_line(feed.bozo_exception) if feed.bozo else "no RSS, Atom or sitemap"
        raise FetchFailure("malformed feed", reason)
    fault = None
    if feed.bozo and not isinstance(feed.bozo_exception, HARMLESS_FEED_FAULTS):
        fault = f"{_first_line(feed.bozo_exception)}; {len(feed.entries)} items read anyway"
    links: list[tuple[str, date | None]] = []
    for entry in feed.entries[:limit]:
        link = entry.get("link") or next(
            (item.get("href") for item in entry.get("links", []) if item.get("href")), None
        )
        url = normalise_address(link, base=address) if isinstance(link, str) else None
        if url is not None:
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            links.append((url, date(*stamp[:3]) if stamp else None))
    return Listing(links, [], fault)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


# -- pages into documents -----------------------------------------------------------------

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


def page_document(
    body: bytes,
    content_type: str | None,
    address: str,
    published: date | None = None,
    language: str | None = None,
) -> Document:
    """A fetched page's main text as a ``Document`` (as ``veille ingest`` reads an .html file),
    known by its address; ``IngestError`` naming the address if it has no text to code."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in PAGE_TYPES:
        raise IngestError(address, f"not a web page ({media_type})")
    html = decode_page(body, content_type, address)
    if media_type == "text/plain":
        html = f"<html><body><pre>{html}</pre></body></html>"
    document = html_document(address, html, published)
    return replace(document, url=address, language=document.language or language)


def decode_page(body: bytes, content_type: str | None, address: str) -> str:
    """UTF-8 if the bytes are UTF-8 (whatever the label says: a label is often wrong), else
    the charset the server declared if it fits, else the detected one."""
    declared = _CHARSET.search(content_type or "")
    if declared and declared[1].lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return decode(body.decode(declared[1]).encode("utf-8"), address)
            except (LookupError, UnicodeDecodeError):
                pass  # an unknown or wrong label: let the detector decide
    return decode(body, address)


# -- the watch ----------------------------------------------------------------------------


class Watcher:
    """Follows sources and stores what they publish in ``db``, a round at a time.

    ``sources``: ``Source`` objects, feed or sitemap addresses, or YAML files of sources.
    ``pipeline``: loaded models to code with (default: loaded when a first new page needs
    them). ``on_error`` sees each failure
    as it happens, ``on_page`` each page kept (with its coded document, if it had text).
    A round holds the database's ingest lock and writes each page in its own transaction,
    so ``veille serve`` keeps answering in between.
    """

    def __init__(
        self,
        sources: Sequence[Source | str],
        db: str,
        settings: WatchSettings = WatchSettings(),
        pipeline: Pipeline | None = None,
        on_error: Callable[[WatchError], None] | None = None,
        on_page: Callable[[Fetch, DocumentResult | None], None] | None = None,
    ) -> None:
        self.sources = [
            source
            for given in sources
            for source in ([given] if isinstance(given, Source) else sources_of([given]))
        ]
        self.db = db
        self.settings = settings
        self.pipeline = pipeline
        self.on_error = on_error
        self.on_page = on_page

    def run_once(self) -> WatchSummary:
        """One round over every source; ``StoreError`` if the database cannot be used."""
        summary = WatchSummary(sources=len(self.sources))
        with ingest_lock(self.db), ThreadPoolExecutor(1, "veille-store") as worker:
            # Create or migrate the schema now: a database problem shows before any fetch.
            Store(self.db, wait=WRITE_WAIT_SECONDS).close()
            round_ = _Round(self, summary, worker)
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                asyncio.run(round_.run())
            else:  # called from a running event loop (a notebook): run beside it
                with ThreadPoolExecutor(1) as beside:
                    beside.submit(asyncio.run, round_.run()).result()
        return summary

    def run_every(
        self,
        seconds: float,
        on_round: Callable[[WatchSummary], None] | None = None,
        rounds: int | None = None,
    ) -> None:
        """A round every ``seconds`` (from the start of one to the next), forever or
        ``rounds`` times; the ingest lock is free between rounds. A round that cannot use
        the database (an ingest holds it, the server is down) is logged and skipped."""
        done = 0
        while rounds is None or done < rounds:
            started = time.monotonic()
            try:
                summary = self.run_once()
            except StoreError as error:
                log.error("round skipped: %s", error)
            else:
                if on_round:
                    on_round(summary)
            done += 1
            if rounds is None or done < rounds:
                time.sleep(max(0.0, seconds - (time.monotonic() - started)))

    def coder(self) -> Pipeline:
        if self.pipeline is None:
            from veille.coding import Pipeline

            self.pipeline = Pipeline()
        return self.pipeline


class _Round:
    """One round: network work in the event loop, coding and storage in one worker thread
    (spaCy and the database are used by one thread at a time; fetches go on meanwhile)."""

    def __init__(self, watcher: Watcher, summary: WatchSummary, worker: Executor) -> None:
        self.watcher = watcher
        self.settings = watcher.settings
        self.summary = summary
        self.worker = worker

    async def run(self) -> None:
        async with Fetcher(self.settings) as fetcher:
            listed = await asyncio.gather(
                *(self._read_source(fetcher, source) for source in self.watcher.sources)
            )
            # The same page in two sources (or twice in one) is fetched once.
            items = list({item.address: item for items in listed for item in items}.values())
            self.summary.pages_listed = len(items)
            known = await self._in_store(
                lambda store: store.known_pages([i.address for i in items])
            )
            await asyncio.gather(
                *(self._follow(fetcher, item) for item in items if item.address not in known)
            )

    def _error(self, address: str, kind: str, detail: str) -> None:
        error = WatchError(address, kind, detail)
        self.summary.errors.append(error)
        if self.watcher.on_error:
            log.info("%s", error)  # the handler reports it: one line per error
            self.watcher.on_error(error)
        else:
            log.warning("%s", error)

    async def _in_store(self, work: Callable[[Store], T]) -> T:
        """``work`` with the database open, in the worker thread."""

        def run() -> T:
            with Store(self.watcher.db, wait=WRITE_WAIT_SECONDS) as store:
                return work(store)

        return await asyncio.get_running_loop().run_in_executor(self.worker, run)

    async def _read_source(self, fetcher: Fetcher, source: Source) -> list[Item]:
        try:
            listing = await self._read_listing(fetcher, source, source.url, top=True)
        except FetchFailure as failure:
            self.summary.sources_failed += 1
            self._error(source.url, failure.kind, failure.detail)
            return []
        items = [Item(url, published, source) for url, published in listing.links]
        for child in listing.sitemaps[: self.settings.max_sitemaps]:
            try:
                child_listing = await self._read_listing(fetcher, source, child, top=False)
            except FetchFailure as failure:
                self._error(child, failure.kind, failure.detail)
                continue
            items += [Item(url, published, source) for url, published in child_listing.links]
        return items

    async def _read_listing(
        self, fetcher: Fetcher, source: Source, address: str, top: bool
    ) -> Listing:
        previous = await self._in_store(lambda store: store.last_fetch(address, "feed"))
        response = await fetcher.get(address, previous)
        fetch = response.as_fetch("feed", source.url, keep_body=response.status == 200)
        await self._in_store(lambda store: store.add_fetch(fetch))
        if response.status == 304 and previous is not None and previous.sha256:
            # Unchanged: its items are read again from the kept copy, so that pages a killed
            # round left unfetched are not forgotten.
            self.summary.sources_unchanged += top
            sha256 = previous.sha256
            body = await self._in_store(lambda store: store.raw_page(sha256))
            content_type = previous.content_type
        elif response.status == 200:
            body, content_type = response.body, response.headers.get("content-type")
        else:
            raise FetchFailure(f"http {response.status}", response.reason or "no reason given")
        if not body:
            raise FetchFailure("malformed feed", "empty answer")
        listing = parse_listing(body, content_type, response.final_url, self.settings.max_items)
        if listing.fault:
            self._error(address, "malformed feed", listing.fault)
        return listing

    async def _follow(self, fetcher: Fetcher, item: Item) -> None:
        try:
            response = await fetcher.get(item.address)
        except FetchFailure as failure:
            self._error(item.address, failure.kind, failure.detail)
            return
        if response.status != 200:
            fetch = response.as_fetch("page", item.source.url, keep_body=False)
            await self._in_store(lambda store: store.add_fetch(fetch))  # 404, 410: settled
            self._error(item.address, f"http {response.status}", response.reason or "no reason")
            return
        fetch = replace(
            response.as_fetch("page", item.source.url, keep_body=True),
            canonical_url=canonical_address(response.body, response.final_url),
        )
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.worker, self._keep, fetch, item)

    def _keep(self, fetch: Fetch, item: Item) -> None:
        """Code a fetched page and store it (worker thread). The database is open only to
        look and to write, not while coding, so readers get it in between."""
        db = self.watcher.db
        try:
            with Store(db, wait=WRITE_WAIT_SECONDS) as store:
                others = [a for a in (fetch.canonical_url,) if a and a != fetch.url]
                if store.known_pages([fetch.url, *others]):
                    # Its canonical address (or this one, as another's canonical) is stored.
                    store.add_fetch(fetch)
                    self.summary.duplicates += 1
                    self._kept(fetch, None)
                    return
            result = self._code(fetch, item)
            with Store(db, wait=WRITE_WAIT_SECONDS) as store:
                stored_before = result is not None and store.has_document(result.document.doc_id)
                store.add_fetch(fetch, result)
        except Exception as error:  # one page never stops a round
            self._error(fetch.url, "store", _first_line(error))
            return
        if result is not None and stored_before:
            self.summary.duplicates += 1  # the same text under another address
        elif result is not None:
            self.summary.documents_stored += 1
            self.summary.events_stored += len(result.events)
        self._kept(fetch, result)

    def _kept(self, fetch: Fetch, result: DocumentResult | None) -> None:
        self.summary.new_pages += 1
        log.info("%s: %s", fetch.url, f"{len(result.events)} events" if result else "kept")
        if self.watcher.on_page:
            self.watcher.on_page(fetch, result)

    def _code(self, fetch: Fetch, item: Item) -> DocumentResult | None:
        try:
            document = page_document(
                fetch.body or b"",
                fetch.content_type,
                fetch.url,
                item.published,
                item.source.language,
            )
        except IngestError as error:
            self._error(fetch.url, "no text", error.reason)
            return None
        return self.watcher.coder().process(document)


__all__ = [
    "Fetcher",
    "FetchFailure",
    "Item",
    "Listing",
    "Source",
    "SourcesError",
    "WatchError",
    "WatchSettings",
    "WatchSummary",
    "Watcher",
    "canonical_address",
    "decode_page",
    "load_sources",
    "normalise_address",
    "page_document",
    "parse_listing",
    "retry_after",
    "sources_of",
]
