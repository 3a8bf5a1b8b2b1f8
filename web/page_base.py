"""What every page class shares: guard an endpoint, run a GraphQL operation, render.

A page class binds endpoints to the schema they query and the renderer they draw with.
It says only what is its own through three hooks:

- `_admit(request)`: who may come in (sign-in, roles); a response turns the visitor away
  and is answered as it is.
- `_refusal(request, error)`: the answer to an exception an endpoint raises on purpose
  (a 403, a 404); any other exception is a bug, logged and answered with the error page.
- `_shared(request, preferences)`: what every template of the class is given.

`private = True` (for the class, or `_guarded(…, private=True)` for one route) marks the
answers as personal: `Cache-Control: private, no-store`, never kept by a shared cache.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar

import strawberry
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from schema.personal import data_subject_of
from schema.principal import principal_from_connection
from web.data import QueryResult, run_query
from web.errors import SERVER_ERROR, Crumb, ErrorPage, render_error
from web.links import login_link
from web.preferences import Preferences, read_preferences
from web.templating import Renderer

log = logging.getLogger("planasmun.web")

Endpoint = Callable[[Request], Awaitable[Response]]

PRIVATE = "private, no-store"


class PageBase:
    """Endpoints bound to the schema they query and the renderer they draw with."""

    #: Every answer of the class is personal (see `_guarded`).
    private: ClassVar[bool] = False

    def __init__(self, schema: strawberry.Schema, renderer: Renderer) -> None:
        self.schema = schema
        self.renderer = renderer

    # -- Hooks -------------------------------------------------------------------------

    def _admit(self, request: Request) -> Response | None:
        """`None` lets the visitor in; a response turns them away (answered as it is)."""
        return None

    def _refusal(self, request: Request, error: Exception) -> Response | None:
        """The answer to an exception raised on purpose; `None`: a bug."""
        return None

    def _shared(self, request: Request, preferences: Preferences) -> Mapping[str, Any]:
        """What every template of the class is given (a page's own context wins)."""
        return {}

    # -- Guard, query, render ----------------------------------------------------------

    def _guarded(self, endpoint: Endpoint, *, private: bool | None = None) -> Endpoint:
        """The endpoint behind `_admit`; a bug in it still answers with the site's error
        page, and is logged."""
        personal = self.private if private is None else private

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            turned_away = self._admit(request)
            if turned_away is not None:
                return turned_away
            try:
                response = await endpoint(request)
            except Exception as error:
                refused = self._refusal(request, error)
                if refused is None:
                    log.exception("page %s failed", request.url.path)
                    refused = render_error(request, SERVER_ERROR, renderer=self.renderer)
                response = refused
            if personal:
                response.headers["Cache-Control"] = PRIVATE
            return response

        return guarded

    async def _query(
        self, request: Request, operation: str, variables: Mapping[str, Any] | None = None
    ) -> QueryResult:
        """Run one of the page's operations in-process, as the visitor."""
        return await run_query(self.schema, request, operation, variables)

    def _render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
    ) -> Response:
        preferences = read_preferences(request)
        full = {**self._shared(request, preferences), **context}
        return self.renderer.render(request, preferences, template, full, status_code=status_code)

    def _error(
        self,
        request: Request,
        page: ErrorPage,
        problems: Sequence[Any] = (),
        back: Crumb | None = None,
    ) -> Response:
        """The site's error page (`web.errors`)."""
        return render_error(request, page, renderer=self.renderer, problems=problems, back=back)

    # -- Who is there ------------------------------------------------------------------

    @staticmethod
    def _person(request: Request) -> str | None:
        """The signed-in person's subject (a browser session, not a bare token)."""
        if "session" not in request.scope:
            return None
        return data_subject_of(principal_from_connection(request))

    def _sign_in(self, request: Request, template: str) -> Response:
        """To sign in and back to this route's path; without a login route, a 401 page."""
        link = login_link(request, getattr(request.scope.get("route"), "name", None))
        if link is not None:
            return RedirectResponse(link, status_code=303)
        return self._render(request, template, {}, status_code=401)
