"""The dashboard at ``/`` and offline API docs at ``/docs``, served by ``veille serve``.

The dashboard is static files (plain JavaScript modules and CSS under ``static/``) that read
the JSON API; the libraries it uses (Cytoscape, d3-geo, topojson-client, the world-atlas
outline, Swagger UI) are copied from npm packages into ``static/vendor/`` by ``make install``
(``web/copy-vendor.mjs``), so nothing is fetched from the internet when it runs.

Besides the files, this module adds a few read-only endpoints under ``/api/dashboard/`` that
the dashboard needs so that every number it shows opens the events behind it: the event list
takes the refinements a click produces (a partner, a graph edge, a place, undated events, a
role), and the overview counts use the same functions as the actor briefs and the graph, so a
count and the list it opens always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import pycountry
from fastapi import Depends, FastAPI, Query
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from veille import tallies
from veille.graph import QUADS, country_codes, country_names
from veille.lang import DEFAULT_LANGUAGE, language_name, language_yaml
from veille.lexicon import fold
from veille.model import NON_STATE_CODES, Actor
from veille.queries import CountUnit, Database, EventQuery, Events, Page, page
from veille.store import Store
from veille.tallies import EventScope, identities_named

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
#: What the dashboard's libraries need to exist before the page can work.
VENDORED = ("cytoscape.esm.min.mjs", "d3-geo.min.js", "topojson-client.min.js")
SWAGGER = ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css")

#: The dashboard builds every element from data with textContent, and this policy makes
#: the browser refuse inline scripts and foreign hosts as a second line of defence (inline
#: styles stay allowed: Cytoscape sets some, and they cannot run code).
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

Rows = list[dict[str, Any]]


def vendored(*names: str) -> bool:
    return all((VENDOR / name).is_file() for name in names)


def missing_assets_page(what: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>Veille</title>"
        f"<p>The {what} needs its JavaScript libraries, which <code>make install</code> copies "
        "from npm into <code>src/veille/web/static/vendor/</code> (Node.js and npm needed). "
        'The JSON API works without them: <a href="/openapi.json">/openapi.json</a>.</p>',
        status_code=503,
    )


def mount_dashboard(app: FastAPI, database: Database) -> None:
    """Serve the dashboard at ``/``, its files at ``/static`` and Swagger UI at ``/docs``.

    The app must be created with ``docs_url=None`` (and ``redoc_url=None``), since FastAPI's
    own pages load their scripts from a CDN.
    """
    register_dashboard_routes(app, database)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard() -> Any:
        if not vendored(*VENDORED):
            return missing_assets_page("dashboard")
        headers = {"Content-Security-Policy": DASHBOARD_CSP, "Cache-Control": "no-cache"}
        return FileResponse(STATIC / "index.html", headers=headers)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        if not vendored(*SWAGGER):
            return missing_assets_page("API documentation page")
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — docs",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            # Swagger UI would otherwise ask validator.swagger.io to check the schema.
            swagger_ui_parameters={"validatorUrl": None},
        )


# -- refinements: what a click on a count adds to the filters -------------------------------


@dataclass(frozen=True, slots=True)
class Refinement:
    """Narrowing that the dashboard's clicks add to the shared event filters.

    ``actor`` (from the filters) and ``partner`` are actor identities as ``/api/actors`` lists
    them; a code or a country name also works when it names one identity.
    """

    partner: str | None
    edge: Literal["directed", "joint"] | None
    role: Literal["actor", "recipient"] | None
    place: str | None
    undated: bool


def refinement_query(
    partner: Annotated[
        str | None,
        Query(max_length=200, description="Another actor taking part in the same events."),
    ] = None,
    edge: Annotated[
        Literal["directed", "joint"] | None,
        Query(
            description="With partner: only events that make the graph edge actor→partner "
            "(directed) or actor–partner (joint action)."
        ),
    ] = None,
    role: Annotated[
        Literal["actor", "recipient"] | None, Query(description="The actor's role.")
    ] = None,
    place: Annotated[str | None, Query(max_length=200, description="Event location.")] = None,
    undated: Annotated[bool, Query(description="Only events with no date.")] = False,
) -> Refinement:
    return Refinement(partner, edge, role, place, undated)


Refine = Annotated[Refinement, Depends(refinement_query)]


def identity_matcher(key: str | None, rows: Rows) -> Callable[[str], bool]:
    """Whether an identity is the one ``key`` names, among the identities of ``rows``.

    A key that equals an identity means that identity only (so "MLI" is Mali, not a Malian
    rebel group coded MLI); otherwise it means whatever the API's actor filter matches.
    """
    if key is None:
        return lambda _identity: True
    key = country_codes().get(fold(key), key)
    exact = {r["identity"] for r in rows if fold(r["identity"]) == fold(key)}
    if exact:
        return exact.__contains__
    loose = {
        r["identity"]
        for r in rows
        if r["code"].lower() == key.lower() or fold(r["name"]) == fold(key)
    }
    return loose.__contains__


def event_scope(store: Store, query: EventQuery, refine: Refinement) -> EventScope:
    """The events matching the filters and refinements, for ``veille.tallies``."""
    scope = query.scope()
    # Who the actor and the partner are is decided among the filtered events' participants.
    actors = identities_of(store, scope, query.actor) if query.actor else None
    partners = identities_of(store, scope, refine.partner) if refine.partner else None
    return replace(
        scope,
        actors=actors,
        role=refine.role,
        partners=partners,
        edge=refine.edge,
        place=refine.place,
        undated=refine.undated,
    )


def identities_of(store: Store, scope: EventScope, key: str) -> frozenset[str]:
    """The identities ``key`` names among the participants of ``scope``'s events."""
    rows = identities_named(store, scope, country_codes().get(fold(key), key))
    matches = identity_matcher(key, rows)
    return frozenset(row["identity"] for row in rows if matches(row["identity"]))


