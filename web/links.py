"""The sign-in routes' names and the links to them, for the pages and for the routes."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import HTTPConnection
from starlette.routing import NoMatchFound

LOGIN = "login"
LOGIN_CALLBACK = "login_callback"
LOGOUT = "logout"
LOGOUT_SUBMIT = "logout_submit"

#: The query parameter carrying where to go after signing in.
NEXT_PARAMETER = "siguiente"
_MAX_NEXT = 500


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on this site, else None: never an open redirect."""
    if not value or len(value) > _MAX_NEXT or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or any(ord(c) < 0x20 or c == "\\" for c in value):
        return None
    return value


def login_link(connection: HTTPConnection, route: str | None = None) -> str | None:
    """The sign-in URL coming back to this page; None when the app has no login routes."""
    try:
        base = connection.url_for(LOGIN).path
    except NoMatchFound:
        return None
    if route in (LOGIN_CALLBACK, LOGOUT):
        return base
    here = connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
    if safe_next(here) is None or here == "/":
        return base
    return f"{base}?{urlencode({NEXT_PARAMETER: here})}"
