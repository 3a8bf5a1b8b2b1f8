"""GraphQL types of what the hub holds about a citizen.

`CitizenProfile` and `Me` hold personal fields, listed in `schema.personal` and guarded
by `@personal_data`: they resolve for the citizen and for staff of the linked local
government (audited), and are null with `FORBIDDEN` for anyone else.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.citizens.consent import CONSENT_PURPOSE, CONSENT_TEXT, CONSENT_TEXT_VERSION
from schema.context import Info
from schema.errors import PublicError
from schema.paging import MAX_PAGE_SIZE, list_size, paged
from schema.personal import Ownership, PersonalKind, personal_data
from store.audit import AuditRecord
from store.citizens import Consent as ConsentRecord
from store.citizens import Profile
from words import Message

if TYPE_CHECKING:
    from schema.municipalities.types import Municipality

#: What the audit log calls a profile and a whole person (exports).
PROFILE_RECORD = "citizen_profile"
CITIZEN_RECORD = "citizen"
#: How many access-log entries `Me.accessLog` returns unless asked.
ACCESS_LOG_PAGE = 50

STORE_UNAVAILABLE = Message(
    "accounts", "People's data is not available right now. Please try again later."
)


def store_unavailable() -> PublicError:
    return PublicError(STORE_UNAVAILABLE.es, code="PERSONAL_DATA_UNAVAILABLE")


@strawberry.enum(description="What kind of personal data a field holds.")
class PersonalDataKind(enum.Enum):
    NAME = PersonalKind.NAME.value
    CEDULA = PersonalKind.CEDULA.value
    PHONE = PersonalKind.PHONE.value
    EMAIL = PersonalKind.EMAIL.value
    ADDRESS = PersonalKind.ADDRESS.value
    FREE_TEXT = PersonalKind.FREE_TEXT.value


@strawberry.type(description="A field of the schema that holds personal data.")
class PersonalFieldDeclaration:
    type_name: str
    field: str
    kind: PersonalDataKind


@strawberry.type(
    description="What a citizen agrees to when they give the hub personal data: the "
    "purpose, the version of the text and the text itself (Spanish)."
)
class ConsentTerms:
    purpose: str = CONSENT_PURPOSE
    version: str = CONSENT_TEXT_VERSION
    text: str = CONSENT_TEXT


@strawberry.type(description="A consent the citizen gave when their personal data was collected.")
class Consent:
    purpose: str
    text_version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = strawberry.field(
        description="When it was withdrawn (cancellation withdraws every consent)."
    )

    @strawberry.field(description="True until it is withdrawn.")
    def active(self) -> bool:
        return self.withdrawn_at is None

    @classmethod
    def of(cls, record: ConsentRecord) -> Consent:
        return cls(
            purpose=record.purpose,
            text_version=record.text_version,
            given_at=record.given_at,
            withdrawn_at=record.withdrawn_at,
        )


@strawberry.type(
    description="An entry of the audit log about the citizen: who (by role) did what "
    "with which of their data, when and why. Staff are named by role, not by person."
)
class AccessLogEntry:
    at: dt.datetime
    actor_role: str = strawberry.field(
        description="'data_subject' (the citizen themself), 'staff:<municipality>:<roles>', "
        "'citizen', 'national_admin' or 'anonymous'."
    )
    municipality: strawberry.ID | None = strawberry.field(
        description="The local government whose staff acted, or whose record it was."
    )
    action: str = strawberry.field(
        description="read_personal_data, update_personal_data, erase_personal_data, "
        "export_personal_data, consent_recorded, access_denied…"
    )
    fields: list[str] = strawberry.field(description="Which fields (names, never values).")
    purpose: str | None = strawberry.field(description="Why, as the actor stated it.")

    @classmethod
    def of(cls, record: AuditRecord) -> AccessLogEntry:
        return cls(
            at=record.at,
            actor_role=record.actor_role,
            municipality=None
            if record.municipality_id is None
            else strawberry.ID(record.municipality_id),
            action=record.action,
            fields=list(record.fields),
            purpose=record.purpose,
        )


@personal_data
@strawberry.type(
    description="What a citizen told the hub about themselves. Its personal fields resolve "
    "only for the citizen and for staff of the local government it is linked to (each "
    "staff read is written to the audit log); anyone else gets null and FORBIDDEN."
)
class CitizenProfile:
    ownership: strawberry.Private[Ownership]
    municipality_id: strawberry.Private[str | None]
    subject: strawberry.ID = strawberry.field(
        description="The identity provider's subject (`sub`) of the citizen."
    )
    name: str | None
    cedula: str | None = strawberry.field(description="Cédula de identidad, 000-0000000-0.")
    phone: str | None
    email: str | None
    address: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="The local government whose staff may read this profile.")
    def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("schema.municipalities.types")] | None:
        from schema.municipalities.types import Municipality

        if self.municipality_id is None:
            return None
        config = info.context.federation.get(self.municipality_id)
        return None if config is None else Municipality(config=config)

    @classmethod
    def of(cls, profile: Profile, *, purpose: str | None = None) -> CitizenProfile:
        return cls(
            ownership=Ownership(
                data_subject=profile.subject,
                municipality_id=profile.municipality_id,
                record_type=PROFILE_RECORD,
                record_id=profile.id,
                purpose=purpose,
            ),
            municipality_id=profile.municipality_id,
            subject=strawberry.ID(profile.subject),
            name=profile.name,
            cedula=profile.cedula,
            phone=profile.phone,
            email=profile.email,
            address=profile.address,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
        )


@personal_data
@strawberry.type(description="The signed-in caller, and everything the hub holds about them.")
class Me:
    ownership: strawberry.Private[Ownership]
    subject: strawberry.ID = strawberry.field(
        description="The identity provider's subject (`sub`)."
    )
    display_name: str | None = strawberry.field(
        description="The name the identity provider gave at sign-in."
    )

    @strawberry.field(description="The profile, or null until the citizen writes one.")
    async def profile(self, info: Info) -> CitizenProfile | None:
        store = info.context.citizens
        if store is None:
            raise store_unavailable()
        found = await store.profile(str(self.subject))
        return None if found is None else CitizenProfile.of(found)

    @strawberry.field(
        description="Every consent given, withdrawn ones included, oldest first.",
        directives=[list_size(10)],
    )
    async def consents(self, info: Info) -> list[Consent]:
        store = info.context.citizens
        if store is None:
            raise store_unavailable()
        return [Consent.of(c) for c in await store.consents(str(self.subject))]

    @strawberry.field(
        description="The audit log's entries about this citizen, newest first: who read, "
        "changed, exported or was refused their data.",
        directives=[paged(ACCESS_LOG_PAGE)],
    )
    async def access_log(self, info: Info, first: int = ACCESS_LOG_PAGE) -> list[AccessLogEntry]:
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise PublicError(
                Message(
                    "accounts",
                    "The argument '%(argument)s' must be between %(low)s and %(high)s.",
                    {"argument": "first", "low": 0, "high": MAX_PAGE_SIZE},
                ).es,
                code="BAD_USER_INPUT",
                argument="first",
            )
        log = info.context.audit_log
        if log is None:
            raise store_unavailable()
        if first == 0:
            return []
        records = await log.entries(data_subject=str(self.subject), limit=first, newest_first=True)
        return [AccessLogEntry.of(r) for r in records]


@strawberry.type(
    description="Public counts, with nobody in them. Profiles erased at their owner's "
    "request are still counted, without the person."
)
class PublicStatistics:
    citizens_with_profile: int = strawberry.field(
        description="Profiles ever created on the hub, erased ones included."
    )
    erased_profiles: int = strawberry.field(
        description="Profiles whose personal data was erased at the citizen's request."
    )
