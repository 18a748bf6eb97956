"""The HTTP API served by ``veille serve`` (FastAPI; OpenAPI docs at ``/docs``).

Every read endpoint is a GET: analysts browse events, actors, the cooperation graph and
the documents. Lists are paginated (``limit`` at most 500) and share one set of event
filters: actor (code or canonical name), event type, context, date range, a substring
of the evidence sentence and a minimum confidence. User input only ever reaches SQL as
bound parameters.

The server is read-only unless it is started with a token (``veille serve --token`` or
``VEILLE_API_TOKEN``): then ``POST /api/documents`` codes and stores an uploaded article
and ``DELETE /api/documents/{id}`` removes one, both only for requests that carry
``Authorization: Bearer <token>``. Request bodies are limited to ``MAX_BODY_BYTES`` and
URLs to ``MAX_URL_PATH`` / ``MAX_QUERY_STRING`` characters.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veille import __version__
from veille.access import (
    NOT_FOUND,
    WRITE_REFUSALS,
    WriteAccess,
    authorisation,
)
from veille.graph import build_graph, country_codes, gexf, graphml, tally_json
from veille.ingest import IngestError, decode, extract_html, publication_date
from veille.lexicon import fold
from veille.model import Document, DocumentResult, Unit
from veille.queries import (
    BriefEvents,
    CountUnit,
    Database,
    EventQuery,
    Events,
    Page,
    decode_cursor,
    encode_cursor,
    page,
)
from veille.search import WORD
from veille.search import search as search_documents
from veille.store import Store
from veille.tallies import (
    ActorTally,
    EventScope,
    actor_tallies,
    event_list_page,
    people,
    places,
    timeline,
)

if TYPE_CHECKING:
    from veille.pipeline import Pipeline

#: Largest request body (an uploaded article); larger ones get 413 before being read whole.
MAX_BODY_BYTES = 5 * 1024 * 1024
#: Longest URL path and query string (414 beyond): ids and filters are short.
MAX_URL_PATH = 1024
MAX_QUERY_STRING = 4096
MIN_TOKEN_LENGTH = 16

# -- actors: names, aggregates, briefs ------------------------------------------------


def actor_brief(
    store: Store, identity: str, query: EventQuery, unit: Unit = "stories"
) -> dict[str, Any]:
    """Partners, timeline, people with offices and places of one actor identity."""
    scope = replace(query.scope(), actors=frozenset({identity}), unit=unit)
    _, own = actor_tallies(store, scope, only=identity)
    tally = own[0] if own else ActorTally(identity, code=identity)
    return {
        **tally_json(tally),
        "partners": partners(store, identity, scope),
        "timeline": timeline(store, scope),
        "places": places(store, scope),
        "people": people(store, tally.code, identity),
    }


def partners(store: Store, identity: str, scope: EventScope) -> list[dict[str, Any]]:
    """Other actors of the same events, ranked by shared events, with their types."""
    _, tallies = actor_tallies(store, scope, without=identity)
    keys = ("identity", "code", "name", "state", "events", "by_type")
    return [{key: out[key] for key in keys} for out in map(tally_json, tallies)]


# -- the application --------------------------------------------------------------------


def create_app(
    db: str,
    token: str | None = None,
    pipeline: Pipeline | None = None,
    memory_limit: str | None = None,
) -> FastAPI:
    """The API over the database ``db`` (raises ``StoreError`` if it cannot be opened).

    With a ``token`` (at least 16 printable ASCII characters; ``ValueError`` otherwise) the
    write endpoints accept requests that present it; without one they answer 403. The
    ``pipeline`` that codes uploads is loaded at the first upload unless one is given.
    ``memory_limit`` ("1GB") caps DuckDB's buffer pool in this process.
    """
    access = WriteAccess(check_token(token))
    database = Database(db, memory_limit)
    api = FastAPI(
        title="Veille API",
        version=__version__,
        description="PLOVER events coded from French security news, with the evidence "
        "sentence and source document of every event. Read-only unless the server was "
        "started with a token; write endpoints then need `Authorization: Bearer <token>`.",
        docs_url=None,  # /docs and the dashboard come from veille.web, with vendored assets
        redoc_url=None,
    )
    api.add_middleware(RequestLimits, max_body=MAX_BODY_BYTES)
    register_routes(api, database)
    register_write_routes(api, database, access, LazyPipeline(pipeline))
    from veille.story_api import register_story_routes  # builds on this module

    register_story_routes(api, database, access)
    from veille.web import mount_dashboard  # veille.web builds on this module

    mount_dashboard(api, database)
    document_url_limits(api)
    return api


def document_url_limits(api: FastAPI) -> None:
    """Add the 414 that ``RequestLimits`` gives any request to every operation's schema."""
    build_schema = api.openapi

    def openapi() -> dict[str, Any]:
        schema = build_schema()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault(
                    "414", {"description": "URL path or query string too long"}
                )
        return schema

    api.openapi = openapi  # type: ignore[method-assign]


