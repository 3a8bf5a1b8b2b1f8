"""The citizen pages: find a municipality, its services, one service."""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from itertools import groupby
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from schema.text import fold, matches
from web import queries
from web.data import QueryResult, run_query
from web.errors import (
    MUNICIPALITY_NOT_FOUND,
    SERVER_ERROR,
    SERVICE_NOT_FOUND,
    UNAVAILABLE,
    Crumb,
    render_error,
)
from web.labels import CATEGORY
from web.preferences import read_preferences
from web.routing import Example, Page
from web.templating import Renderer

log = logging.getLogger("planasmun.web")

#: Ids in URLs are slugs; anything else cannot exist, so it is a 404 without a query.
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Long enough for any real search, short enough to keep a crafted URL harmless.
_MAX_SEARCH = 100

Endpoint = Callable[[Request], Awaitable[Response]]


def _text_param(request: Request, name: str) -> str:
    return " ".join(request.query_params.get(name, "").split())[:_MAX_SEARCH]


def _category_param(request: Request) -> str | None:
    """The enum name for `?categoria=urbanismo`; an unknown value means every category."""
    value = request.query_params.get("categoria", "").strip().upper()
    return value if value in CATEGORY else None


@dataclasses.dataclass(frozen=True, slots=True)
class ProvinceGroup:
    province: str
    municipalities: list[Mapping[str, Any]]


def group_by_province(municipalities: Sequence[Mapping[str, Any]]) -> list[ProvinceGroup]:
    ordered = sorted(municipalities, key=lambda m: (fold(m["province"]), fold(m["name"])))
    return [
        ProvinceGroup(province, list(members))
        for province, members in groupby(ordered, key=lambda m: str(m["province"]))
    ]


class Pages:
    """Endpoints bound to the schema they query and the renderer they draw with."""

    def __init__(self, schema: strawberry.Schema, renderer: Renderer) -> None:
        self.schema = schema
        self.renderer = renderer

    def _guarded(self, endpoint: Endpoint) -> Endpoint:
        """A bug in a page still answers with the site's error page, and is logged."""

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Exception:
                log.exception("page %s failed", request.url.path)
                return render_error(request, SERVER_ERROR, renderer=self.renderer)

        return guarded

    async def _query(
        self, request: Request, query: str, variables: Mapping[str, Any] | None = None
    ) -> QueryResult:
        return await run_query(self.schema, request, query, variables)

    async def home(self, request: Request) -> Response:
        search = _text_param(request, "q")
        result = await self._query(request, queries.HOME)
        everyone: list[Mapping[str, Any]] = result.data["municipalities"]
        found = [
            m
            for m in everyone
            if matches(search, m["name"], m["province"], (m["parent"] or {}).get("name"))
        ]
        return self.renderer.render(
            request,
            read_preferences(request),
            "home.html",
            {
                "search": search,
                "groups": group_by_province(found),
                "found": len(found),
                "total": len(everyone),
                "problems": result.problems,
            },
        )

    async def municipality(self, request: Request) -> Response:
        municipality_id = request.path_params["id"]
        if not _SLUG.match(municipality_id):
            return render_error(request, MUNICIPALITY_NOT_FOUND, renderer=self.renderer)
        search = _text_param(request, "q")
        category = _category_param(request)
        result = await self._query(
            request,
            queries.MUNICIPALITY,
            {"id": municipality_id, "search": search or None, "category": category},
        )
        municipality = result.data.get("municipality")
        if municipality is None:
            page = UNAVAILABLE if result.problems else MUNICIPALITY_NOT_FOUND
            return render_error(request, page, renderer=self.renderer, problems=result.problems)
        catalogue = result.data.get("catalogue") or {}
        return self.renderer.render(
            request,
            read_preferences(request),
            "municipality.html",
            {
                "municipality": municipality,
                # None, not [], when the source failed: "no services" would be untrue.
                "services": catalogue.get("services"),
                "search": search,
                "category": category,
                "filtered": bool(search or category),
                "problems": result.problems,
            },
        )

    async def service(self, request: Request) -> Response:
        municipality_id = request.path_params["id"]
        service_id = request.path_params["service_id"]
        if not (_SLUG.match(municipality_id) and _SLUG.match(service_id)):
            return render_error(request, SERVICE_NOT_FOUND, renderer=self.renderer)
        result = await self._query(
            request,
            queries.SERVICE,
            {"municipality": municipality_id, "service": f"{municipality_id}:{service_id}"},
        )
        municipality = result.data.get("municipality")
        service = result.data.get("service")
        if municipality is None:
            page = UNAVAILABLE if result.problems else MUNICIPALITY_NOT_FOUND
            return render_error(request, page, renderer=self.renderer, problems=result.problems)
        if service is None:
            back = Crumb(
                municipality["name"], request.url_for("municipality", id=municipality_id).path
            )
            page = UNAVAILABLE if result.problems else SERVICE_NOT_FOUND
            return render_error(
                request, page, renderer=self.renderer, problems=result.problems, back=back
            )
        return self.renderer.render(
            request,
            read_preferences(request),
            "service.html",
            {"municipality": municipality, "service": service, "problems": result.problems},
        )

    def routes(self) -> list[Page]:
        """The pages, each with example URLs from the demo data for the audits."""
        return [
            Page(
                "/",
                self._guarded(self.home),
                name="home",
                examples=[
                    Example(),
                    Example(query={"q": "higuey"}),  # accent-insensitive: finds Higüey
                    Example(query={"q": "ciudad inexistente"}),
                ],
            ),
            Page(
                "/municipios/{id}",
                self._guarded(self.municipality),
                name="municipality",
                examples=[
                    Example({"id": "santiago"}),
                    Example({"id": "manabao"}),  # a junta: shows its parent
                    Example({"id": "santiago"}, {"q": "licencia", "categoria": "urbanismo"}),
                    Example({"id": "santiago"}, {"q": "ningun tramite asi"}),
                    Example({"id": "no-existe"}, status=404),
                ],
            ),
            Page(
                "/municipios/{id}/servicios/{service_id}",
                self._guarded(self.service),
                name="service",
                examples=[
                    Example({"id": "santiago", "service_id": "licencia-construccion"}),
                    Example({"id": "manabao", "service_id": "ayuda-social"}),  # free
                    Example({"id": "santiago", "service_id": "no-existe"}, status=404),
                ],
            ),
        ]
