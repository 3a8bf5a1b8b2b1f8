"""Personal data (Ley 172-13): which fields hold it, declared here, and who may read them.

`PERSONAL_FIELDS` is the one list of the schema's fields that hold personal data (a name,
a cédula, a phone number, an e-mail or postal address, free text a citizen wrote), by
GraphQL type. A type that holds such fields carries its `Ownership` (whose data, which
municipality's staff may read it, the record the audit log names, and why it is being
read) and is decorated with `@personal_data`, which puts `IsDataSubjectOrStaffOfOwner` on
exactly the fields listed here. A later type (a service request, a suggestion, a help-desk
ticket) adds one line to `PERSONAL_FIELDS`::

    "ServiceRequest": {"description": PersonalKind.FREE_TEXT, "contactPhone": PersonalKind.PHONE},

    @personal_data
    @strawberry.type
    class ServiceRequest:
        ownership: strawberry.Private[Ownership]
        description: str | None
        contact_phone: str | None

Fields that look personal but hold no private person's data (a municipality's office
phone, a department head's name, an application's name) are listed in `NOT_PERSONAL`, so
that a test can hold every personal-looking field of the schema to one of the lists (see
`check_schema`).

Who may read a personal field:

* the data subject, always, and without an audit entry (reading one's own data);
* staff of the owning municipality, with a purpose; the read is appended to the audit
  log (who, in which role, which record, which fields, from where, why) before the value
  is released, so a value is never shown without its entry;
* nobody else: the field is null with a `FORBIDDEN` error in plain Spanish, and the
  attempt is audited when the caller is signed in (anonymous refusals are not, so that
  nobody can fill the log from outside; they carry no one to hold to account).

Reads of several fields of one object in one request make one audit entry.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import re
import weakref
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import strawberry
from graphql import GraphQLObjectType
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.utils.str_converters import to_camel_case

from schema.errors import PublicError
from schema.principal import Principal, PrincipalKind, StaffRole
from store.audit import AuditEntry, InvalidAuditEntry, KnownAction
from words import Message

if TYPE_CHECKING:
    from schema.context import HubContext

__all__ = [
    "NATIONAL_ADMIN_PERSONAL_FIELDS",
    "NOT_PERSONAL",
    "PERSONAL_FIELDS",
    "Access",
    "IsDataSubjectOrStaffOfOwner",
    "IsNationalAdmin",
    "IsStaffOf",
    "Ownership",
    "PersonalKind",
    "access_of",
    "actor_role",
    "append_audit",
    "check_purpose",
    "check_schema",
    "data_subject_of",
    "personal_data",
]


class PersonalKind(enum.StrEnum):
    """What kind of personal data a field holds."""

    NAME = "name"
    CEDULA = "cedula"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    #: Anything a citizen wrote in their own words (a request, a suggestion, a ticket).
    FREE_TEXT = "free_text"


def _freeze(
    table: Mapping[str, Mapping[str, PersonalKind]],
) -> Mapping[str, Mapping[str, PersonalKind]]:
    return MappingProxyType({name: MappingProxyType(dict(f)) for name, f in table.items()})


#: GraphQL type → its fields (GraphQL names) that hold personal data. The one place.
PERSONAL_FIELDS: Mapping[str, Mapping[str, PersonalKind]] = _freeze(
    {
        # The caller's own name, as their identity provider gave it.
        "Me": {"displayName": PersonalKind.NAME},
        "CitizenProfile": {
            "name": PersonalKind.NAME,
            "cedula": PersonalKind.CEDULA,
            "phone": PersonalKind.PHONE,
            "email": PersonalKind.EMAIL,
            "address": PersonalKind.ADDRESS,
        },
        # A citizen's request: what they wrote, where, and their answers to the
        # service's own questions (schema/requests).
        "ServiceRequest": {
            "description": PersonalKind.FREE_TEXT,
            "address": PersonalKind.ADDRESS,
            "latitude": PersonalKind.ADDRESS,
            "longitude": PersonalKind.ADDRESS,
            "answers": PersonalKind.FREE_TEXT,
            # The files attached (photos, documents): whatever the citizen sent.
            "attachments": PersonalKind.FREE_TEXT,
        },
        # The name of an attached file, as the citizen's device called it.
        "RequestAttachment": {"filename": PersonalKind.FREE_TEXT},
    }
)

#: Personal data of people the hub knows only as contacts, not as citizens of a
#: municipality (a developer's e-mail on an API key): no data subject signs in for it and
#: no municipality owns it, so the national administrators' own guard on the type shows
#: it to them alone (see schema/developers). Listed for the register of processing.
NATIONAL_ADMIN_PERSONAL_FIELDS: Mapping[str, Mapping[str, PersonalKind]] = _freeze(
    {"ApiKey": {"contactEmail": PersonalKind.EMAIL}}
)

#: Fields whose names look personal but that hold no private person's data.
NOT_PERSONAL: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        # A local government's offices, its name, and public officials in charge.
        "Contact": frozenset({"address", "phone", "email"}),
        "Department": frozenset({"name", "head", "phone", "email", "location"}),
        "Municipality": frozenset({"name"}),
        "MunicipalityRef": frozenset({"name"}),
        "Service": frozenset({"name", "description"}),
        # A budget program (account line) of a local government.
        "BudgetProgram": frozenset({"name"}),
        # A public work and a contracting process: public by law (Ley 340-06, Ley 200-04),
        # and a supplier is named as the state's registry of suppliers (RPE) names it.
        "Work": frozenset({"name"}),
        "ProcurementProcess": frozenset({"description"}),
        "Party": frozenset({"name"}),
        # Aggregate figures of requests (counts under 5 suppressed): a service's name, and
        # a figure worded ("menos de 5").
        "TransactionFigureRow": frozenset({"serviceName"}),
        "FigureCount": frozenset({"text"}),
        "FigureMeasure": frozenset({"text"}),
        "Source": frozenset({"name"}),
        # An application's or organisation's name.
        "ApiKey": frozenset({"name"}),
        # The hub's own words: terms, messages, the names of its own types.
        "ConsentTerms": frozenset({"text"}),
        "PersonalDataError": frozenset({"message"}),
        "ApiKeyError": frozenset({"message"}),
        "PersonalFieldDeclaration": frozenset({"typeName"}),
        # A service's questions and the hub's own words about requests.
        "RequestField": frozenset({"description"}),
        "RequestFieldChoice": frozenset({"name"}),
        "ServiceRequest": frozenset({"serviceName"}),
        "FieldError": frozenset({"message"}),
    }
)

#: The last word of a field name that suggests personal data (`contactEmail`, `fullName`).
_PERSONAL_WORDS = frozenset(
    {
        "name",
        "head",
        "cedula",
        "phone",
        "mobile",
        "email",
        "address",
        "location",
        "description",
        "text",
        "comment",
        "message",
        "body",
    }
)


def _looks_personal(field_name: str) -> bool:
    last = re.split(r"(?=[A-Z])", field_name)[-1].lower()
    return last in _PERSONAL_WORDS


@dataclasses.dataclass(frozen=True, slots=True)
class Ownership:
    """Whose personal data an object holds, and what the permission checks need to know.

    `record_type` and `record_id` name the record in the audit log (an opaque id, never a
    personal value); `purpose` is why this request reads it (staff must give one).
    """

    data_subject: str | None
    municipality_id: str | None
    record_type: str
    record_id: str
    purpose: str | None = None


#: Callers who are people, and so may have data of their own: not API keys, not anonymous.
PERSON_KINDS = frozenset({PrincipalKind.CITIZEN, PrincipalKind.STAFF, PrincipalKind.NATIONAL_ADMIN})


def data_subject_of(principal: Principal) -> str | None:
    """The caller's subject when the caller is a person (citizen, staff, national admin);
    None for anonymous callers and API keys, which hold no personal data of their own."""
    return principal.subject if principal.kind in PERSON_KINDS else None


class Access(enum.Enum):
    SUBJECT = "subject"
    STAFF = "staff"
    DENIED = "denied"


def access_of(principal: Principal, ownership: Ownership) -> Access:
    """May `principal` read the personal data `ownership` describes, and as whom?"""
    subject = data_subject_of(principal)
    if subject is not None and subject == ownership.data_subject:
        return Access.SUBJECT
    if ownership.municipality_id is not None and principal.is_staff_of(ownership.municipality_id):
        return Access.STAFF
    return Access.DENIED


def actor_role(principal: Principal, municipality_id: str | None = None) -> str:
    """The role an audit entry records: `staff:<municipality>:<roles>` (in the record's
    municipality if the principal works there, else their first), or the principal's kind."""
    roles = principal.staff_roles
    if not roles:
        return principal.kind.value
    where = (
        municipality_id if municipality_id is not None and municipality_id in roles else min(roles)
    )
    return f"staff:{where}:{'-'.join(sorted(r.value for r in roles[where]))}"