def with_identities(record: dict[str, Any], day: date | None) -> dict[str, Any]:
    """The spec record plus what the dashboard links with: each participant's identity and
    the day the date filters use (the event's date, else the article's publication date)."""
    for participant in record["actor"] + record["recipient"]:
        code, sector, name = participant["code"], tuple(participant["sector"]), participant["name"]
        actor = Actor(code, sector, name, participant["entity_text"])
        participant["identity"] = actor.identity
    return {**record, "day": day.isoformat() if day else None}


def not_coded(database: Database) -> list[dict[str, Any]]:
    """Stored articles in languages Veille does not code here (whatever the filters)."""
    with database.reading() as store:
        counts = store.not_coded()
    return [
        {"language": code, "name": language_name(code), "documents": n}
        for code, n in counts.items()
    ]


def register_dashboard_routes(app: FastAPI, database: Database) -> None:
    tags: list[str | Any] = ["dashboard"]

    @app.get(
        "/api/dashboard/events",
        tags=tags,
        summary="Events matching the filters and a dashboard click (partner, edge, place…)",
        description="Spec records, newest first, each with its participants' `identity` and "
        "the `day` the date filters use (event date, else publication date).",
    )
    def dashboard_events(query: Events, refine: Refine, paging: Page) -> dict[str, Any]:
        with database.reading() as store:
            scope = event_scope(store, query, refine)
            total, records = tallies.event_page(store, scope, paging.limit, paging.offset)
        return page(total, paging, [with_identities(record, day) for record, day in records])

    @app.get(
        "/api/dashboard/overview",
        tags=tags,
        summary="Counts, timeline and places of the events matching the filters",
    )
    def overview(query: Events, refine: Refine, unit: CountUnit = "stories") -> dict[str, Any]:
        with database.reading() as store:
            scope = replace(event_scope(store, query, refine), unit=unit)
            counts = tallies.overview(store, scope, NON_STATE_CODES)
            located = tallies.places(store, scope)
            months = tallies.timeline(store, scope)
        return {
            "unit": unit,
            "events": counts.events,  # in the unit asked for: stories unless unit=events
            "raw_events": counts.raw_events,
            "documents": counts.documents,
            "actors": counts.actors,
            "undated": counts.undated,
            "by_type": counts.by_type,
            "timeline": months,
            "places": located,
            "unlocated": counts.events - sum(place["events"] for place in located),
            # Events each state takes part in, for the map's shading (as its brief counts them).
            "countries": counts.countries,
            "not_coded": not_coded(database),
        }

    @app.get("/api/dashboard/vocabulary", tags=tags, summary="Event types, quads and contexts")
    def vocabulary() -> dict[str, Any]:
        names = country_names()
        return {
            "quads": {quad: list(types) for quad, types in QUADS.items()},
            "contexts": sorted(language_yaml(DEFAULT_LANGUAGE, "contexts.yaml")),
            # The world outline (world-atlas) identifies countries by ISO 3166 numeric code.
            "countries": {
                country.numeric: {"code": country.alpha_3, "name": names.get(country.alpha_3)}
                for country in pycountry.countries
            },
        }
