"""`failedDeliveries`: a municipality's failed deliveries, for those who review its log."""

from __future__ import annotations

import strawberry

from schema.audit.resolvers import IsReviewerOfMunicipality, out_of_range
from schema.context import HubContext, Info
from schema.deliveries.types import OUTBOX_RECORD, FailedDelivery
from schema.errors import PublicError, bad_argument
from schema.paging import paged
from store.outbox import MAX_FAILED_PAGE, Outbox
from words import Message

#: Items per page unless asked.
FAILED_PAGE = 50
#: Deepest offset: a person pages through dozens, not an export.
MAX_OFFSET = 10_000

DELIVERIES_FORBIDDEN = Message(
    "accounts",
    "Only the supervisors and administrators of that local government, and the national "
    "administration (Liga Municipal Dominicana), may see and retry its failed deliveries.",
).es
DELIVERIES_UNAVAILABLE = Message(
    "accounts", "Failed deliveries are not available right now. Try again later."
)


class IsDeliveryReviewer(IsReviewerOfMunicipality):
    """The audit log's reviewers of the `municipality_id` argument's municipality;
    a signed-in caller's refusal is audited as one about outbox items."""

    message = DELIVERIES_FORBIDDEN
    record_type = OUTBOX_RECORD


def outbox_of(context: HubContext) -> Outbox:
    if context.outbox is None:
        raise PublicError(DELIVERIES_UNAVAILABLE.es, code="DELIVERIES_UNAVAILABLE")
    return context.outbox


async def tracking_numbers(context: HubContext, request_ids: list[str]) -> dict[str, str]:
    """One query for a page's requests; none known without the request store."""
    if context.requests is None or not request_ids:
        return {}
    return await context.requests.tracking_numbers(request_ids)


@strawberry.type
class DeliveryQueries:
    @strawberry.field(
        description="A local government's failed deliveries (requests its system could not "
        "take, e-mails refused for good), most recently given up first: `first` of them "
        f"(1 to {MAX_FAILED_PAGE}) after `offset`. For supervisors and administrators of "
        "that municipality and national administrators; anyone else gets FORBIDDEN (and a "
        "signed-in caller's attempt is audited).",
        permission_classes=[IsDeliveryReviewer],
        directives=[paged(FAILED_PAGE)],
    )
    async def failed_deliveries(
        self,
        info: Info,
        municipality_id: strawberry.ID,
        first: int | None = FAILED_PAGE,
        offset: int | None = 0,
    ) -> list[FailedDelivery] | None:
        first = FAILED_PAGE if first is None else first
        offset = offset or 0
        if not 1 <= first <= MAX_FAILED_PAGE:
            raise bad_argument("first", out_of_range("first", 1, MAX_FAILED_PAGE))
        if not 0 <= offset <= MAX_OFFSET:
            raise bad_argument("offset", out_of_range("offset", 0, MAX_OFFSET))
        context = info.context
        items = await outbox_of(context).failed(str(municipality_id), limit=first, offset=offset)
        numbers = await tracking_numbers(
            context, [i.request_id for i in items if i.request_id is not None]
        )
        return [FailedDelivery.of(item, numbers.get(item.request_id or "")) for item in items]
