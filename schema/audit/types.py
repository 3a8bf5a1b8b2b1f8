"""GraphQL types of a municipality's audit log: names and ids only, never values."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.paging import MAX_PAGE_SIZE, list_size
from store.audit import AuditRecord

#: Roles whose identifier a supervisor sees: people acting for a government.
_ACCOUNTABLE_ROLES = ("staff", "national_admin")


def shows_actor(actor_role: str) -> bool:
    """Staff and national administrators are named by identifier; citizens are not."""
    return actor_role.partition(":")[0] in _ACCOUNTABLE_ROLES


@strawberry.type(
    description="An entry of a municipality's audit log: who (staff identifier and role) "
    "did what, when, on which record, with which fields (names, never values) and why. "
    "The citizen concerned and the address the request came from are not shown."
)
class MunicipalityAuditEntry:
    seq: int = strawberry.field(description="The entry's position in the hub's whole log.")
    at: dt.datetime
    actor: str | None = strawberry.field(
        description="Who acted: the identity provider's identifier of the staff member or "
        "national administrator, not a name. Null when a citizen acted (on their own data): "
        "the log shows citizens to supervisors by role only."
    )
    actor_role: str = strawberry.field(
        description="'staff:<municipality>:<roles>', 'citizen', 'national_admin'…"
    )
    action: str = strawberry.field(
        description="read_personal_data, update_personal_data, erase_personal_data, "
        "export_personal_data, consent_recorded, access_denied…"
    )
    record_type: str | None = strawberry.field(
        description="What kind of record (service_request, citizen_profile…)."
    )
    record_id: str | None = strawberry.field(
        description="The record's opaque identifier; null where it would name the citizen."
    )
    fields: list[str] = strawberry.field(description="Which fields (names, never values).")
    purpose: str | None = strawberry.field(description="Why, as the actor stated it.")

    @classmethod
    def of(cls, record: AuditRecord) -> MunicipalityAuditEntry:
        return cls(
            seq=record.seq,
            at=record.at,
            actor=record.actor if shows_actor(record.actor_role) else None,
            actor_role=record.actor_role,
            action=record.action,
            record_type=record.record_type,
            record_id=None
            if record.record_id is not None and record.record_id == record.data_subject
            else record.record_id,
            fields=list(record.fields),
            purpose=record.purpose,
        )


@strawberry.type(description="A page of a municipality's audit log, newest first.")
class MunicipalityAuditLog:
    municipality_id: strawberry.ID
    entries: list[MunicipalityAuditEntry] = strawberry.field(
        directives=[list_size(MAX_PAGE_SIZE)]  # sized by `municipalityAuditLog(first:)`
    )
    has_more: bool = strawberry.field(description="Older entries exist beyond this page.")
    next_before: int | None = strawberry.field(
        description="Pass as `before` to read the next (older) page; null on the last page."
    )