# -- Errors ----------------------------------------------------------------------------

FORBIDDEN_MESSAGE = Message(
    "schema",
    "You may not see this personal data. Only the person it belongs to and staff of the "
    "responsible local government see it.",
)
PURPOSE_REQUIRED_MESSAGE = Message(
    "schema",
    "Give the purpose of the query (argument 'purpose'): municipal staff may only see "
    "personal data for a purpose, which is recorded.",
)
AUDIT_UNAVAILABLE_MESSAGE = Message(
    "schema",
    "Personal data is not available just now: the access cannot be recorded. Please try "
    "again later.",
)
MIN_PURPOSE_LENGTH = 10


def forbidden(message: str | Message = FORBIDDEN_MESSAGE) -> PublicError:
    return PublicError(message, code="FORBIDDEN")


def check_purpose(purpose: str | None) -> str:
    """A purpose the audit log will take, or a `PublicError` saying what is wrong with it.

    It must say something (at least ten characters) and hold no personal data itself:
    the audit log refuses anything that looks like a cédula, a phone number or an e-mail.
    """
    text = " ".join((purpose or "").split())
    if len(text) < MIN_PURPOSE_LENGTH:
        raise PublicError(PURPOSE_REQUIRED_MESSAGE, code="PURPOSE_REQUIRED", argument="purpose")
    try:
        AuditEntry(actor="check", actor_role="check", action="check", purpose=text)
    except InvalidAuditEntry:
        raise PublicError(
            Message(
                "schema",
                "The purpose may not hold personal data (identity card numbers, phone numbers or "
                "e-mail addresses) nor be longer than 500 characters; describe the procedure, "
                "for example by its number.",
            ),
            code="BAD_USER_INPUT",
            argument="purpose",
        ) from None
    return text


