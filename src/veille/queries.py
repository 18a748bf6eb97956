"""What the API's and the dashboard's list endpoints share: event filters, paging, and
the ``EventScope`` of events that the tallies (``veille.tallies``) count.

``veille.api`` (the JSON API) and ``veille.web`` (the dashboard) both build on this module,
and neither on the other's routes.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

from veille.backends import DuckDBBackend, backend_for, check_memory_limit
from veille.graph import actor_filter_key
from veille.model import Unit
from veille.search import PostingsCache
from veille.store import EventFilter, EventKey, Store, StoreError
from veille.tallies import EventScope

#: Counts and graph edges count stories (each real-world event once) unless asked for events.
CountUnit = Annotated[
    Unit, Query(description="Count stories (events merged across outlets) or raw events.")
]

MAX_PAGE = 500
DEFAULT_PAGE = 50
#: Offsets past this are refused (422) rather than passed to the database as huge integers.
MAX_OFFSET = 10_000_000


# -- shared query parameters ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventQuery:
    """The event filters every list endpoint accepts."""

    actor: str | None
    event_type: str | None
    context: str | None
    since: date | None
    until: date | None
    text: str | None
    min_confidence: float = 0.0

    def where(self, limit: int | None = None) -> EventFilter:
        # A country's name stands for its code, so "Maroc" also finds the DGST's events.
        return EventFilter(
            actor_filter_key(self.actor),
            self.event_type,
            self.since,
            self.until,
            limit,
            self.min_confidence,
        )

    def scope(self) -> EventScope:
        """The events these filters select, for the tallies (``veille.tallies``)."""
        return EventScope(self.where(), self.context, self.text)


def _iso_date_only(value: object) -> object:
    # Pydantic also reads "0.0" or "1e9" as a Unix time; the schema promises YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def brief_query(
    event_type: Annotated[
        str | None, Query(alias="type", max_length=50, description="PLOVER type, e.g. COOPERATE.")
    ] = None,
    context: Annotated[
        str | None, Query(max_length=50, description="PLOVER context, e.g. terrorism.")
    ] = None,
    since: Annotated[IsoDate | None, Query(description="Earliest date (YYYY-MM-DD).")] = None,
    until: Annotated[IsoDate | None, Query(description="Latest date (YYYY-MM-DD).")] = None,
    text: Annotated[
        str | None,
        Query(max_length=500, description="Substring of the evidence sentence (no case/accents)."),
    ] = None,
    min_confidence: Annotated[
        float,
        Query(
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="Only events whose confidence is at least this (0 to 1).",
        ),
    ] = 0.0,
) -> EventQuery:
    """The event filters of an actor brief: the actor is the path, not a filter."""
    return EventQuery(None, event_type, context, since, until, text, min_confidence)


def event_query(
    filters: Annotated[EventQuery, Depends(brief_query)],
    actor: Annotated[
        str | None, Query(max_length=200, description="Actor code (MAR) or canonical name.")
    ] = None,
) -> EventQuery:
    return replace(filters, actor=actor)


@dataclass(frozen=True, slots=True)
class PageQuery:
    limit: int
    offset: int


def page_query(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageQuery:
    return PageQuery(limit, offset)


Events = Annotated[EventQuery, Depends(event_query)]
BriefEvents = Annotated[EventQuery, Depends(brief_query)]
Page = Annotated[PageQuery, Depends(page_query)]


def page(total: int, paging: PageQuery, items: list[Any]) -> dict[str, Any]:
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": items}


def encode_cursor(key: EventKey) -> str:
    """An event's sort key as an opaque URL-safe cursor."""
    day = key.day.isoformat() if key.day else None
    text = json.dumps([day, key.doc_id, key.start, key.event_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> EventKey:
    """The sort key of a cursor from ``encode_cursor``; 422 if it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, doc_id, start, event_id = json.loads(base64.urlsafe_b64decode(padded))
        if not (isinstance(doc_id, str) and isinstance(event_id, str) and type(start) is int):
            raise ValueError("bad types")
        return EventKey(
            date.fromisoformat(day) if day is not None else None, doc_id, start, event_id
        )
    except (ValueError, TypeError) as error:  # binascii.Error and JSON errors are ValueErrors
        # Shaped like FastAPI's own validation errors, as the schema documents for 422.
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", "after"),
                    "msg": f"invalid cursor: {error}",
                    "input": cursor,
                }
            ]
        ) from None


# -- the database behind a request ------------------------------------------------------


class Database:
    """The database behind the API: each request reads through its own Store.

    A DuckDB file open read-only in this process is closed to writers, and ``veille
    ingest`` must be able to write while the API serves. Yet opening the file for each
    request would throw away what the last one loaded (the buffer pool, the primary-key
    indexes), which on a large store costs more than the query. So the requests that come
    while the file is open share it (each through a connection of its own, see
    ``Store.sharing``), and it is closed as soon as a writer asks for it (the gate, see
    ``veille.backends.DuckDBBackend``) or after ``IDLE`` seconds without a request. A
    request arriving while an ingest writes a batch waits for it and gets 503 only if that
    lasts ``WAIT`` seconds. PostgreSQL needs none of this: each request has a connection.
    """

    WAIT = 30.0
    IDLE = 2.0

    def __init__(self, db: str, memory_limit: str | None = None) -> None:
        self.db = db
        self.memory_limit = check_memory_limit(memory_limit) if memory_limit else None
        Store(db, read_only=True, wait=self.WAIT).close()  # fail at start-up, not per request
        self._backend = backend_for(db)
        self._shareable = isinstance(self._backend, DuckDBBackend) and not self._backend.in_memory
        self._shared: _SharedFile | None = None
        self._shared_lock = threading.Lock()
        self._closer: threading.Thread | None = None

    def reading(self) -> Store:
        """A read-only Store for one request: ``with database.reading() as store:``."""
        if not self._shareable:
            return self._open(read_only=True)
        with self._shared_lock:
            shared = self._shared
            if shared is not None and self._backend.writer_waiting():
                self._retire()
                shared = None
            if shared is not None:
                shared.users += 1
        if shared is None:
            opened = self._open(read_only=True)  # unlocked: it may wait for a writer
            with self._shared_lock:
                if self._shared is None:
                    # Nothing writes the file while it is open here: what the searches
                    # read can be kept until it is closed.
                    opened.postings_cache = PostingsCache()
                    self._shared = _SharedFile(opened)
                    self._start_closer()
                else:
                    opened.close()  # another request opened it meanwhile
                shared = self._shared
                shared.users += 1
        try:
            return _Borrowed.borrow(shared, self._release)
        except BaseException:
            self._release(shared)
            raise

    def writing(self) -> Store:
        """A read-write Store for one request (it waits for an ingest's batch to end)."""
        if self._shareable:
            with self._shared_lock:
                self._retire()  # closed once the requests reading it are done
        return self._open(read_only=False)

    def _release(self, shared: _SharedFile) -> None:
        with self._shared_lock:
            shared.users -= 1
            shared.last_used = time.monotonic()
            if shared.retired and not shared.users:
                shared.close()

    def _retire(self) -> None:
        """Close the shared file now, or when its last reader is done (lock held)."""
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.retired = True
            if not shared.users:
                shared.close()

    def _start_closer(self) -> None:
        if self._closer is None or not self._closer.is_alive():
            # Not a daemon (a request's thread is one, and would pass that on): at exit the
            # interpreter waits for it to close the file (at most IDLE seconds), where a
            # daemon thread would be stopped inside DuckDB's code.
            self._closer = threading.Thread(target=self._close_when_idle, daemon=False)
            self._closer.start()

    def _close_when_idle(self) -> None:
        """Give the file back to writers: after IDLE seconds unused, or when one waits."""
        while True:
            time.sleep(self.IDLE / 8)
            with self._shared_lock:
                shared = self._shared
                if shared is None:
                    return
                idle = time.monotonic() - shared.last_used > self.IDLE
                if not shared.users and (idle or self._backend.writer_waiting()):
                    self._retire()
                    return

    def _open(self, read_only: bool) -> Store:
        try:
            store = Store(self.db, read_only=read_only, wait=self.WAIT)
        except StoreError as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "5"}) from None
        if self.memory_limit and isinstance(self._backend, DuckDBBackend):
            # DuckDB's buffer pool lives in this process and may grow to 80 % of the RAM.
            store.connection.execute(f"SET memory_limit = '{self.memory_limit}'")
        return store


@dataclass(slots=True)
class _SharedFile:
    """A DuckDB file open read-only for the requests that come while it is open."""

    store: Store
    users: int = 0
    last_used: float = field(default_factory=time.monotonic)
    retired: bool = False  # closed once its last user is done

    def close(self) -> None:
        self.store.close()
        del self.store  # the connection object goes now, not at the interpreter's exit


class _Borrowed(Store):
    """A request's Store on a shared file: closing it gives the file back."""

    _give_back: Callable[[], None]

    @classmethod
    def borrow(cls, shared: _SharedFile, release: Callable[[_SharedFile], None]) -> Store:
        store = cls.sharing(shared.store)
        store._give_back = lambda: release(shared)
        return store

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()
