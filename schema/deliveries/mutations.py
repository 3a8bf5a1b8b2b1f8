"""`retryDelivery`: put a failed delivery back in the outbox once its cause is fixed."""

from __future__ import annotations

import re

import strawberry

from schema.context import Info
from schema.deliveries.resolvers import IsDeliveryReviewer, outbox_of, tracking_numbers
from schema.deliveries.types import OUTBOX_RECORD, DeliveryKind, RetriedDelivery
from schema.errors import PublicError
from schema.personal import actor_role, append_audit, client_address
from store.audit import AuditEntry
from store.outbox import OutboxState
from words import Message

#: The audit log's action for a retry (any snake_case action is accepted there).
DELIVERY_RETRIED = "delivery_retried"
#: Why the audit log's entry was written, in the log's language (Spanish).
RETRY_PURPOSE = Message("accounts", "Retry of a failed delivery").es

#: Outbox item ids are 32 hex digits; anything else names no item.
_ITEM_ID = re.compile(r"[0-9a-f]{32}")

NOT_FAILED = Message(
    "accounts",
    "That delivery is not among this local government's failed deliveries: it may have "
    "been retried or delivered already. Reload the list.",
)


def not_failed() -> PublicError:
    return PublicError(NOT_FAILED.es, code="DELIVERY_NOT_FAILED", argument="id")


@strawberry.type
class DeliveryMutations:
    @strawberry.mutation(
        description="Put a failed delivery of the local government back in the outbox, due "
        "at once (fix its cause first: the error code says what it was). Attempts are kept, "
        "so the municipality's system is asked whether an earlier attempt arrived before "
        "anything is sent again. For those who may see `failedDeliveries`; audited. "
        "DELIVERY_NOT_FAILED when the item is not a failed delivery of that municipality "
        "(retried or delivered already): nothing changes.",
        permission_classes=[IsDeliveryReviewer],
    )
    async def retry_delivery(
        self, info: Info, municipality_id: strawberry.ID, id: strawberry.ID
    ) -> RetriedDelivery | None:
        context = info.context
        outbox = outbox_of(context)
        municipality = str(municipality_id)
        item = await outbox.item(str(id)) if _ITEM_ID.fullmatch(str(id)) else None
        if item is None or item.municipality_id != municipality:
            raise not_failed()
        if item.state is not OutboxState.FAILED:
            raise not_failed()
        principal = context.principal
        # Written before the change, as every change is: never a retry without its entry.
        await append_audit(
            context,
            AuditEntry(
                actor=principal.subject or "anonymous",
                actor_role=actor_role(principal, municipality),
                action=DELIVERY_RETRIED,
                record_type=OUTBOX_RECORD,
                record_id=item.id,
                fields=["state"],
                municipality_id=municipality,
                client_address=client_address(context),
                purpose=RETRY_PURPOSE,
            ),
        )
        if not await outbox.retry(item.id, municipality):
            raise not_failed()  # someone else retried it just now
        numbers = await tracking_numbers(context, [item.request_id] if item.request_id else [])
        number = numbers.get(item.request_id or "")
        if number is not None and context.requests is not None:
            # Wakes this process's delivery worker at once (others find it when they poll).
            context.requests.announce(number)
        return RetriedDelivery(
            id=strawberry.ID(item.id),
            kind=DeliveryKind.of(item.kind),
            tracking_number=number,
            attempts=item.attempts,
        )
