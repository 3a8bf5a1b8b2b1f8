"""Submitting a request (citizens, and API clients with the SUBMIT_OPEN311 scope) and
working it (staff of the owning local government: status, assignment)."""

from __future__ import annotations

import re

import strawberry
from strawberry.file_uploads import Upload

from connectors import Capability, RequestWriter
from schema.context import HubContext, Info
from schema.developers.keys import ApiScope
from schema.errors import NotFound, PublicError
from schema.field_errors import FieldError, problem
from schema.paging import PROBLEMS, list_size
from schema.personal import append_audit, client_address
from schema.principal import PrincipalKind
from schema.requests import attachments, validation
from schema.requests.access import (
    NOT_FOUND,
    SUPERVISOR_ONLY,
    SUPERVISORS,
    WORKERS,
    audit_change,
    request_store,
    staff_request,
)
from schema.requests.consent import REQUEST_CONSENT_PURPOSE, REQUEST_CONSENT_VERSION
from schema.requests.forms import RequestForms
from schema.requests.types import STATUS_LABELS, RequestStatus, ServiceRequest
from store.audit import AuditEntry, KnownAction
from store.citizens import Consent
from store.requests import (
    NOTE_LENGTH,
    TRANSITIONS,
    InvalidTransition,
    NewRequest,
    RequestNotFound,
)
from words import Message

#: An agent's subject, as the identity provider names staff.
_SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,199}")
EN_LINEA = "en_linea"

SIGN_IN = problem(None, "UNAUTHENTICATED", Message("schema", "Sign in to send a request."))
NOT_ALLOWED = problem(
    None,
    "FORBIDDEN",
    Message(
        "schema",
        "Only a signed-in person, or an application with an API key holding the "
        "SUBMIT_OPEN311 permission, can send requests.",
    ),
)
UNAVAILABLE = problem(
    None,
    "UNAVAILABLE",
    Message(
        "schema",
        "The request could not be received just now. Please try again later; none was created.",
    ),
)


@strawberry.input(description="One answer to one of the service's own questions.")
class RequestAnswerInput:
    code: str
    value: str


@strawberry.input(description="A citizen's request for a service of a local government.")
class SubmitServiceRequestInput:
    municipality_id: strawberry.ID
    service_id: str = strawberry.field(description="The service's id in that municipality.")
    description: str = strawberry.field(
        description="What the citizen needs (up to 4,000 characters)."
    )
    idempotency_key: str = strawberry.field(
        description="Made once per form by the client (8–64 of A-Z a-z 0-9 - _): sending the "
        "same request again with it returns the first one instead of a new one."
    )
    consent: bool = strawberry.field(
        description="Must be true: the citizen agrees to the data being used to handle the request."
    )
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    answers: list[RequestAnswerInput] = strawberry.field(default_factory=list)
    attachments: list[Upload] | None = strawberry.field(
        default_factory=list,
        description=f"Up to {attachments.MAX_FILES} files, each up to "
        f"{attachments.MAX_FILE_BYTES >> 20} MB: JPEG or PNG photos, or PDF documents (the "
        "type is judged by the content, not the name). Sent as a GraphQL multipart request "
        "(https://github.com/jaydenseric/graphql-multipart-request-spec); from a browser, "
        "with the X-CSRF-Token header.",
    )


@strawberry.type
class SubmitServiceRequestResult:
    request: ServiceRequest | None = strawberry.field(
        description="The request, with its tracking number; null when there are errors."
    )
    created: bool = strawberry.field(
        description="False when an earlier submit with the same idempotency key made it."
    )
    errors: list[FieldError] = strawberry.field(directives=[list_size(PROBLEMS)])


def _failed(*errors: FieldError) -> SubmitServiceRequestResult:
    return SubmitServiceRequestResult(request=None, created=False, errors=list(errors))


def _submitter(context: HubContext) -> tuple[str | None, FieldError | None]:
    """The subject the request is filed under, or why the caller may not submit."""
    principal = context.principal
    if not principal.is_authenticated:
        return None, SIGN_IN
    if principal.kind is PrincipalKind.CITIZEN:
        return principal.subject, None
    if principal.kind is PrincipalKind.DEVELOPER and principal.has_scope(ApiScope.SUBMIT_OPEN311):
        return principal.subject, None
    return None, NOT_ALLOWED


