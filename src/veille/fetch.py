"""Fetching for the watch (``veille.watch``): a polite HTTP client that survives bad servers.

``Fetcher`` reads robots.txt once per host and round and obeys it (``Crawl-delay`` too), makes
one request at a time per host with a delay between them, sends conditional GETs (ETag,
Last-Modified), bounds a whole answer in time (a server that trickles a byte a second is cut
off, which httpx's per-read timeouts alone never do), retries busy or broken answers a few
times with backoff honouring Retry-After, stops reading at a size cap and follows a bounded
number of redirects. Every way an address can fail is a ``FetchFailure`` with a short kind.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
from protego import Protego

from veille import __version__
from veille.model import Fetch, StoredFetch

log = logging.getLogger("veille.watch")

#: Sent with every request; a service should add a contact (``veille watch --user-agent``).
USER_AGENT = f"Veille/{__version__} (news watch)"
#: Statuses worth asking again after a pause: the server is busy or briefly broken.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


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

    def as_fetch(self, kind: Literal["feed", "page"], source: str | None, keep: bool) -> Fetch:
        """As the store keeps it; ``keep``: with the body (a 200's, not an error page's)."""
        return Fetch(
            url=self.url,
            kind=kind,
            status=self.status,
            fetched_at=self.fetched_at,
            final_url=self.final_url,
            etag=self.headers.get("etag"),
            last_modified=self.headers.get("last-modified"),
            content_type=self.headers.get("content-type"),
            body=self.body if keep else None,
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
            raise FetchFailure("connection", first_line(error), retryable=True) from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            # A broken answer (protocol error, bad encoding) or address: not worth retrying.
            raise FetchFailure("broken answer", first_line(error)) from None


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


def first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def host_of(address: str) -> str:
    return urlsplit(address).netloc
