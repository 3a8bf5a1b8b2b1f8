"""Error pages in the site's layout, for page routes and for any path at all.

`exception_handlers()` is for the application (`Starlette(exception_handlers=...)`): an
unknown path or an unexpected exception gets the same accessible page as the rest of the
site when a browser asks for HTML, and a plain-text answer otherwise (API clients).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from web.data import Problem
from web.labels import N_
from web.preferences import read_preferences
from web.templating import Renderer, default_renderer

log = logging.getLogger("planasmun.web")


@dataclasses.dataclass(frozen=True, slots=True)
class ErrorPage:
    """Heading and explanation are catalogue message ids, translated when rendered."""

    status: int
    heading: str
    explanation: str


NOT_FOUND = ErrorPage(
    404,
    N_("Page not found"),
    N_(
        "If you typed the web address, check it is correct. "
        "If you pasted it, check you copied the entire address."
    ),
)
MUNICIPALITY_NOT_FOUND = ErrorPage(
    404,
    N_("Municipality not found"),
    N_("There is no local government at this address on PLANASMUN. It may not have joined yet."),
)
SERVICE_NOT_FOUND = ErrorPage(
    404,
    N_("Service not found"),
    N_("This local government has no service at this address. It may have been renamed."),
)
UNAVAILABLE = ErrorPage(
    503,
    N_("This information is not available right now"),
    N_("The local government's own system did not answer. Please try again in a few minutes."),
)
SERVER_ERROR = ErrorPage(
    500,
    N_("Sorry, there is a problem with the service"),
    N_("The problem has been recorded. Please try again later."),
)


@dataclasses.dataclass(frozen=True, slots=True)
class Crumb:
    text: str
    url: str


def render_error(
    request: Request,
    page: ErrorPage,
    *,
    renderer: Renderer | None = None,
    problems: Sequence[Problem] = (),
    back: Crumb | None = None,
) -> Response:
    """The error page; `back` links to the nearest page that does exist."""
    return (renderer or default_renderer()).render(
        request,
        read_preferences(request),
        "error.html",
        {"error": page, "problems": problems, "back": back},
        status_code=page.status,
    )


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, exc: Exception) -> Response:
    if not _wants_html(request):
        return PlainTextResponse("Not Found", status_code=404)
    return render_error(request, NOT_FOUND)


async def server_error(request: Request, exc: Exception) -> Response:
    if not _wants_html(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    try:
        return render_error(request, SERVER_ERROR)
    except Exception:  # the error page must answer even when rendering is what broke
        log.exception("the error page could not be rendered")
        return PlainTextResponse("Internal Server Error", status_code=500)


ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


def exception_handlers() -> Mapping[Any, ExceptionHandler]:
    """For `Starlette(exception_handlers=...)`: HTML 404 and 500 pages for browsers."""
    return {404: not_found, 500: server_error}
