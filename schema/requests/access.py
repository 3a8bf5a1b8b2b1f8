"""Who may work a request: staff of the local government that owns it, by role; each
refusal of a signed-in caller, and each change, written to the audit log."""

from __future__ import annotations

from collections.abc import Collection

from schema.context import HubContext
from schema.errors import NotFound, PublicError
from schema.personal import actor_role, append_audit, client_address, forbidden
from schema.principal import StaffRole
from store.audit import AuditEntry, KnownAction
from store.requests import RequestStore
from store.requests import ServiceRequest as StoredRequest
from words import Message

#: What the audit log calls a service request.
REQUEST_RECORD = "service_request"

WORKERS = frozenset({StaffRole.AGENT, StaffRole.SUPERVISOR})
SUPERVISORS = frozenset({StaffRole.SUPERVISOR})

STAFF_ONLY = Message(
    "schema",
    "Only staff of the local government responsible for the request may do this (agents "
    "and supervisors).",
)
SUPERVISOR_ONLY = Message(
    "schema", "Only a supervisor of the responsible local government may assign requests."
)
SIGN_IN_AS_STAFF = Message(
    "schema", "Sign in as staff of the local government to work on requests."
)
NOT_FOUND = Message("schema", "There is no request with that tracking number.")
STORE_DOWN = Message("schema", "Requests are not available just now. Please try again later.")


def request_store(context: HubContext) -> RequestStore:
    if context.requests is None:
        raise PublicError(STORE_DOWN, code="REQUESTS_UNAVAILABLE")
    return context.requests


async def deny(
    context: HubContext,
    *,
    municipality_id: str | None,
    record_type: str,
    record_id: str | None,
    fields: list[str],
    data_subject: str | None = None,
    message: str | Message = STAFF_ONLY,
) -> PublicError:
    """Audit a signed-in caller's refusal; the error to raise."""
    principal = context.principal
    if not principal.is_authenticated:
        return PublicError(SIGN_IN_AS_STAFF, code="UNAUTHENTICATED")
    await append_audit(
        context,
        AuditEntry(
            actor=principal.subject or "anonymous",
            actor_role=actor_role(principal, municipality_id),
            action=KnownAction.ACCESS_DENIED,
            record_type=record_type,
            record_id=record_id,
            fields=fields,
            municipality_id=municipality_id,
            client_address=client_address(context),
            data_subject=data_subject,
        ),
    )
    return forbidden(message)


def may_work(context: HubContext, municipality_id: str, roles: Collection[StaffRole]) -> bool:
    principal = context.principal
    return any(principal.has_role(municipality_id, role) for role in roles)


async def staff_request(
    context: HubContext,
    tracking_number: str,
    roles: Collection[StaffRole],
    fields: list[str],
    message: str | Message = STAFF_ONLY,
) -> StoredRequest:
    """The request, when the caller holds one of `roles` in its municipality."""
    store = request_store(context)
    found = await store.by_tracking_number(tracking_number)
    if found is None:
        if not context.principal.is_authenticated:
            raise PublicError(SIGN_IN_AS_STAFF, code="UNAUTHENTICATED")
        raise NotFound(NOT_FOUND)
    if not may_work(context, found.municipality_id, roles):
        raise await deny(
            context,
            municipality_id=found.municipality_id,
            record_type=REQUEST_RECORD,
            record_id=found.id,
            fields=fields,
            data_subject=found.citizen_subject,
            message=message,
        )
    return found


async def audit_change(
    context: HubContext, record: StoredRequest, action: str, fields: list[str], purpose: str
) -> None:
    principal = context.principal
    await append_audit(
        context,
        AuditEntry(
            actor=principal.subject or "anonymous",
            actor_role=actor_role(principal, record.municipality_id),
            action=action,
            record_type=REQUEST_RECORD,
            record_id=record.id,
            fields=fields,
            municipality_id=record.municipality_id,
            client_address=client_address(context),
            purpose=purpose,
            data_subject=record.citizen_subject,
        ),
    )
