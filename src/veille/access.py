"""Who may use the API's write endpoints, and the answers the routes share: what
``veille.api`` and ``veille.story_api`` both build on (neither on the other).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

#: Environment variable that enables the write endpoints, like ``veille serve --token``.
TOKEN_ENV = "VEILLE_API_TOKEN"

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such item"}}


_bearer = HTTPBearer(auto_error=False, description="The token given to `veille serve --token`.")


@dataclass(frozen=True, slots=True)
class WriteAccess:
    """Who may write: nobody without a token, else requests that present it."""

    token: str | None

    def check(self, credentials: HTTPAuthorizationCredentials | None) -> None:
        if self.token is None:
            raise HTTPException(
                403,
                "read-only server: writes are enabled only when `veille serve` is started "
                f"with --token (or {TOKEN_ENV})",
            )
        if credentials is None:
            raise HTTPException(
                401,
                "missing token: send `Authorization: Bearer <token>`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        # Constant-time comparison, on bytes so that any header value can be compared.
        if not secrets.compare_digest(
            credentials.credentials.encode("utf-8"), self.token.encode("utf-8")
        ):
            raise HTTPException(
                401, "wrong token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )


#: What a write endpoint answers when it refuses the caller.
WRITE_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong token"},
    403: {"description": "Read-only server (started without a token)"},
}


def authorisation(access: WriteAccess) -> Callable[..., None]:
    """The dependency that lets a request through only with the server's token."""

    def authorised(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> None:
        access.check(credentials)

    return authorised
