"""The login routes' URLs (their names and the links pages show live in `web.links`)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from web.links import (
    LOGIN,
    LOGIN_CALLBACK,
    LOGOUT,
    LOGOUT_SUBMIT,
    NEXT_PARAMETER,
    login_link,
    safe_next,
)

__all__ = [
    "LOGIN",
    "LOGIN_CALLBACK",
    "LOGOUT",
    "LOGOUT_SUBMIT",
    "NEXT_PARAMETER",
    "callback_url",
    "login_link",
    "safe_next",
]


def callback_url(connection: HTTPConnection, redirect_base_url: str | None) -> str:
    """The redirect URI the provider sends the browser back to."""
    path = connection.url_for(LOGIN_CALLBACK).path
    if redirect_base_url:
        return redirect_base_url.rstrip("/") + path
    return str(connection.url_for(LOGIN_CALLBACK))