#: Documented in the OpenAPI schema of the endpoints that look one thing up.
def register_routes(api: FastAPI, database: Database) -> None:
    @api.get("/api/stats", summary="What the database holds")
    def stats() -> dict[str, Any]:
        with database.reading() as store:
            return store.stats()

    @api.get(
        "/api/events",
        summary="Events, newest first, filtered and paginated",
        description="`next` is the cursor of the following page: pass it as `after` to get "
        "that page without the database counting the rows before it (keyset pagination).",
    )
    def list_events(
        query: Events,
        paging: Page,
        after: Annotated[
            str | None,
            Query(max_length=400, description="The `next` cursor of the previous page."),
        ] = None,
    ) -> dict[str, Any]:
        key = decode_cursor(after) if after else None
        with database.reading() as store:
            total, items, last = event_list_page(
                store, query.scope(), paging.limit, paging.offset, key
            )
        full = last is not None and len(items) == paging.limit
        return page(total, paging, items) | {"next": encode_cursor(last) if full else None}

    @api.get(
        "/api/events/{event_id}",
        summary="One event with its evidence and source document",
        responses=NOT_FOUND,
    )
    def get_event(event_id: str) -> dict[str, Any]:
        with database.reading() as store:
            detail = store.event_detail(event_id)
        if detail is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return detail

    @api.get("/api/actors", summary="Actor identities with their event counts")
    def list_actors(query: Events, paging: Page, unit: CountUnit = "stories") -> dict[str, Any]:
        with database.reading() as store:
            total, tallies = actor_tallies(
                store, replace(query.scope(), unit=unit), limit=paging.limit, offset=paging.offset
            )
        return page(total, paging, [tally_json(t) for t in tallies])

    @api.get(
        "/api/actors/{actor}",
        summary="Brief of a country, group or organisation",
        responses=NOT_FOUND,
    )
    def get_actor(actor: str, query: BriefEvents, unit: CountUnit = "stories") -> dict[str, Any]:
        with database.reading() as store:
            key = country_codes().get(fold(actor), actor)
            identities = store.matching_identities(key)
            identity = resolve_identity(actor, identities)
            return actor_brief(store, identity, query, unit)

    @api.get(
        "/api/graph",
        summary="Cooperation network: actors and event counts by type",
        responses={200: {"content": {"application/graphml+xml": {}, "application/gexf+xml": {}}}},
    )
    def get_graph(
        query: Events,
        output: Annotated[Literal["json", "graphml", "gexf"], Query(alias="format")] = "json",
        unit: CountUnit = "stories",
    ) -> Any:
        with database.reading() as store:
            graph = build_graph(store, replace(query.scope(), unit=unit))
        if output == "graphml":
            return Response(graphml(graph), media_type="application/graphml+xml")
        if output == "gexf":
            return Response(gexf(graph), media_type="application/gexf+xml")
        return graph

    @api.get(
        "/api/documents/{doc_id}",
        summary="A document: text, paragraphs, evidence spans",
        responses=NOT_FOUND,
    )
    def get_document(doc_id: str) -> dict[str, Any]:
        full_id = doc_id if ":" in doc_id else f"sha256:{doc_id}"
        with database.reading() as store:
            document = store.document_detail(full_id)
        if document is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return document

    @api.get("/api/search", summary="Full-text search over documents (French stems, no accents)")
    def search(
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=500,
                description="Words to find; 422 when it has no letter or digit.",
            ),
        ],
        paging: Page,
    ) -> dict[str, Any]:
        if not WORD.search(q):
            # Shaped like FastAPI's own validation errors, as the schema documents for 422.
            raise RequestValidationError(
                [
                    {
                        "type": "string_pattern_mismatch",
                        "loc": ("query", "q"),
                        "msg": "the query has no word to search for",
                        "input": q,
                    }
                ]
            )
        with database.reading() as store:
            total, hits = search_documents(store, q, paging.limit, paging.offset)
        return page(total, paging, hits)


