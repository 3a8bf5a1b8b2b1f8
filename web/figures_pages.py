"""The public page of a local government's service-transaction figures
(`/municipios/<id>/estadisticas`): a table per period (today, this month, this year).

Without JavaScript the page shows the figures counted when it was loaded, and says so;
`estadisticas.js` follows `transactionFiguresChanged` and redraws the table's cells.
Every figure is an aggregate in which counts under 5 read "menos de 5".
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from web.errors import MUNICIPALITY_NOT_FOUND, UNAVAILABLE, Crumb
from web.formatting import PageFormats
from web.labels import N_
from web.operations import operation
from web.page_base import PageBase
from web.preferences import read_preferences
from web.routing import Example, Page

__all__ = ["FiguresPages"]

FIGURES = operation("WebTransactionFigures")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: `?periodo=` in the URL → the schema's period, and the period's name on the page.
PERIODS = {
    "hoy": ("TODAY", N_("Today")),
    "mes": ("MONTH", N_("This month")),
    "ano": ("YEAR", N_("This year")),
}
DEFAULT_PERIOD = "mes"


class FiguresPages(PageBase):
    """Public, and nothing on it is personal: aggregates only."""

    async def figures(self, request: Request) -> Response:
        municipality_id = request.path_params["id"]
        if not _SLUG.match(municipality_id):
            return self._error(request, MUNICIPALITY_NOT_FOUND)
        chosen = request.query_params.get("periodo", DEFAULT_PERIOD)
        if chosen not in PERIODS:
            chosen = DEFAULT_PERIOD
        preferences = read_preferences(request)
        result = await self._query(
            request,
            FIGURES,
            {
                "id": municipality_id,
                "period": PERIODS[chosen][0],
                "language": preferences.language.value.upper(),
            },
        )
        municipality = result.data.get("municipality")
        if municipality is None:
            page = UNAVAILABLE if result.problems else MUNICIPALITY_NOT_FOUND
            return self._error(request, page, result.problems)
        return self._render(
            request,
            "figures.html",
            {
                "municipality": municipality,
                "back": Crumb(
                    municipality["name"],
                    request.url_for("municipality", id=municipality_id).path,
                ),
                "figures": municipality.get("transactionFigures"),
                "chosen": chosen,
                "periods": PERIODS,
                "fmt": PageFormats(preferences.language.locale),
                "problems": result.problems,
            },
        )

    def routes(self) -> list[Page]:
        return [
            Page(
                "/municipios/{id}/estadisticas",
                self._guarded(self.figures),
                name="municipality_figures",
                examples=[
                    Example({"id": "santo-domingo-este"}),
                    Example({"id": "jarabacoa"}, {"periodo": "ano"}),
                    Example({"id": "no-existe"}, status=404),
                ],
            )
        ]
