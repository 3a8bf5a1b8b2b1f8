"""The session's CSRF token as the web client's forms carry it.

The token lives in the signed session (`csrf_token`); every form that posts writes it
with `{{ csrf_field() }}`. The gateway's `CSRFMiddleware` (`gateway.csrf`) checks it on
every request a page on another site could have made; a handler that checks it itself,
to answer a stale token with its own page, says so with `@checks_own_token`.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import HTTPConnection

__all__ = [
    "FIELD_NAME",
    "FIELD_NAMES",
    "HEADER_NAME",
    "OWN_CHECK_MARK",
    "SESSION_KEY",
    "checks_own_token",
    "csrf_field",
    "csrf_matches",
    "csrf_token",
]

#: Where the session keeps the token.
SESSION_KEY = "csrf"
#: The hidden form field that carries the token.
FIELD_NAME = "csrf_token"
#: Also accepted: the field name of the forms written before this module.
FIELD_NAMES = (FIELD_NAME, "csrf")
#: The header scripts send it in.
HEADER_NAME = "X-CSRF-Token"

Session = MutableMapping[str, Any]


def new_csrf_token(session: Session) -> str:
    """Replace the session's token (at sign-in: a token from before does not carry over)."""
    token = secrets.token_urlsafe(32)
    session[SESSION_KEY] = token
    return token


def csrf_token(session: Session) -> str:
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = new_csrf_token(session)
    return token


def csrf_matches(session: Session, submitted: object) -> bool:
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str) or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


OWN_CHECK_MARK = "__planasmun_checks_own_csrf_token__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def checks_own_token(endpoint: Endpoint) -> Endpoint:
    """Mark an endpoint that checks the session's CSRF token itself (`csrf_matches`).

    Its requests reach it unchecked, so that it can answer a stale token with its own
    page; it must then refuse any request whose token does not match.
    """
    setattr(endpoint, OWN_CHECK_MARK, True)
    return endpoint


@pass_context
def csrf_field(context: Context, connection: HTTPConnection | None = None) -> Markup:
    """`{{ csrf_field() }}` in a form: the hidden field with the session's CSRF token.

    Finds the request in the template's `page` (the web client's layout) or `request`;
    pass it explicitly from a macro imported without context: `csrf_field(page.request)`.
    """
    if connection is None:
        page = context.get("page")
        found = getattr(page, "request", None) or context.get("request")
        if not isinstance(found, HTTPConnection):
            raise RuntimeError(
                "csrf_field() found no request in the template context; "
                "call it as csrf_field(page.request)"
            )
        connection = found
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD_NAME, csrf_token(connection.session)
    )
