"""Live status of a request: `requestStatusChanged(trackingNumber)` over
graphql-transport-ws, fed by the context's event bus (`schema.events`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from schema.context import Info
from schema.errors import NotFound, PublicError
from schema.requests.access import NOT_FOUND, request_store
from schema.requests.resolvers import normal_tracking_number
from schema.requests.types import ServiceRequest
from words import Message

LIVE_UNAVAILABLE = Message(
    "schema",
    "Live updates are not available just now; reload the page to see the current status.",
)


@strawberry.type
class RequestSubscriptions:
    @strawberry.subscription(
        description="The request as anyone with its number sees it (personal fields only "
        "for its citizen and, with a purpose, staff), once as soon as the subscription is "
        "listening and then after each change of status, assignment or delivery."
    )
    async def request_status_changed(
        self, info: Info, tracking_number: str
    ) -> AsyncGenerator[ServiceRequest, None]:
        context = info.context
        number = normal_tracking_number(tracking_number)
        store = request_store(context)
        if number is None or await store.by_tracking_number(number) is None:
            raise NotFound(NOT_FOUND)
        if context.events is None:
            raise PublicError(LIVE_UNAVAILABLE, code="LIVE_UPDATES_UNAVAILABLE")
        updates = context.events.subscribe(number)
        try:
            async for _ in updates:
                record = await store.by_tracking_number(number)
                if record is not None:
                    yield ServiceRequest.of(record)
        finally:
            closer = getattr(updates, "aclose", None)
            if closer is not None:
                await closer()
