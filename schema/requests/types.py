"""GraphQL types of citizens' service requests and of a service's request fields.

`ServiceRequest` holds personal fields (listed in `schema.personal.PERSONAL_FIELDS`,
guarded by `@personal_data`): the citizen who submitted it and staff of the owning local
government (audited, with a purpose) read them; anyone else gets null and FORBIDDEN. The
rest (service, status, dates, public notes) is what anyone with the tracking number sees.
`assignedTo` is for staff of the owning local government only.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry

from schema.context import Info
from schema.errors import PublicError
from schema.language import Language, worded
from schema.municipalities.types import Municipality
from schema.paging import list_size
from schema.personal import IsStaffOf, Ownership, ownership_of, personal_data, record_access
from schema.principal import StaffRole
from schema.requests.access import REQUEST_RECORD
from schema.requests.attachments import MAX_FILES, download_url
from schema.services.types import Service
from store import requests as store
from store.audit import KnownAction
from words import Message

#: Dominican time (no daylight saving): "overdue" turns at local midnight.
DOMINICAN_TIME = dt.timezone(dt.timedelta(hours=-4), "AST")


def dominican_today() -> dt.date:
    return dt.datetime.now(DOMINICAN_TIME).date()


@strawberry.enum(
    description="Where a request stands: RECIBIDA → EN_REVISION → EN_PROCESO → RESUELTA, "
    "or RECHAZADA (with the reason in the history's note) at any step before it is resolved."
)
class RequestStatus(enum.Enum):
    RECIBIDA = "RECIBIDA"
    EN_REVISION = "EN_REVISION"
    EN_PROCESO = "EN_PROCESO"
    RESUELTA = "RESUELTA"
    RECHAZADA = "RECHAZADA"

    @property
    def stored(self) -> store.RequestStatus:
        return store.RequestStatus(self.value)

    @classmethod
    def of(cls, status: store.RequestStatus) -> RequestStatus:
        return cls(status.value)


STATUS_LABELS: dict[RequestStatus, Message] = {
    RequestStatus.RECIBIDA: Message("schema", "Received"),
    RequestStatus.EN_REVISION: Message("schema", "Under review"),
    RequestStatus.EN_PROCESO: Message("schema", "In progress"),
    RequestStatus.RESUELTA: Message("schema", "Resolved"),
    RequestStatus.RECHAZADA: Message("schema", "Rejected"),
}


@strawberry.type(description="A change of a request's status. The note is public.")
class StatusChange:
    status: RequestStatus
    at: dt.datetime
    note: str | None


@strawberry.type(description="An answer to one of the service's own questions.")
class RequestAnswer:
    code: str
    value: str


@personal_data
@strawberry.type(
    description="A file the citizen attached to the request (a JPEG or PNG photo, or a PDF). "
    "Its name is personal data: only the citizen who sent it and staff of the owning local "
    "government (audited, with a purpose) read it. `downloadUrl` serves the bytes to the "
    "same people only."
)
class RequestAttachment:
    ownership: strawberry.Private[Ownership]
    id: strawberry.ID
    content_type: str = strawberry.field(
        description="What the file really is, from its content: image/jpeg, image/png or "
        "application/pdf."
    )
    size: int = strawberry.field(description="In bytes.")
    filename: str | None = strawberry.field(
        description="The name the file had on the citizen's device (personal data)."
    )

    @strawberry.field(
        description="Where to download it, relative to the hub's address "
        "(/solicitudes/adjuntos/<id>). Staff of the owning local government add "
        "`?finalidad=<why>` (written to the audit log); anyone else gets 404."
    )
    def download_url(self) -> str:
        return download_url(str(self.id))


class IsRequestStaff(IsStaffOf):
    """Agents and supervisors of the local government that owns the request. A signed-in
    caller's refusal joins the audit entry of the request's other refused fields (one
    entry per request reached, naming it)."""

    roles = frozenset({StaffRole.AGENT, StaffRole.SUPERVISOR})
    message = Message(
        "schema", "Only staff of the local government responsible for the request may see this."
    ).es

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        ownership = ownership_of(source)
        principal = info.context.principal
        municipality = ownership.municipality_id
        if municipality is not None and self.allows(principal, municipality):
            return True
        if principal.is_authenticated:
            await record_access(info, source, ownership, KnownAction.ACCESS_DENIED)
        return False


@personal_data
@strawberry.type(
    description="A citizen's request to a local government, by its tracking number. Anyone "
    "with the number sees the service, status, dates and public notes; the personal fields "
    "(description, address, location, answers, attachments) resolve only for the citizen "
    "who submitted it and for staff of that local government (each staff read audited, "
    "with a purpose)."
)
class ServiceRequest:
    ownership: strawberry.Private[Ownership]
    record: strawberry.Private[store.ServiceRequest]
    tracking_number: str = strawberry.field(
        description="E.g. SDE-2026-000123: short code, year, number."
    )
    service_id: str = strawberry.field(description="The service's id in its municipality.")
    service_name: str = strawberry.field(description="The service's name when submitted.")
    status: RequestStatus
    submitted_at: dt.datetime
    updated_at: dt.datetime
    expected_by: dt.date | None = strawberry.field(
        description="When it should be resolved, from the service's duration in working days."
    )
    history: list[StatusChange] = strawberry.field(
        description="Every status, oldest first.",
        # The workflow allows four changes after RECIBIDA; a few more read back from upstream.
        directives=[list_size(10)],
    )
    delivered_to_municipality: bool = strawberry.field(
        description="True once the local government's own system holds it (always true "
        "where the hub is that system)."
    )
    refused_by_municipality: bool = strawberry.field(
        description="True when the local government's system refused the request as it "
        "was sent (an inactive procedure, a detail it does not take): it has not reached "
        "their staff, and the citizen was told what to do."
    )
    refusal_reason: str | None = strawberry.field(
        description="What the local government's system said when it refused it, without "
        "personal data; null unless `refusedByMunicipality`."
    )
    description: str | None = strawberry.field(description="What the citizen wrote.")
    address: str | None
    latitude: float | None
    longitude: float | None
    answers: list[RequestAnswer] | None = strawberry.field(
        description="The answers to the service's own questions.",
        # One per question, or per chosen key of a multiple choice.
        directives=[list_size(40)],
    )
    attachments: list[RequestAttachment] | None = strawberry.field(
        description="The files the citizen attached (none after their data was erased).",
        directives=[list_size(MAX_FILES)],
    )

    @strawberry.field(description="Whether it is past `expectedBy` and not yet closed.")
    def overdue(self) -> bool:
        return self.record.is_overdue(dominican_today())

    @strawberry.field(description="The status in words.")
    def status_label(self, language: Language = Language.ES) -> str:
        return worded(STATUS_LABELS[self.status], language)

    @strawberry.field
    def municipality(self, info: Info) -> Municipality:
        config = info.context.federation.get(self.record.municipality_id)
        if config is None:
            raise PublicError(
                Message("schema", "This local government is no longer in PLANASMUN."),
                code="UNKNOWN_MUNICIPALITY",
            )
        return Municipality(config=config)

    @strawberry.field(description="The service as its local government describes it today.")
    async def service(self, info: Info) -> Service | None:
        record = await info.context.loaders.service_by_key.load(
            (self.record.municipality_id, self.record.service_id)
        )
        if record is None:
            return None
        config = info.context.federation.get(self.record.municipality_id)
        return Service(record=record, owner=None if config is None else Municipality(config=config))

    @strawberry.field(
        description="The staff member (subject) working on it: staff of the owning local "
        "government only.",
        permission_classes=[IsRequestStaff],
    )
    def assigned_to(self) -> str | None:
        return self.record.assigned_to

    @classmethod
    def of(cls, record: store.ServiceRequest, *, purpose: str | None = None) -> ServiceRequest:
        delivered = record.delivery in (store.DeliveryState.DELIVERED, store.DeliveryState.NATIVE)
        refused = record.delivery is store.DeliveryState.REFUSED
        ownership = Ownership(
            data_subject=record.citizen_subject,
            municipality_id=record.municipality_id,
            record_type=REQUEST_RECORD,
            record_id=record.id,
            purpose=purpose,
        )
        return cls(
            ownership=ownership,
            record=record,
            tracking_number=record.tracking_number,
            service_id=record.service_id,
            service_name=record.service_name,
            status=RequestStatus.of(record.status),
            submitted_at=record.submitted_at,
            updated_at=record.updated_at,
            expected_by=record.expected_by,
            history=[
                StatusChange(status=RequestStatus.of(c.status), at=c.at, note=c.note)
                for c in record.history
            ],
            delivered_to_municipality=delivered,
            refused_by_municipality=refused,
            refusal_reason=record.refusal_reason if refused else None,
            description=record.description,
            address=record.address,
            latitude=record.latitude,
            longitude=record.longitude,
            answers=None
            if record.erased
            else [RequestAnswer(code=k, value=v) for k, v in sorted(record.answers.items())],
            attachments=[
                RequestAttachment(
                    ownership=ownership,
                    id=strawberry.ID(item.id),
                    content_type=item.content_type,
                    size=item.size,
                    filename=item.filename,
                )
                for item in record.attachments
            ]
            if not record.erased
            else [],
        )


@strawberry.type(description="How many requests are in one status.")
class RequestStatusCount:
    status: RequestStatus
    count: int


@strawberry.type(
    description="Public counts of service requests, with nobody in them: requests whose "
    "citizen asked for their data to be erased still count."
)
class RequestStatistics:
    municipality_id: strawberry.ID | None = strawberry.field(
        description="The local government counted; null for the whole hub."
    )
    total: int
    by_status: list[RequestStatusCount] = strawberry.field(
        directives=[list_size(len(RequestStatus))]
    )
