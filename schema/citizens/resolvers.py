"""Root fields: the caller's own data (`me`), a profile for staff (`citizen`), the
consent terms, public counts, and the register of personal fields for the LMD."""

from __future__ import annotations

import re
from collections.abc import Sequence

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from schema.citizens.types import (
    PROFILE_RECORD,
    CitizenProfile,
    ConsentTerms,
    Me,
    PersonalDataKind,
    PersonalFieldDeclaration,
    PublicStatistics,
    store_unavailable,
)
from schema.context import Info
from schema.errors import PublicError
from schema.paging import list_size
from schema.personal import (
    NATIONAL_ADMIN_PERSONAL_FIELDS,
    PERSONAL_FIELDS,
    IsNationalAdmin,
    Ownership,
    actor_role,
    append_audit,
    check_purpose,
    client_address,
    data_subject_of,
    forbidden,
)
from store.audit import AuditEntry, KnownAction
from store.citizens import Profile
from words import Message

#: What a subject can look like: the audit log's identifier alphabet.
_SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,199}")

CITIZEN_FORBIDDEN = Message(
    "accounts",
    "You may not see this person's data: only the staff of the local government the "
    "person entrusted it to may see it.",
).es


def requested_personal_fields(info: Info, type_name: str = "CitizenProfile") -> list[str]:
    """The personal fields of `type_name` this field's selection asks for (through
    aliases and fragments too), in the order first asked."""
    personal = PERSONAL_FIELDS.get(type_name, {})
    found: list[str] = []

    def walk(selections: Sequence[Selection]) -> None:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name in personal and selection.name not in found:
                    found.append(selection.name)
            else:  # a fragment, spread or inline: its fields belong to this object
                walk(selection.selections)

    for field in info.selected_fields:
        walk(field.selections)
    return found


async def _refuse(info: Info, profile: Profile | None, purpose: str | None) -> PublicError:
    """Audit a signed-in caller's refused attempt on a profile; the error to raise."""
    context = info.context
    principal = context.principal
    municipality = None if profile is None else profile.municipality_id
    await append_audit(
        context,
        AuditEntry(
            actor=principal.subject or "anonymous",
            actor_role=actor_role(principal, municipality),
            action=KnownAction.ACCESS_DENIED,
            record_type=PROFILE_RECORD,
            record_id=None if profile is None else profile.id,
            fields=requested_personal_fields(info),
            municipality_id=municipality,
            client_address=client_address(context),
            purpose=purpose,
            data_subject=None if profile is None else profile.subject,
        ),
    )
    return forbidden(CITIZEN_FORBIDDEN)


@strawberry.type
class CitizenQueries:
    @strawberry.field(
        description="The signed-in caller and what the hub holds about them; null when "
        "nobody is signed in (and for API keys, which are nobody)."
    )
    def me(self, info: Info) -> Me | None:
        principal = info.context.principal
        subject = data_subject_of(principal)
        if subject is None:
            return None
        return Me(
            ownership=Ownership(
                data_subject=subject,
                municipality_id=None,
                record_type="citizen",
                record_id=subject,
            ),
            subject=strawberry.ID(subject),
            display_name=principal.display_name or None,
        )

    @strawberry.field(
        description="A citizen's profile, by their subject, for staff of the local government "
        "it is linked to. `purpose` says why (e.g. the request being handled): each read is "
        "written to the audit log, which the citizen can see. Anyone else gets null and "
        "FORBIDDEN, whether or not the profile exists, and a signed-in caller's attempt is "
        "audited."
    )
    async def citizen(
        self, info: Info, subject: strawberry.ID, purpose: str
    ) -> CitizenProfile | None:
        context = info.context
        principal = context.principal
        if not principal.is_authenticated:
            raise forbidden(CITIZEN_FORBIDDEN)
        store = context.citizens
        if store is None:
            raise store_unavailable()
        wanted = str(subject)
        profile = await store.profile(wanted) if _SUBJECT.fullmatch(wanted) else None
        if data_subject_of(principal) == wanted:
            # One's own profile needs no purpose, and reading it is not audited.
            return None if profile is None else CitizenProfile.of(profile)
        try:
            stated: str | None = check_purpose(purpose)
        except PublicError as problem:
            stated = None
            purpose_problem: PublicError | None = problem
        else:
            purpose_problem = None
        if profile is None or profile.municipality_id is None:
            raise await _refuse(info, profile, stated)
        if not principal.is_staff_of(profile.municipality_id):
            raise await _refuse(info, profile, stated)
        if purpose_problem is not None:
            raise purpose_problem
        return CitizenProfile.of(profile, purpose=stated)

    @strawberry.field(description="The consent a citizen gives with their personal data.")
    def consent_terms(self) -> ConsentTerms:
        return ConsentTerms()

    @strawberry.field(description="Public counts, with nobody in them.")
    async def statistics(self, info: Info) -> PublicStatistics:
        store = info.context.citizens
        if store is None:
            raise store_unavailable()
        counts = await store.statistics()
        return PublicStatistics(
            citizens_with_profile=counts["profiles"], erased_profiles=counts["erased"]
        )

    @strawberry.field(
        description="Every field of the schema that holds personal data (the register of "
        "processing): for the national administrators.",
        permission_classes=[IsNationalAdmin],
        directives=[
            list_size(
                sum(
                    len(fields)
                    for register in (PERSONAL_FIELDS, NATIONAL_ADMIN_PERSONAL_FIELDS)
                    for fields in register.values()
                )
            )
        ],
    )
    def personal_data_inventory(self) -> list[PersonalFieldDeclaration] | None:
        return [
            PersonalFieldDeclaration(
                type_name=type_name, field=field, kind=PersonalDataKind(kind.value)
            )
            for register in (PERSONAL_FIELDS, NATIONAL_ADMIN_PERSONAL_FIELDS)
            for type_name, fields in register.items()
            for field, kind in fields.items()
        ]
