"""A request's language and view, and the cookies that remember them."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from accessibility import (
    LANGUAGE_COOKIE,
    LANGUAGE_PARAMETER,
    VIEW_COOKIE,
    VIEW_PARAMETER,
    Language,
    View,
    choose_language,
    choose_view,
    parse_language,
    parse_view,
)

#: A year: the choice is a preference, not a session.
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclasses.dataclass(frozen=True, slots=True)
class Preferences:
    language: Language
    view: View
    #: True when this request carried the visible switch, so the choice is stored.
    switched_language: bool = False
    switched_view: bool = False

    @property
    def simple(self) -> bool:
        return self.view is View.SIMPLE


def read_preferences(request: Request) -> Preferences:
    requested_language = request.query_params.get(LANGUAGE_PARAMETER)
    requested_view = request.query_params.get(VIEW_PARAMETER)
    return Preferences(
        language=choose_language(
            requested_language,
            request.cookies.get(LANGUAGE_COOKIE),
            request.headers.get("accept-language"),
        ),
        view=choose_view(requested_view, request.cookies.get(VIEW_COOKIE)),
        switched_language=parse_language(requested_language) is not None,
        switched_view=parse_view(requested_view) is not None,
    )


def remember(response: Response, preferences: Preferences, *, secure: bool) -> None:
    """Store switched choices; mark the response as varying by what chose the language."""
    if preferences.switched_language:
        _set(response, LANGUAGE_COOKIE, preferences.language.value, secure)
    if preferences.switched_view:
        _set(response, VIEW_COOKIE, preferences.view.value, secure)
    response.headers.append("Vary", "Accept-Language, Cookie")


def _set(response: Response, name: str, value: str, secure: bool) -> None:
    # httponly: no script needs it; lax: following a link from elsewhere keeps it.
    response.set_cookie(
        name, value, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax", secure=secure
    )


def switch_url(request: Request, parameter: str, value: str) -> str:
    """This page's URL with one switch changed; the search and the other switch are kept,
    so that both choices hold even in a browser that refuses cookies."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != parameter]
    query.append((parameter, value))
    return f"{request.url.path}?{urlencode(query)}"