# -- Writing the audit log -------------------------------------------------------------


def _context(info: strawberry.Info) -> HubContext:
    context: HubContext = info.context
    return context


def client_address(context: HubContext) -> str | None:
    request = context.request
    client = None if request is None else request.client
    return None if client is None else client.host


async def append_audit(context: HubContext, entry: AuditEntry) -> None:
    """Append to the audit log; with no audit log wired, refuse (never show unaudited)."""
    if context.audit_log is None:
        raise PublicError(AUDIT_UNAVAILABLE_MESSAGE, code="PERSONAL_DATA_UNAVAILABLE")
    await context.audit_log.append(entry)


def audit_entry(
    principal: Principal,
    ownership: Ownership,
    action: KnownAction,
    fields: list[str],
    context: HubContext,
) -> AuditEntry:
    """The audit log's entry for `principal` doing `action` on `fields` of `ownership`'s
    record (with its stated purpose)."""
    return AuditEntry(
        actor=principal.subject or "anonymous",
        actor_role=actor_role(principal, ownership.municipality_id),
        action=action,
        record_type=ownership.record_type,
        record_id=ownership.record_id,
        fields=fields,
        municipality_id=ownership.municipality_id,
        client_address=client_address(context),
        purpose=ownership.purpose,
        data_subject=ownership.data_subject,
    )


class _Batch:
    """The fields of one object that one request reads (or is refused) together."""

    def __init__(self) -> None:
        self.fields: list[str] = []
        self.started = False
        self.task: asyncio.Task[None] | None = None


#: Per object being resolved (by identity: GraphQL types are unhashable dataclasses), its
#: open batches by action; an object's entry goes when the object does, after its request.
_batches: dict[int, dict[KnownAction, _Batch]] = {}


def _batches_of(source: object) -> dict[KnownAction, _Batch] | None:
    key = id(source)
    found = _batches.get(key)
    if found is None:
        try:
            weakref.finalize(source, _batches.pop, key, None)
        except TypeError:  # not weak-referenceable: no grouping for it
            return None
        found = _batches[key] = {}
    return found


