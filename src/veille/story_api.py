"""The HTTP routes of stories and watches (``veille.stories``, ``veille.alerts``).

``GET /api/stories`` lists stories (the story filters, paginated), ``GET /api/stories/{id}``
gives one with its sources side by side; watches are listed, created and deleted (with the
write token) and read as an Atom feed (``/api/watches/{id}/atom``) or a weekly digest page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from veille.access import NOT_FOUND, WRITE_REFUSALS, WriteAccess, authorisation
from veille.alerts import (
    add_watch,
    atom_feed,
    delete_watch,
    digest_html,
    get_watch,
    list_watches,
)
from veille.graph import actor_filter_key
from veille.queries import Database, IsoDate, Page, page
from veille.stories import StoryFilter, story_detail, story_page


def story_query(
    actor: Annotated[str | None, Query(max_length=200, description="Actor code or name.")] = None,
    partner: Annotated[
        str | None, Query(max_length=200, description="A second party of the story.")
    ] = None,
    event_type: Annotated[str | None, Query(alias="type", max_length=50)] = None,
    context: Annotated[str | None, Query(max_length=50)] = None,
    text: Annotated[str | None, Query(max_length=500)] = None,
    since: Annotated[IsoDate | None, Query()] = None,
    until: Annotated[IsoDate | None, Query()] = None,
    min_sources: Annotated[
        int, Query(ge=0, le=1000, description="Independent sources at least.")
    ] = 0,
    min_confidence: Annotated[float, Query(ge=0, le=1, allow_inf_nan=False)] = 0.0,
) -> StoryFilter:
    return StoryFilter(
        actor_filter_key(actor),
        actor_filter_key(partner),
        event_type,
        context,
        text,
        since,
        until,
        min_sources,
        min_confidence,
    )


Stories = Annotated[StoryFilter, Depends(story_query)]


class WatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    actor: str | None = Field(None, max_length=200)
    partner: str | None = Field(None, max_length=200)
    type: str | None = Field(None, max_length=50)
    context: str | None = Field(None, max_length=50)
    text: str | None = Field(None, max_length=500)
    min_sources: int = Field(0, ge=0, le=1000)
    min_confidence: float = Field(0.0, ge=0, le=1)
    webhook: str | None = Field(None, max_length=2000, pattern=r"^https?://")
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")

    def story_filter(self) -> StoryFilter:
        return StoryFilter(
            actor_filter_key(self.actor),
            actor_filter_key(self.partner),
            self.type,
            self.context,
            self.text,
            min_sources=self.min_sources,
            min_confidence=self.min_confidence,
        )


def register_story_routes(api: FastAPI, database: Database, access: WriteAccess) -> None:
    """Add the story and watch routes; saving or deleting a watch needs the write token
    (``access``)."""
    authorised = Depends(authorisation(access))

    @api.get("/api/stories", summary="Stories (events merged across outlets), latest first")
    def list_stories(where: Stories, paging: Page) -> dict[str, Any]:
        with database.reading() as store:
            total, items = story_page(store, where, paging.limit, paging.offset)
        return page(total, paging, items)

    @api.get(
        "/api/stories/{story_id}",
        summary="One story with its sources and their evidence sentences",
        responses=NOT_FOUND,
    )
    def get_story(story_id: str) -> dict[str, Any]:
        with database.reading() as store:
            detail = story_detail(store, story_id)
        if detail is None:
            raise HTTPException(404, f"no story {story_id!r}")
        return detail

    @api.get("/api/watches", summary="Saved watches")
    def watches() -> list[dict[str, Any]]:
        with database.reading() as store:
            return [watch.to_json() for watch in list_watches(store)]

    @api.post(
        "/api/watches",
        summary="Save a watch (needs the token)",
        status_code=201,
        dependencies=[authorised],
        responses={
            **WRITE_REFUSALS,
            400: {"description": "Body is not JSON"},
            413: {"description": "Body too large"},
        },
    )
    def create_watch(request: WatchRequest) -> dict[str, Any]:
        with database.writing() as store:
            watch = add_watch(
                store, request.name, request.story_filter(), request.webhook, request.email
            )
        return watch.to_json()

    @api.delete(
        "/api/watches/{watch_id}",
        summary="Delete a watch and the record of what it sent (needs the token)",
        dependencies=[authorised],
        responses={**WRITE_REFUSALS, **NOT_FOUND},
    )
    def remove_watch(watch_id: str) -> dict[str, Any]:
        with database.writing() as store:
            deleted = delete_watch(store, watch_id)
        if not deleted:
            raise HTTPException(404, f"no watch {watch_id!r}")
        return {"watch_id": watch_id, "deleted": True}

    @api.get(
        "/api/watches/{watch_id}/atom",
        summary="Atom feed of the stories a watch matched",
        responses={**NOT_FOUND, 200: {"content": {"application/atom+xml": {}}}},
    )
    def watch_atom(watch_id: str, request: Request) -> Response:
        with database.reading() as store:
            watch = get_watch(store, watch_id)
            if watch is None:
                raise HTTPException(404, f"no watch {watch_id!r}")
            feed = atom_feed(store, watch, str(request.base_url).rstrip("/"))
        return Response(feed, media_type="application/atom+xml")

    @api.get(
        "/api/watches/{watch_id}/digest",
        summary="Weekly digest of a watch: printable HTML with small charts",
        response_class=HTMLResponse,
        responses=NOT_FOUND,
    )
    def watch_digest(
        watch_id: str,
        week: Annotated[
            IsoDate | None, Query(description="First day of the week (default: 7 days ago).")
        ] = None,
    ) -> HTMLResponse:
        start = week or date.today() - timedelta(days=7)
        with database.reading() as store:
            watch = get_watch(store, watch_id)
            if watch is None:
                raise HTTPException(404, f"no watch {watch_id!r}")
            return HTMLResponse(digest_html(store, watch, start))
