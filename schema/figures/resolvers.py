"""A local government's transaction figures, counted in the hub's store at the moment
they are asked for."""

from __future__ import annotations

import datetime as dt

from schema.context import HubContext
from schema.errors import PublicError
from schema.figures.periods import FiguresPeriod, period_start
from schema.figures.types import TransactionFigures, published_figures
from store.request_figures import request_figures
from words import Message

__all__ = ["FIGURES_DOWN", "figures_of"]

FIGURES_DOWN = Message(
    "schema", "The figures of requests are not available just now. Please try again later."
)


async def figures_of(
    context: HubContext, municipality_id: str, period: FiguresPeriod
) -> TransactionFigures:
    if context.requests is None:
        raise PublicError(FIGURES_DOWN, code="FIGURES_UNAVAILABLE")
    now = context.requests.now()
    since = period_start(period, now)
    offset = since.utcoffset() or dt.timedelta()
    counted = await request_figures(
        context.requests.engine, municipality_id, since, utc_offset=offset
    )
    return published_figures(municipality_id, period, since, now, counted)