def resolve_identity(key: str, identities: list[str]) -> str:
    """The one identity ``key`` names; 404 when it names none or several."""
    exact = [i for i in identities if fold(i) == fold(key)]
    if len(exact) == 1:
        return exact[0]
    if len(identities) == 1:
        return identities[0]
    if not identities:
        raise HTTPException(404, f"no actor {key!r} in the events")
    raise HTTPException(404, {"message": f"{key!r} names several actors", "candidates": identities})


# -- limits and write access ------------------------------------------------------------------


class RequestLimits:
    """ASGI middleware: bodies over ``max_body`` bytes get 413, overlong URLs 414.

    A declared ``Content-Length`` is checked before anything is read; a chunked body is
    counted while the endpoint reads it, so a client that lies or declares nothing still
    cannot make the server hold more than ``max_body`` bytes.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    # An HTTPException from inside the endpoint becomes a JSON 413 response.
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counted_receive, send)

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        if len(scope.get("raw_path") or scope["path"].encode()) > MAX_URL_PATH:
            return JSONResponse({"detail": f"URL path longer than {MAX_URL_PATH}"}, 414)
        if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            return JSONResponse({"detail": f"query string longer than {MAX_QUERY_STRING}"}, 414)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    return JSONResponse({"detail": "invalid Content-Length header"}, 400)
                if int(value) > self.max_body:
                    return JSONResponse({"detail": self._too_large()}, 413)
        return None

    def _too_large(self) -> str:
        return f"request body too large (limit {self.max_body} bytes)"


def check_token(token: str | None) -> str | None:
    """The write token, or None for a read-only server; ``ValueError`` if it is unusable."""
    if token is None or token == "":
        return None
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"the API token must be at least {MIN_TOKEN_LENGTH} characters long")
    if not (token.isascii() and token.isprintable()) or " " in token:
        raise ValueError("the API token must be printable ASCII without spaces")
    return token


class LazyPipeline:
    """The NLP pipeline that codes uploads: loaded at the first upload (seconds and some
    hundred MB, which a read-only server never needs), then used by one request at a time
    because a spaCy pipeline is not meant to be shared between threads."""

    def __init__(self, pipeline: Pipeline | None = None) -> None:
        self._pipeline = pipeline
        self._lock = threading.Lock()

    def process(self, document: Document) -> DocumentResult:
        with self._lock:
            if self._pipeline is None:
                from veille.pipeline import Pipeline

                self._pipeline = Pipeline()
            return self._pipeline.process(document)


class ArticleUpload(BaseModel):
    """An article sent as JSON: its text (or HTML page) and what is known about it."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The article text.")
    html: str | None = Field(None, description="The web page, when there is no text.")
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)
    published: date | None = Field(None, description="Publication date (YYYY-MM-DD).")


UPLOAD_BODY = {
    "required": True,
    "content": {
        "text/plain": {"schema": {"type": "string"}},
        "text/html": {"schema": {"type": "string"}},
        "application/json": {"schema": ArticleUpload.model_json_schema()},
    },
}


