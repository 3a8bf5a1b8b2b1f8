"""`municipalityAuditLog`: a municipality's audit log for its supervisors."""

from __future__ import annotations

import re
from typing import Any

import strawberry
from strawberry.permission import BasePermission

from schema.audit.types import MunicipalityAuditEntry, MunicipalityAuditLog
from schema.context import HubContext, Info
from schema.errors import PublicError
from schema.paging import list_size
from schema.personal import actor_role, append_audit, client_address, forbidden
from schema.principal import Principal, StaffRole
from store.audit import AuditEntry, KnownAction
from words import Message

#: Entries per page unless asked, and at most.
AUDIT_LOG_PAGE = 50
MAX_AUDIT_LOG_PAGE = 200

#: Municipality ids are slugs; anything else names no municipality.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

#: Roles in a municipality that may review its audit log.
REVIEWER_ROLES = frozenset({StaffRole.SUPERVISOR, StaffRole.ADMIN})

AUDIT_FORBIDDEN = Message(
    "accounts",
    "Only the supervisors and administrators of that local government, and the national "
    "administration (Liga Municipal Dominicana), may see its access log.",
).es
LOG_UNAVAILABLE = Message("accounts", "The access log is not available right now. Try again later.")


def out_of_range(argument: str, low: int, high: int) -> str:
    """The refusal of a paging argument outside `low`..`high` (in Spanish)."""
    return Message(
        "accounts",
        "The argument '%(argument)s' must be between %(low)s and %(high)s.",
        {"argument": argument, "low": low, "high": high},
    ).es


def may_review(principal: Principal, municipality_id: str) -> bool:
    """A supervisor or administrator of that municipality, or a national administrator."""
    if principal.is_national_admin:
        return True
    return any(principal.has_role(municipality_id, role) for role in REVIEWER_ROLES)


class IsReviewerOfMunicipality(BasePermission):
    """Supervisors and administrators of the `municipality_id` argument's municipality,
    and national administrators. A signed-in caller's refusal is audited.

    Other supervisors' views (e.g. failed deliveries) subclass it with their own
    `message` and the `record_type` their refusals are audited under."""

    message = AUDIT_FORBIDDEN
    record_type = "audit_log"

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        context: HubContext = info.context
        principal = context.principal
        wanted = str(kwargs.get("municipality_id", ""))
        municipality = wanted if _SLUG.fullmatch(wanted) else None
        if municipality is not None and may_review(principal, municipality):
            return True
        if principal.is_authenticated:
            await append_audit(
                context,
                AuditEntry(
                    actor=principal.subject or "anonymous",
                    actor_role=actor_role(principal, municipality),
                    action=KnownAction.ACCESS_DENIED,
                    record_type=self.record_type,
                    fields=[info.field_name],
                    municipality_id=municipality,
                    client_address=client_address(context),
                ),
            )
        return False

    def on_unauthorized(self) -> None:
        raise forbidden(self.message or AUDIT_FORBIDDEN)


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="A municipality's audit log, newest first: every read of personal data "
        "by its staff, every change to it, and every refused attempt. For supervisors and "
        "administrators of that municipality and for national administrators; anyone else "
        "gets FORBIDDEN (and a signed-in caller's attempt is audited). Page backwards with "
        "`before` (an entry's `seq`, from `nextBefore`).",
        permission_classes=[IsReviewerOfMunicipality],
        directives=[list_size(slicing=("first",), sized=("entries",))],
    )
    async def municipality_audit_log(
        self,
        info: Info,
        municipality_id: strawberry.ID,
        first: int = AUDIT_LOG_PAGE,
        before: int | None = None,
    ) -> MunicipalityAuditLog | None:
        if not 1 <= first <= MAX_AUDIT_LOG_PAGE:
            raise PublicError(
                out_of_range("first", 1, MAX_AUDIT_LOG_PAGE),
                code="BAD_USER_INPUT",
                argument="first",
            )
        if before is not None and before < 1:
            raise PublicError(
                Message(
                    "accounts", "The argument 'before' must be the number of an entry (1 or more)."
                ).es,
                code="BAD_USER_INPUT",
                argument="before",
            )
        log = info.context.audit_log
        if log is None:
            raise PublicError(LOG_UNAVAILABLE.es, code="AUDIT_LOG_UNAVAILABLE")
        # One more than asked: whether older entries exist, without counting them all.
        records = await log.entries(
            municipality_id=str(municipality_id),
            limit=first + 1,
            before_seq=before,
            newest_first=True,
        )
        page = records[:first]
        has_more = len(records) > first
        return MunicipalityAuditLog(
            municipality_id=municipality_id,
            entries=[MunicipalityAuditEntry.of(r) for r in page],
            has_more=has_more,
            next_before=page[-1].seq if has_more and page else None,
        )
