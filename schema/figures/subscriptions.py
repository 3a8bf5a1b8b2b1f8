"""`transactionFiguresChanged(municipalityId)`: a local government's figures again each
time one of its requests is submitted or changes (`schema.events.figures_topic`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from schema.context import Info
from schema.errors import NotFound, PublicError
from schema.events import figures_topic
from schema.figures.periods import FiguresPeriod
from schema.figures.resolvers import figures_of
from schema.figures.types import TransactionFigures
from words import Message

UNKNOWN = Message("schema", "There is no local government with that id on PLANASMUN.")
LIVE_UNAVAILABLE = Message(
    "schema", "Live updates are not available just now; reload the page to see new figures."
)


@strawberry.type
class FiguresSubscriptions:
    @strawberry.subscription(
        description="A local government's transaction figures, once as soon as the "
        "subscription is listening and then after each request of it is submitted or "
        "changes status (received through the hub, or read back from its own system)."
    )
    async def transaction_figures_changed(
        self,
        info: Info,
        municipality_id: strawberry.ID,
        period: FiguresPeriod = FiguresPeriod.MONTH,
    ) -> AsyncGenerator[TransactionFigures, None]:
        context = info.context
        config = context.federation.get(str(municipality_id))
        if config is None:
            raise NotFound(UNKNOWN)
        if context.events is None:
            raise PublicError(LIVE_UNAVAILABLE, code="LIVE_UPDATES_UNAVAILABLE")
        updates = context.events.subscribe(figures_topic(config.file.short_code))
        try:
            async for _ in updates:
                yield await figures_of(context, config.id, period)
        finally:
            closer = getattr(updates, "aclose", None)
            if closer is not None:
                await closer()