def uploaded_document(body: bytes, content_type: str, defaults: ArticleUpload) -> Document:
    """The ``Document`` an upload describes; 415 or 422 ``HTTPException`` if it has none.

    ``defaults`` holds the title, URL and publication date given as query parameters; a JSON
    body's own fields take precedence.
    """
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        if media_type == "application/json":
            article = _json_article(body)
        elif media_type == "text/plain":
            article = ArticleUpload(text=decode(body, "upload"))
        elif media_type == "text/html":
            article = ArticleUpload(html=decode(body, "upload"))
        else:
            raise HTTPException(
                415, "send text/plain, text/html or application/json (text, title, url, published)"
            )
        meta = defaults.model_dump() | article.model_dump(exclude_none=True)
        return _document(article, meta)
    except IngestError as error:
        raise HTTPException(422, error.reason) from None


def _json_article(body: bytes) -> ArticleUpload:
    try:
        article = ArticleUpload.model_validate_json(body)
    except ValidationError as error:
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise HTTPException(422, problems) from None
    if not (article.text or article.html):
        raise HTTPException(422, "the JSON object needs a non-empty 'text' or 'html'")
    return article


def _document(article: ArticleUpload, meta: dict[str, Any]) -> Document:
    author = language = None
    if article.text:
        # One convention for line ends, as for files, so offsets mean the same everywhere.
        text = article.text.replace("\r\n", "\n").replace("\r", "\n")
        source_format: Literal["txt", "html"] = "txt"
    else:
        text, extracted = extract_html(article.html or "", "upload")
        source_format = "html"
        author, language = extracted.author, extracted.language
        meta = {"title": extracted.title, "url": extracted.url} | {
            k: v for k, v in meta.items() if v is not None
        }
    if not text.strip():
        raise HTTPException(422, "the article has no text")
    doc_id = Document.content_id(text)
    return Document(
        doc_id=doc_id,
        # An upload has no path: its URL stands for it, else its content hash.
        doc_path=meta.get("url") or f"upload:{doc_id.removeprefix('sha256:')[:16]}",
        text=text,
        source_format=source_format,
        title=meta.get("title"),
        author=author,
        url=meta.get("url"),
        published=meta.get("published") or publication_date(text, language),
        language=language,
    )


def register_write_routes(
    api: FastAPI, database: Database, access: WriteAccess, pipeline: LazyPipeline
) -> None:
    Authorised = Depends(authorisation(access))

    @api.post(
        "/api/documents",
        summary="Code and store one article (needs the server's token)",
        status_code=201,
        dependencies=[Authorised],
        openapi_extra={"requestBody": UPLOAD_BODY},
        responses={
            200: {"description": "Already stored (same text)"},
            **WRITE_REFUSALS,
            413: {"description": f"Body over {MAX_BODY_BYTES} bytes"},
            415: {"description": "Not text/plain, text/html or application/json"},
        },
    )
    async def upload_document(
        request: Request,
        title: Annotated[str | None, Query(max_length=1000)] = None,
        url: Annotated[str | None, Query(max_length=2000)] = None,
        published: Annotated[date | None, Query(description="YYYY-MM-DD")] = None,
    ) -> Response:
        body = b"".join([chunk async for chunk in request.stream()])
        defaults = ArticleUpload(title=title, url=url, published=published)
        document = uploaded_document(body, request.headers.get("content-type", ""), defaults)
        result = await run_in_threadpool(pipeline.process, document)
        stored = await run_in_threadpool(_store_result, database, result)
        answer = {
            "doc_id": document.doc_id,
            "doc_path": document.doc_path,
            "stored": stored,
            "events": [event.to_json() for event in result.events],
        }
        return JSONResponse(answer, status_code=201 if stored else 200)

    @api.delete(
        "/api/documents/{doc_id}",
        summary="Delete a document and its events (needs the server's token)",
        dependencies=[Authorised],
        responses={**WRITE_REFUSALS, 404: {"description": "No such document"}},
    )
    def delete_document(doc_id: str) -> dict[str, Any]:
        full_id = doc_id if ":" in doc_id else f"sha256:{doc_id}"
        with database.writing() as store:
            deleted = store.delete_document(full_id)
        if not deleted:
            raise HTTPException(404, f"no document {doc_id!r}")
        return {"doc_id": full_id, "deleted": True}


def _store_result(database: Database, result: DocumentResult) -> bool:
    with database.writing() as store:
        return store.add(result)