async def _record_consent(context: HubContext, subject: str, municipality_id: str) -> str | None:
    """The citizen's consent to this version of the text, recorded if new; its id.
    None where no person stands behind the caller (an API client)."""
    if context.principal.kind is not PrincipalKind.CITIZEN:
        return None
    citizens = context.citizens
    assert citizens is not None
    for given in await citizens.consents(subject):
        if (
            given.active
            and given.purpose == REQUEST_CONSENT_PURPOSE
            and given.text_version == REQUEST_CONSENT_VERSION
        ):
            return given.id
    profile = await citizens.ensure_profile(subject)
    consent = Consent.given(profile.id, REQUEST_CONSENT_PURPOSE, REQUEST_CONSENT_VERSION)
    await append_audit(
        context,
        AuditEntry(
            actor=subject,
            actor_role="data_subject",
            action=KnownAction.CONSENT_RECORDED,
            record_type="citizen_consent",
            record_id=consent.id,
            fields=["purpose", "textVersion"],
            municipality_id=municipality_id,
            client_address=client_address(context),
            purpose=Message("schema", "Consent given by the data subject").es,
            data_subject=subject,
        ),
    )
    await citizens.add_consent(consent)
    return consent.id


def _local_service_id(municipality_id: str, service_id: str) -> str:
    prefix = f"{municipality_id}:"
    return service_id[len(prefix) :] if service_id.startswith(prefix) else service_id


def _delivers(context: HubContext, municipality_id: str) -> bool:
    """A municipality with a `requests` binding to a system that takes requests gets them
    delivered; any other keeps them in the hub store (native)."""
    bound = context.federation.binding(municipality_id, Capability.REQUESTS)
    return bound is not None and isinstance(bound[0], RequestWriter)


