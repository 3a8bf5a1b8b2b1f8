"""`X-Api-Key` on every request: verified against the hub's API keys
(`schema.developers.keys.ApiKeys`), its scopes added to the request's principal.

    no header          nothing changes
    a valid key        the request's principal gets the key's scopes (see `with_grant`)
    malformed, unknown 401 with a JSON body in Spanish and English (`reason` names which)
    or revoked key
    store unavailable  503, Retry-After

Nothing here logs a key, a secret or a hash: only the key's id or the problem's name.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http_errors import error_response
from gateway.identity.middleware import POLICY_VIOLATION
from schema.developers.keys import (
    STORE_DOWN,
    ApiKeyGrant,
    ApiKeyRejected,
    ApiKeys,
    ApiKeyStoreUnavailable,
    with_grant,
)
from schema.principal import ANONYMOUS, SCOPE_KEY, Principal

__all__ = [
    "API_KEY_HEADER",
    "GRANT_SCOPE_KEY",
    "ApiKeyMiddleware",
    "api_key_from_scope",
    "presented_key",
]

log = logging.getLogger("planasmun.api_keys")

API_KEY_HEADER = b"x-api-key"
#: Where the middleware leaves the verified key (`ApiKeyGrant`) in the ASGI scope.
GRANT_SCOPE_KEY = "planasmun.api_key"


def api_key_from_scope(scope: Scope) -> ApiKeyGrant | None:
    """The key this request presented, once `ApiKeyMiddleware` verified it."""
    found = scope.get(GRANT_SCOPE_KEY)
    return found if isinstance(found, ApiKeyGrant) else None


def _refusal(problem: ApiKeyRejected) -> JSONResponse:
    es, en = problem.message_es, problem.message_en
    return error_response(
        401,
        "UNAUTHENTICATED",
        es,
        en,
        reason=problem.problem.value,
        headers={
            "WWW-Authenticate": (
                f'ApiKey realm="planasmun", error="{problem.problem.value}", '
                f'error_description="{en}"'
            )
        },
    )


def _unavailable() -> JSONResponse:
    es, en = STORE_DOWN
    return error_response(503, "API_KEYS_UNAVAILABLE", es, en, headers={"Retry-After": "30"})


def presented_key(scope: Scope) -> str | None:
    """The `X-Api-Key` header's value; None when absent or blank."""
    for name, value in scope.get("headers", ()):
        if name == API_KEY_HEADER:
            text = value.decode("latin-1").strip()
            return text or None
    return None


class ApiKeyMiddleware:
    """Verifies `X-Api-Key` and adds its scopes to the principal (pure ASGI).

    Goes inside `IdentityMiddleware`, which has put the bearer token's or the session's
    principal in the scope.
    """

    def __init__(
        self, app: ASGIApp, *, keys: ApiKeys, verified_by_endpoints: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.keys = keys
        #: Path prefixes whose endpoints check keys themselves, answering a bad one in
        #: their own protocol's error format (Open311).
        self.verified_by_endpoints = verified_by_endpoints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or str(scope.get("path", "")).startswith(
            self.verified_by_endpoints
        ):
            await self.app(scope, receive, send)
            return
        presented = presented_key(scope)
        if presented is None:
            await self.app(scope, receive, send)
            return
        try:
            grant = await self.keys.verify(presented)
        except ApiKeyRejected as rejected:
            log.info("API key refused: %s", rejected.problem.value)
            await self._refuse(scope, receive, send, _refusal(rejected))
            return
        except ApiKeyStoreUnavailable as exc:
            log.warning("API key not verified: %s", exc)
            await self._refuse(scope, receive, send, _unavailable())
            return
        found = scope.get(SCOPE_KEY)
        principal = found if isinstance(found, Principal) else ANONYMOUS
        scope[SCOPE_KEY] = with_grant(principal, grant)
        scope[GRANT_SCOPE_KEY] = grant
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, response: JSONResponse) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})
            return
        await response(scope, receive, send)
