"""GraphQL types of failed deliveries: ids, codes and tracking numbers, no personal data."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from schema.deliveries.explanations import explain
from schema.language import Language, worded
from store.outbox import OutboxItem, OutboxKind

#: What the audit log calls an outbox item (a refusal to show them, a retry of one).
OUTBOX_RECORD = "outbox_item"


@strawberry.enum(description="What a delivery carries, and to whom.")
class DeliveryKind(enum.Enum):
    REQUEST_TO_SYSTEM = "request_to_system"
    EMAIL_TO_CITIZEN = "email_to_citizen"

    @classmethod
    def of(cls, kind: OutboxKind) -> DeliveryKind:
        return _KINDS[kind]


_KINDS = {
    OutboxKind.DELIVER_REQUEST: DeliveryKind.REQUEST_TO_SYSTEM,
    OutboxKind.EMAIL: DeliveryKind.EMAIL_TO_CITIZEN,
}


@strawberry.type(
    description="A delivery the hub gave up on: it can never succeed as it is, and waits "
    "for a person to fix the cause and retry it (`retryDelivery`)."
)
class FailedDelivery:
    id: strawberry.ID
    municipality_id: strawberry.ID
    kind: DeliveryKind
    tracking_number: str | None = strawberry.field(
        description="The request's tracking number; null if the request no longer exists "
        "(cancelled, for example)."
    )
    error_code: str | None = strawberry.field(
        description="Why it failed: UPSTREAM_REFUSED, UPSTREAM_MAPPING, SMTP_RECIPIENT_REFUSED, "
        "REQUEST_NOT_FOUND…"
    )
    reason: str | None = strawberry.field(
        description="What the local government's system said when it refused the request "
        "(UPSTREAM_REFUSED), in its own words with any personal data taken out; null for "
        "other failures."
    )
    attempts: int = strawberry.field(description="Attempts made so far.")
    created_at: dt.datetime = strawberry.field(description="When the delivery was queued.")
    failed_at: dt.datetime | None = strawberry.field(
        description="When the hub gave up; null for deliveries given up before it recorded "
        "that time."
    )

    @strawberry.field(description="What the error code means and what to do, in plain words.")
    def explanation(self, language: Language = Language.ES) -> str:
        return worded(explain(self.error_code), language)

    @classmethod
    def of(cls, item: OutboxItem, tracking_number: str | None) -> FailedDelivery:
        return cls(
            id=strawberry.ID(item.id),
            municipality_id=strawberry.ID(item.municipality_id),
            kind=DeliveryKind.of(item.kind),
            tracking_number=tracking_number,
            error_code=item.last_error,
            reason=item.reason,
            attempts=item.attempts,
            created_at=item.created_at,
            failed_at=item.done_at,
        )


@strawberry.type(description="A delivery put back in the outbox, due at once.")
class RetriedDelivery:
    id: strawberry.ID
    kind: DeliveryKind
    tracking_number: str | None
    attempts: int = strawberry.field(
        description="Attempts made before: kept, so that the next attempt first asks the "
        "municipality's system whether an earlier one arrived."
    )
