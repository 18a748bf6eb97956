"""Watching sources: RSS and Atom feeds and news sitemaps, followed over HTTP.

A round (``Watcher.run_once``) reads every source, finds the pages it lists that are not
stored yet, fetches each once, and hands it to the coder and the store: the page as fetched
(``Fetch``) with its document, actors and events, in one transaction per page. So a round
that is killed loses at most the pages in flight, which the next round fetches again, and
never stores anything twice.

``veille.fetch`` is the polite HTTP client (robots.txt, per-host delay and concurrency,
conditional GET, timeouts, retries honouring Retry-After, size cap, bounded redirects);
``veille.feeds`` reads feeds, sitemaps and pages and gives each article one address. One
bad source or page never stops a round: each failure is a ``WatchError`` naming its address.

    from veille.watch import Watcher
    summary = Watcher(["https://example.org/feed.xml"], db="veille.duckdb").run_once()
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from veille.feeds import (
    Listing,
    Source,
    SourcesError,
    canonical_address,
    load_sources,
    normalise_address,
    page_document,
    parse_listing,
    sources_of,
)
from veille.fetch import USER_AGENT, Fetcher, FetchFailure, WatchSettings, first_line
from veille.ingest import IngestError, printable_path
from veille.model import DocumentResult, Fetch
from veille.store import WRITE_WAIT_SECONDS, Store, StoreError, ingest_lock

if TYPE_CHECKING:
    from veille.coding import Pipeline

log = logging.getLogger("veille.watch")
T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class Item:
    """A page a source lists."""

    address: str  # normalised
    published: date | None
    source: Source


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
        settings: WatchSettings | None = None,
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
        self.settings = settings or WatchSettings()
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
            # The same page in two sources (or twice in one) is fetched once, for the first.
            first: dict[str, Item] = {}
            for item in (item for items in listed for item in items):
                first.setdefault(item.address, item)
            self.summary.pages_listed = len(first)
            known = await self._in_store(lambda store: store.known_pages(list(first)))
            await asyncio.gather(
                *(
                    self._follow(fetcher, item)
                    for item in first.values()
                    if item.address not in known
                )
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
        fetch = response.as_fetch("feed", source.url, keep=response.status == 200)
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
            fetch = response.as_fetch("page", item.source.url, keep=False)
            await self._in_store(lambda store: store.add_fetch(fetch))  # 404, 410: settled
            self._error(item.address, f"http {response.status}", response.reason or "no reason")
            return
        fetch = replace(
            response.as_fetch("page", item.source.url, keep=True),
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
                if store.known_pages([fetch.url, *others], stored_only=True):
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
            self._error(fetch.url, "store", first_line(error))
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
    "USER_AGENT",
    "Fetcher",
    "Item",
    "Source",
    "SourcesError",
    "WatchError",
    "WatchSettings",
    "WatchSummary",
    "Watcher",
    "canonical_address",
    "load_sources",
    "normalise_address",
    "sources_of",
]
