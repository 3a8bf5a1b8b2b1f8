"""The citizen pages: find a municipality, its services, one service.

The municipality is asked for twice under two names: its own fields, and its catalogue.
A source that fails nulls only the part that depends on it, so the page can still show
the municipality's name and contact when its catalogue is unreachable.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schema.text import fold, matches
from web.errors import MUNICIPALITY_NOT_FOUND, SERVICE_NOT_FOUND, UNAVAILABLE, Crumb
from web.labels import CATEGORY
from web.operations import operation
from web.page_base import PageBase
from web.routing import Example, Page

#: Ids in URLs are slugs; anything else cannot exist, so it is a 404 without a query.
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Long enough for any real search, short enough to keep a crafted URL harmless.
_MAX_SEARCH = 100

HOME = operation("WebHome")
MUNICIPALITY = operation("WebMunicipality")
SERVICE = operation("WebService")


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


class Pages(PageBase):
    """The public pages: anyone may see them, and nothing on them is personal."""

    async def home(self, request: Request) -> Response:
        search = _text_param(request, "q")
        result = await self._query(request, HOME)
        everyone: list[Mapping[str, Any]] = result.data["municipalities"]
        found = [
            m
            for m in everyone
            if matches(search, m["name"], m["province"], (m["parent"] or {}).get("name"))
        ]
        return self._render(
            request,
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
            return self._error(request, MUNICIPALITY_NOT_FOUND)
        search = _text_param(request, "q")
        category = _category_param(request)
        result = await self._query(
            request,
            MUNICIPALITY,
            {"id": municipality_id, "search": search or None, "category": category},
        )
        municipality = result.data.get("municipality")
        if municipality is None:
            page = UNAVAILABLE if result.problems else MUNICIPALITY_NOT_FOUND
            return self._error(request, page, result.problems)
        catalogue = result.data.get("catalogue") or {}
        return self._render(
            request,
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
            return self._error(request, SERVICE_NOT_FOUND)
        result = await self._query(
            request,
            SERVICE,
            {"municipality": municipality_id, "service": f"{municipality_id}:{service_id}"},
        )
        municipality = result.data.get("municipality")
        service = result.data.get("service")
        if municipality is None:
            page = UNAVAILABLE if result.problems else MUNICIPALITY_NOT_FOUND
            return self._error(request, page, result.problems)
        if service is None:
            back = Crumb(
                municipality["name"], request.url_for("municipality", id=municipality_id).path
            )
            page = UNAVAILABLE if result.problems else SERVICE_NOT_FOUND
            return self._error(request, page, result.problems, back)
        return self._render(
            request,
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
