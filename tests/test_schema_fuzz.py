"""Schemathesis against the API's own OpenAPI schema (issue 7.5).

Requests generated from ``/openapi.json`` (valid and invalid parameters) go in process to
the ASGI app over a database coded from examples/, so no network is involved. Every
response must be a non-5xx answer that conforms to the schema: documented status code,
content type, headers and body shape. The number of requests per operation comes from the
hypothesis profile ("ci" for ``make test``, "soak" for ``make soak``).
"""

from __future__ import annotations

from typing import Any

import pytest
import reliability_report
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES

from veille.api import create_app

pytestmark = pytest.mark.reliability
#: Requests per operation and generation mode: a fifth of the profile's examples (each
#: request goes through the whole ASGI stack).
EXAMPLES_PER_OPERATION = max(10, settings.default.max_examples // 5)


@pytest.fixture(scope="module")
def api_schema(examples_db: str) -> Any:
    db = examples_db
    return schemathesis.openapi.from_asgi(
        "/openapi.json", without_lifespan(create_app(db)), config=SCHEMATHESIS_CONFIG
    )


#: An invalid request may also be refused for its size: a query string over the server's
#: limit (414) or a body over it (413), both documented on every operation they concern.
SCHEMATHESIS_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    *NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
                    "413",
                    "414",
                ]
            }
        }
    }
)


def without_lifespan(app: Any) -> Any:
    """The app, with its startup and shutdown acknowledged but not run.

    Schemathesis' ASGI transport starts and stops the app around every request, and the
    app's shutdown closes its database: served by uvicorn, it starts and stops once.
    """

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi


def excluded_checks(operation: Any) -> list[Any]:
    # A search for "++" passes the schema (a string of 1 to 500 characters) and gets a 422
    # shaped as documented: "has a word" cannot be written as a JSON Schema pattern that
    # JSON Schema's regex dialect (ASCII \w) and Python's (Unicode \w) read alike.
    # Likewise an events cursor ("after") is any short string to the schema, but only the
    # `next` of a previous page is one: others get a documented 422.
    if operation.path in ("/api/search", "/api/events"):
        return [checks.positive_data_acceptance]
    return []


def operations(api_schema: Any) -> list[Any]:
    return [result.ok() for result in api_schema.get_all_operations()]


def fuzz_test(operation: Any, mode: GenerationMode) -> Any:
    """A hypothesis test sending ``operation`` requests generated in ``mode``."""
    excluded = excluded_checks(operation)

    @settings(max_examples=EXAMPLES_PER_OPERATION, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def answers_as_documented(case: Any) -> None:
        reliability_report.add("requests_fuzzed")
        case.call_and_validate(excluded_checks=excluded)

    return answers_as_documented


# Driven by hypothesis directly rather than by schemathesis' pytest plugin, whose lazy
# fixture loader does not run under pytest 9 (it sets Node._nodeid, which pytest 9 removed).
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_generated_requests_without_5xx_and_as_documented(
    api_schema: Any, mode: GenerationMode, subtests: pytest.Subtests
) -> None:
    for operation in operations(api_schema):
        answers_as_documented = fuzz_test(operation, mode)
        with subtests.test(operation=operation.label):
            try:
                answers_as_documented()
            except Unsatisfiable:
                # e.g. GET /api/stats, or a path taking any string: nothing can be invalid.
                if mode is not GenerationMode.NEGATIVE:
                    raise
                pytest.skip(f"no invalid request exists for {operation.label}")


def test_the_schema_lists_the_endpoints(api_schema: Any) -> None:
    # Guards the test above against fuzzing nothing (an empty or unreadable schema).
    paths = {operation.path for operation in operations(api_schema)}
    assert {"/api/events", "/api/events/{event_id}", "/api/search"} <= paths