async def _flush(
    batch: _Batch,
    principal: Principal,
    ownership: Ownership,
    action: KnownAction,
    context: HubContext,
) -> None:
    # GraphQL runs an object's fields together: let the siblings join before writing.
    await asyncio.sleep(0)
    batch.started = True
    await append_audit(context, audit_entry(principal, ownership, action, batch.fields, context))


async def record_access(
    info: strawberry.Info, source: object, ownership: Ownership, action: KnownAction
) -> None:
    """Audit `action` on this field of `source`, grouped with its siblings in this request;
    returns once the entry is written (and raises if it could not be)."""
    context = _context(info)
    field = info.field_name
    batches = _batches_of(source)
    if batches is None:  # one entry for this field alone
        await append_audit(
            context, audit_entry(context.principal, ownership, action, [field], context)
        )
        return
    batch = batches.get(action)
    if batch is None or batch.started:
        batch = batches[action] = _Batch()
        batch.task = asyncio.ensure_future(
            _flush(batch, context.principal, ownership, action, context)
        )
        # Its failure reaches every field awaiting it; never "exception never retrieved".
        batch.task.add_done_callback(_retrieve)
    if field not in batch.fields:
        batch.fields.append(field)
    assert batch.task is not None
    # Shielded: one sibling cancelled must not cancel the entry the others wait for.
    await asyncio.shield(batch.task)