@strawberry.type
class RequestMutations:
    @strawberry.mutation(
        description="Send a request to a local government: a signed-in citizen, or an API "
        "client whose key has the SUBMIT_OPEN311 scope. Answers at once with the tracking "
        "number; the request reaches the municipality's own system through the hub's "
        "outbox. Problems come back in `errors`, in plain Spanish (or English)."
    )
    async def submit_service_request(
        self, info: Info, input: SubmitServiceRequestInput
    ) -> SubmitServiceRequestResult:
        context = info.context
        subject, refusal = _submitter(context)
        if refusal is not None or subject is None:
            return _failed(refusal or SIGN_IN)
        if context.requests is None or context.citizens is None or context.audit_log is None:
            return _failed(UNAVAILABLE)
        municipality_id = str(input.municipality_id).strip()
        municipality = context.federation.get(municipality_id)
        if municipality is None:
            return _failed(
                problem(
                    "municipalityId",
                    "UNKNOWN_MUNICIPALITY",
                    Message("schema", "Choose a local government from PLANASMUN's list."),
                )
            )
        service_id = _local_service_id(municipality_id, input.service_id.strip())
        try:
            service = await context.loaders.service_by_key.load((municipality_id, service_id))
        except PublicError:
            return _failed(UNAVAILABLE)
        if service is None or not service.get("active", True):  # an inactive one is hidden
            return _failed(
                problem(
                    "serviceId",
                    "UNKNOWN_SERVICE",
                    Message("schema", "That service is not in this local government's catalogue."),
                )
            )
        if EN_LINEA not in (service.get("channels") or ()):
            return _failed(
                problem(
                    "serviceId",
                    "NOT_ACCEPTED",
                    Message(
                        "schema",
                        "This service cannot be requested online; see how to do it in person "
                        "or by phone.",
                    ),
                )
            )
        forms = context.request_forms or RequestForms.empty()
        form = forms.fields_for(municipality_id, service_id, str(service.get("category", "")))
        errors: list[FieldError] = []
        key = validation.idempotency_key(input.idempotency_key, errors)
        description = validation.description(input.description, errors)
        address = validation.address(input.address, errors)
        latitude, longitude = validation.location(input.latitude, input.longitude, errors)
        answers = validation.answers(
            form, [validation.Answer(a.code, a.value) for a in input.answers], errors
        )
        validation.consent(input.consent, errors)
        files = await attachments.read_attachments(input.attachments, errors)
        if errors:
            return _failed(*errors)
        consent_id = await _record_consent(context, subject, municipality_id)
        duration = service.get("duration_days")
        submitted = await context.requests.submit(
            NewRequest(
                municipality_id=municipality_id,
                short_code=municipality.file.short_code,
                service_id=service_id,
                service_name=str(service.get("name", service_id))[:200],
                citizen_subject=subject,
                description=description,
                idempotency_key=key,
                address=address,
                latitude=latitude,
                longitude=longitude,
                answers=answers,
                attachments=files,
                duration_days=None if duration is None else int(duration),
                consent_id=consent_id,
                deliver=_delivers(context, municipality_id),
            )
        )
        return SubmitServiceRequestResult(
            request=ServiceRequest.of(submitted.request), created=submitted.created, errors=[]
        )

    @strawberry.mutation(
        description="Move a request on (RECIBIDA → EN_REVISION → EN_PROCESO → RESUELTA, or "
        "RECHAZADA with the reason in `note`): agents and supervisors of the local "
        "government that owns it. The note is public: no personal data in it. Audited."
    )
    async def change_service_request_status(
        self, info: Info, tracking_number: str, status: RequestStatus, note: str | None = None
    ) -> ServiceRequest | None:
        context = info.context
        record = await staff_request(context, tracking_number, WORKERS, ["status"])
        cleaned = validation.clean_text(note)
        if cleaned is not None and len(cleaned) > NOTE_LENGTH:
            raise PublicError(
                Message(
                    "schema",
                    "The note must be %(limit)s characters or fewer.",
                    {"limit": NOTE_LENGTH},
                ),
                code="BAD_USER_INPUT",
                argument="note",
            )
        if status is RequestStatus.RECHAZADA and cleaned is None:
            raise PublicError(
                Message(
                    "schema",
                    "To reject a request write the reason in the note: the person will see it.",
                ),
                code="NOTE_REQUIRED",
                argument="note",
            )
        current = RequestStatus.of(record.status)
        if status.stored not in TRANSITIONS[current.stored]:
            raise PublicError(
                Message(
                    "schema",
                    "A request that is “%(current)s” cannot move to “%(wanted)s”.",
                    {"current": STATUS_LABELS[current], "wanted": STATUS_LABELS[status]},
                ),
                code="INVALID_TRANSITION",
                argument="status",
            )
        await audit_change(
            context,
            record,
            "request_status_changed",
            ["status", "note"] if cleaned else ["status"],
            Message("schema", "Change of the request's status").es,
        )
        try:
            changed = await request_store(context).change_status(
                record.tracking_number,
                status.stored,
                note=cleaned,
                changed_by=context.principal.subject or "staff",
            )
        except InvalidTransition:
            raise PublicError(
                Message(
                    "schema",
                    "The request changed in the meantime; load it again and try again.",
                ),
                code="INVALID_TRANSITION",
                argument="status",
            ) from None
        except RequestNotFound:
            raise NotFound(NOT_FOUND) from None
        return ServiceRequest.of(changed)

    @strawberry.mutation(
        description="Assign a request to an agent (their subject), or unassign it with "
        "null: supervisors of the local government that owns it. Audited."
    )
    async def assign_service_request(
        self, info: Info, tracking_number: str, agent: str | None = None
    ) -> ServiceRequest | None:
        context = info.context
        record = await staff_request(
            context, tracking_number, SUPERVISORS, ["assignedTo"], SUPERVISOR_ONLY
        )
        wanted = None if agent is None else agent.strip() or None
        if wanted is not None and not _SUBJECT.fullmatch(wanted):
            raise PublicError(
                Message("schema", "Give the identifier (sub) of the staff member."),
                code="BAD_USER_INPUT",
                argument="agent",
            )
        await audit_change(
            context,
            record,
            "request_assigned",
            ["assignedTo"],
            Message("schema", "Assignment of the request").es,
        )
        try:
            assigned = await request_store(context).assign(record.tracking_number, wanted)
        except RequestNotFound:
            raise NotFound(NOT_FOUND) from None
        return ServiceRequest.of(assigned)
