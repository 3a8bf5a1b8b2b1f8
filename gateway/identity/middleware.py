"""Every request's principal: from a bearer token, else from the session, else anonymous.

`IdentityMiddleware` (pure ASGI, inside `SessionMiddleware`) puts the principal in the
scope; `schema.principal.principal_from_connection()` reads it. A bearer token wins over
the session, so an API client's token decides even in a browser that is signed in. A
token that fails verification is answered here with 401,
`WWW-Authenticate: Bearer error="invalid_token"` and a JSON body in the shape of a
GraphQL error, naming the problem in Spanish and English; nothing behind the middleware runs.
"""

from __future__ import annotations

import logging
from typing import Protocol

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http_errors import error_response
from gateway.identity.errors import ProviderUnavailable, TokenRejected
from gateway.identity.sessions import session_principal
from gateway.identity.settings import IdentitySettings
from schema.principal import ANONYMOUS, SCOPE_KEY, Principal
from words import Message


class TokenIdentity(Protocol):
    """What the middleware needs of `gateway.identity.service.Identity` (which builds it)."""

    settings: IdentitySettings

    async def principal_from_token(self, token: str) -> Principal: ...


log = logging.getLogger("planasmun.identity")

#: WebSocket close code for a refused token (RFC 6455: policy violation).
POLICY_VIOLATION = 1008

PROVIDER_DOWN = Message(
    "gateway",
    "The identity provider could not be reached to verify the token. Try again in a few minutes.",
)


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer …` header; None for no or another scheme."""
    header = connection.headers.get("authorization")
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def unauthorized(error: TokenRejected) -> JSONResponse:
    es, en = error.message_es, error.message_en
    return error_response(
        401,
        "UNAUTHENTICATED",
        es,
        en,
        reason=error.problem.value,
        headers={
            "WWW-Authenticate": (
                f'Bearer realm="planasmun", error="invalid_token", error_description="{en}"'
            )
        },
    )


def provider_unavailable() -> JSONResponse:
    es, en = PROVIDER_DOWN.es, PROVIDER_DOWN.en
    return error_response(
        503, "IDENTITY_PROVIDER_UNAVAILABLE", es, en, headers={"Retry-After": "30"}
    )


class IdentityMiddleware:
    def __init__(self, app: ASGIApp, *, identity: TokenIdentity) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        token = bearer_token(connection)
        if token is not None:
            try:
                principal = await self.identity.principal_from_token(token)
            except TokenRejected as error:
                log.info("bearer token refused: %s", error.problem.value)
                await self._refuse(scope, receive, send, unauthorized(error))
                return
            except ProviderUnavailable as error:
                log.warning("bearer token not verified: %s", error)
                await self._refuse(scope, receive, send, provider_unavailable())
                return
        else:
            session = scope.get("session")
            found = None
            if session is not None:
                found = session_principal(session, self.identity.settings.issuer)
            principal = found or ANONYMOUS
        scope[SCOPE_KEY] = principal
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, response: JSONResponse) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})
            return
        await response(scope, receive, send)