def _retrieve(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


# -- Permission classes ----------------------------------------------------------------


def ownership_of(source: object) -> Ownership:
    ownership = getattr(source, "ownership", None)
    if not isinstance(ownership, Ownership):
        raise TypeError(f"{type(source).__name__} holds personal data but has no Ownership")
    return ownership


class IsDataSubjectOrStaffOfOwner(BasePermission):
    """The data subject, or staff of the owning municipality (audited, with a purpose)."""

    message = FORBIDDEN_MESSAGE.es

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        ownership = ownership_of(source)
        principal = _context(info).principal
        access = access_of(principal, ownership)
        if access is Access.SUBJECT:
            return True
        if access is Access.STAFF:
            if ownership.purpose is None:
                raise PublicError(PURPOSE_REQUIRED_MESSAGE, code="PURPOSE_REQUIRED")
            await record_access(info, source, ownership, KnownAction.READ_PERSONAL_DATA)
            return True
        if principal.is_authenticated:
            await record_access(info, source, ownership, KnownAction.ACCESS_DENIED)
        return False

    def on_unauthorized(self) -> None:
        raise forbidden(self.message or FORBIDDEN_MESSAGE)


def _municipality_of(source: object, arguments: Mapping[str, Any]) -> str | None:
    for name in ("municipality_id", "municipality"):
        value = arguments.get(name)
        if value is not None:
            return str(value)
    ownership = getattr(source, "ownership", None)
    if isinstance(ownership, Ownership):
        return ownership.municipality_id
    value = getattr(source, "municipality_id", None)
    return None if value is None else str(value)


class IsStaffOf(BasePermission):
    """Staff of the municipality the object belongs to (its `ownership` or
    `municipality_id`), or that the field's `municipality`/`municipality_id` argument
    names. Subclasses may require a role: `class IsSupervisorOf(IsStaffOf): role = ...`.
    A signed-in caller's refusal is audited."""

    role: ClassVar[StaffRole | None] = None
    #: Or any one of several roles (e.g. agent or supervisor).
    roles: ClassVar[frozenset[StaffRole] | None] = None
    message = Message("schema", "Only staff of that local government may see or change this.").es

    def allows(self, principal: Principal, municipality: str) -> bool:
        if self.role is not None:
            return principal.has_role(municipality, self.role)
        if self.roles is not None:
            return any(principal.has_role(municipality, role) for role in self.roles)
        return principal.is_staff_of(municipality)

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        context = _context(info)
        principal = context.principal
        municipality = _municipality_of(source, kwargs)
        if municipality is not None and self.allows(principal, municipality):
            return True
        if principal.is_authenticated:
            await append_audit(
                context,
                AuditEntry(
                    actor=principal.subject or "anonymous",
                    actor_role=actor_role(principal, municipality),
                    action=KnownAction.ACCESS_DENIED,
                    record_type=info.path.typename,
                    fields=[info.field_name],
                    municipality_id=municipality,
                    client_address=client_address(context),
                ),
            )
        return False

    def on_unauthorized(self) -> None:
        raise forbidden(self.message or FORBIDDEN_MESSAGE)


class IsNationalAdmin(BasePermission):
    """The Liga Municipal Dominicana's national administrators: `UNAUTHENTICATED` for a
    caller who presented nothing, `FORBIDDEN` for anyone else. Subclasses word the
    messages for what they guard."""

    message = Message(
        "schema", "Only the national administration (Liga Municipal Dominicana) may see this."
    ).es
    unauthenticated_message = Message(
        "schema",
        "Sign in as a national administrator (Liga Municipal Dominicana) to see this.",
    ).es

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        principal = _context(info).principal
        if not principal.is_authenticated:
            raise PublicError(self.unauthenticated_message, code="UNAUTHENTICATED")
        return principal.is_national_admin

    def on_unauthorized(self) -> None:
        raise forbidden(self.message or FORBIDDEN_MESSAGE)


# -- Declaring a type's personal fields ------------------------------------------------

T = TypeVar("T", bound=type)


def personal_data(cls: T) -> T:
    """Guard the fields `PERSONAL_FIELDS` lists for this Strawberry type.

    Fails at import when the type is not listed, a listed field does not exist or is not
    nullable (a refused field is null), or the type has no `ownership` to check against.
    """
    definition = get_object_definition(cls, strict=True)
    declared = PERSONAL_FIELDS.get(definition.name)
    if not declared:
        raise TypeError(f"{definition.name} is not listed in schema.personal.PERSONAL_FIELDS")
    if "ownership" not in {f.name for f in dataclasses.fields(cls)}:
        raise TypeError(f"{definition.name} needs `ownership: strawberry.Private[Ownership]`")
    fields = {f.graphql_name or to_camel_case(f.python_name): f for f in definition.fields}
    for name in declared:
        field = fields.get(name)
        if field is None:
            raise TypeError(f"{definition.name}.{name} is listed as personal but does not exist")
        if not isinstance(field.type, StrawberryOptional):
            raise TypeError(f"{definition.name}.{name} holds personal data: make it nullable")
        if IsDataSubjectOrStaffOfOwner not in field.permission_classes:
            field.permission_classes.append(IsDataSubjectOrStaffOfOwner)
            field.extensions.append(
                PermissionExtension([IsDataSubjectOrStaffOfOwner()], use_directives=False)
            )
    return cls


def guarded(schema: strawberry.Schema, type_name: str, field_name: str) -> bool:
    """True when the field carries `IsDataSubjectOrStaffOfOwner` in the built schema."""
    definition = schema.get_type_by_name(type_name)
    if definition is None or not hasattr(definition, "fields"):
        return False
    for field in definition.fields:
        if (field.graphql_name or to_camel_case(field.python_name)) == field_name:
            return any(
                isinstance(extension, PermissionExtension)
                and any(isinstance(p, IsDataSubjectOrStaffOfOwner) for p in extension.permissions)
                for extension in field.extensions
            )
    return False


def check_schema(schema: strawberry.Schema) -> list[str]:
    """Problems with the schema's personal data, for a test: a listed field that is missing
    or unguarded, and a personal-looking field that neither list mentions."""
    problems = []
    for type_name, fields in PERSONAL_FIELDS.items():
        if schema.get_type_by_name(type_name) is None:
            problems.append(f"{type_name} is listed as personal but is not in the schema")
            continue
        for field_name in fields:
            if not guarded(schema, type_name, field_name):
                problems.append(f"{type_name}.{field_name} is personal but not guarded")
    for type_name, named in schema._schema.type_map.items():
        # Inputs carry what a caller sends, not what anyone can read.
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        for field_name in named.fields:
            if not _looks_personal(field_name):
                continue
            if field_name in PERSONAL_FIELDS.get(type_name, {}):
                continue
            if field_name in NATIONAL_ADMIN_PERSONAL_FIELDS.get(type_name, {}):
                continue
            if field_name in NOT_PERSONAL.get(type_name, frozenset()):
                continue
            problems.append(
                f"{type_name}.{field_name} looks personal: list it in PERSONAL_FIELDS "
                "(and decorate the type with @personal_data) or in NOT_PERSONAL"
            )
    return problems
