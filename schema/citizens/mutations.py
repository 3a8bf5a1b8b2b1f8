"""The data subject's rights as mutations: rectify, export, cancel (Ley 172-13).

Each works on the caller's own data only, answers problems as data (`errors { field
message code }`, in Spanish, naming the field but never repeating a value), and writes
the audit log *before* it changes anything, so that no change is ever missing from the
log (a failure after the entry leaves an entry for an attempt, never the reverse).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
from collections.abc import Callable, Iterable

import strawberry
from strawberry.types.unset import UNSET

from schema.citizens import export, validation
from schema.citizens.consent import CONSENT_PURPOSE, CONSENT_TEXT_VERSION
from schema.citizens.types import CITIZEN_RECORD, PROFILE_RECORD, CitizenProfile
from schema.context import HubContext, Info
from schema.paging import PROBLEMS, list_size
from schema.personal import append_audit, client_address, data_subject_of
from store.audit import AuditEntry, AuditRecord, KnownAction
from store.citizens import (
    PERSONAL_COLUMNS,
    CitizenStore,
    Consent,
    Profile,
    ProfileChanges,
)
from words import Message

#: The audit log's role for a citizen acting on their own data.
DATA_SUBJECT_ROLE = "data_subject"
#: Why each of the data subject's own entries was written, in the log's language (Spanish).
PURPOSES = {
    KnownAction.UPDATE_PERSONAL_DATA: Message(
        "accounts", "Rectification by the data subject (Law 172-13)"
    ).es,
    KnownAction.CONSENT_RECORDED: Message("accounts", "Consent given by the data subject").es,
    KnownAction.EXPORT_PERSONAL_DATA: Message(
        "accounts", "Download of their data by the data subject"
    ).es,
    KnownAction.ERASE_PERSONAL_DATA: Message(
        "accounts", "Cancellation at the data subject's request (Law 172-13)"
    ).es,
}
#: The most access-log entries an export gathers (pages of the audit log's largest size).
MAX_EXPORTED_ENTRIES = 50_000
_PAGE = 1000


@strawberry.enum(description="Why a change to personal data was not made.")
class PersonalDataErrorCode(enum.Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_CEDULA = "INVALID_CEDULA"
    CEDULA_CHECK_DIGIT = "CEDULA_CHECK_DIGIT"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    UNKNOWN_MUNICIPALITY = "UNKNOWN_MUNICIPALITY"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    UNAVAILABLE = "UNAVAILABLE"


@strawberry.type(description="A problem to show next to the field it concerns.")
class PersonalDataError:
    field: str | None = strawberry.field(
        description="The input field to fix, e.g. 'cedula'; null for the whole operation."
    )
    message: str = strawberry.field(description="In plain Spanish; never repeats the value.")
    code: PersonalDataErrorCode


SIGN_IN = PersonalDataError(
    field=None,
    message=Message("accounts", "Sign in to see, correct, download or delete your data.").es,
    code=PersonalDataErrorCode.UNAUTHENTICATED,
)
UNAVAILABLE = PersonalDataError(
    field=None,
    message=Message("accounts", "Your data is not available right now. Please try again later.").es,
    code=PersonalDataErrorCode.UNAVAILABLE,
)


@strawberry.input(
    description="A rectification. A field left out keeps its value; null or an empty "
    "string erases it."
)
class ProfileInput:
    name: str | None = UNSET
    cedula: str | None = strawberry.field(
        default=UNSET, description="Cédula de identidad: 000-0000000-0 (dashes optional)."
    )
    phone: str | None = strawberry.field(
        default=UNSET, description="A Dominican number: 809, 829 or 849 and seven digits."
    )
    email: str | None = UNSET
    address: str | None = UNSET
    municipality: strawberry.ID | None = strawberry.field(
        default=UNSET,
        description="The local government whose staff may read the profile, e.g. "
        "'santo-domingo-este'.",
    )
    consent: bool = strawberry.field(
        default=False,
        description="True to accept `consentTerms`: needed when personal data is given and "
        "no consent to the current version of the terms is on record.",
    )


@strawberry.type
class UpdateMyProfilePayload:
    profile: CitizenProfile | None
    errors: list[PersonalDataError] = strawberry.field(directives=[list_size(PROBLEMS)])


@strawberry.type
class ExportMyDataPayload:
    filename: str | None
    content_type: str | None
    zip_base64: str | None = strawberry.field(
        description="The zip (JSON and CSV of everything the hub holds about the caller), "
        "base64-encoded. The web client offers the same file at /mis-datos/exportar."
    )
    errors: list[PersonalDataError] = strawberry.field(directives=[list_size(PROBLEMS)])


@strawberry.type
class DeleteMyDataPayload:
    erased: bool = strawberry.field(
        description="True when personal data was erased; false when there was none."
    )
    errors: list[PersonalDataError] = strawberry.field(directives=[list_size(PROBLEMS)])


_CHECKS: dict[str, Callable[[str | None], str | None]] = {
    "name": validation.name,
    "cedula": validation.cedula,
    "phone": validation.phone,
    "email": validation.email,
    "address": validation.address,
}


def _own_entry(
    context: HubContext,
    action: KnownAction,
    *,
    record_type: str,
    record_id: str,
    fields: list[str],
    municipality_id: str | None,
) -> AuditEntry:
    subject = data_subject_of(context.principal)
    assert subject is not None
    return AuditEntry(
        actor=subject,
        actor_role=DATA_SUBJECT_ROLE,
        action=action,
        record_type=record_type,
        record_id=record_id,
        fields=fields,
        municipality_id=municipality_id,
        client_address=client_address(context),
        purpose=PURPOSES[action],
        data_subject=subject,
    )


def _changes(
    data: ProfileInput, current: Profile | None, context: HubContext
) -> tuple[ProfileChanges | None, list[PersonalDataError]]:
    """The profile as the input would leave it, or the problems with the input."""
    errors = []
    values: dict[str, str | None] = {}
    for column, check in _CHECKS.items():
        given = getattr(data, column)
        if given is UNSET:
            values[column] = None if current is None else getattr(current, column)
            continue
        try:
            values[column] = check(given)
        except validation.Invalid as problem:
            errors.append(
                PersonalDataError(
                    field=column,
                    message=problem.message,
                    code=PersonalDataErrorCode(problem.code.value),
                )
            )
    municipality: str | None
    if data.municipality is UNSET:
        municipality = None if current is None else current.municipality_id
    else:
        municipality = (str(data.municipality).strip() or None) if data.municipality else None
        if municipality is not None and context.federation.get(municipality) is None:
            errors.append(
                PersonalDataError(
                    field="municipality",
                    message=Message(
                        "accounts", "Choose a local government from the PLANASMUN list."
                    ).es,
                    code=PersonalDataErrorCode.UNKNOWN_MUNICIPALITY,
                )
            )
    if errors:
        return None, errors
    return ProfileChanges(municipality_id=municipality, **values), []


async def _access_log(context: HubContext, subject: str) -> list[AuditRecord]:
    log = context.audit_log
    assert log is not None
    found: list[AuditRecord] = []
    after = None
    while len(found) < MAX_EXPORTED_ENTRIES:
        page = await log.entries(data_subject=subject, limit=_PAGE, after_seq=after)
        found.extend(page)
        if len(page) < _PAGE:
            break
        after = page[-1].seq
    return found


def _stores(context: HubContext) -> CitizenStore | None:
    if context.citizens is None or context.audit_log is None:
        return None
    return context.citizens


@strawberry.type
class CitizenMutations:
    @strawberry.mutation(
        description="Create or rectify the caller's profile. Personal data is kept only "
        "with consent to the current `consentTerms` (`consent: true` once). Every change "
        "is written to the audit log (field names, never values)."
    )
    async def update_my_profile(self, info: Info, input: ProfileInput) -> UpdateMyProfilePayload:
        context = info.context
        subject = data_subject_of(context.principal)
        if subject is None:
            return UpdateMyProfilePayload(profile=None, errors=[SIGN_IN])
        store = _stores(context)
        if store is None:
            return UpdateMyProfilePayload(profile=None, errors=[UNAVAILABLE])
        current = await store.profile(subject)
        changes, errors = _changes(input, current, context)
        consented = any(
            c.active and c.purpose == CONSENT_PURPOSE and c.text_version == CONSENT_TEXT_VERSION
            for c in (await store.consents(subject) if current is not None else [])
        )
        gives_personal_data = (
            changes.has_personal_data
            if changes is not None
            else any(getattr(input, column) for column in PERSONAL_COLUMNS)
        )
        if gives_personal_data and not (consented or input.consent):
            errors.append(
                PersonalDataError(
                    field="consent",
                    message=Message(
                        "accounts",
                        "To keep your personal data you must accept the terms of use of your data.",
                    ).es,
                    code=PersonalDataErrorCode.CONSENT_REQUIRED,
                )
            )
        if errors or changes is None:
            return UpdateMyProfilePayload(profile=None, errors=errors)
        changed = changes.changed_fields(current)
        record_consent = input.consent and not consented and changes.has_personal_data
        if not changed and not record_consent:
            return UpdateMyProfilePayload(
                profile=None if current is None else CitizenProfile.of(current), errors=[]
            )
        profile = current or await store.ensure_profile(subject)
        if record_consent:
            consent = Consent.given(profile.id, CONSENT_PURPOSE, CONSENT_TEXT_VERSION)
            await append_audit(
                context,
                _own_entry(
                    context,
                    KnownAction.CONSENT_RECORDED,
                    record_type="citizen_consent",
                    record_id=consent.id,
                    fields=["purpose", "textVersion"],
                    municipality_id=changes.municipality_id,
                ),
            )
            await store.add_consent(consent)
        if changed:
            await append_audit(
                context,
                _own_entry(
                    context,
                    KnownAction.UPDATE_PERSONAL_DATA,
                    record_type=PROFILE_RECORD,
                    record_id=profile.id,
                    fields=[
                        "municipality" if column == "municipality_id" else column
                        for column in changed
                    ],
                    municipality_id=changes.municipality_id or profile.municipality_id,
                ),
            )
            updated = await store.update_profile(profile.id, changes)
            if updated is None:  # erased meanwhile, by the same person in another tab
                return UpdateMyProfilePayload(profile=None, errors=[UNAVAILABLE])
            profile = updated
        return UpdateMyProfilePayload(profile=CitizenProfile.of(profile), errors=[])

    @strawberry.mutation(
        description="Everything the hub holds about the caller (profile, consents, who "
        "accessed their data) as a zip of JSON and CSV files. Audited."
    )
    async def export_my_data(self, info: Info) -> ExportMyDataPayload:
        context = info.context
        subject = data_subject_of(context.principal)

        def failed(error: PersonalDataError) -> ExportMyDataPayload:
            return ExportMyDataPayload(
                filename=None, content_type=None, zip_base64=None, errors=[error]
            )

        if subject is None:
            return failed(SIGN_IN)
        store = _stores(context)
        if store is None:
            return failed(UNAVAILABLE)
        profile = await store.profile(subject)
        held = [] if profile is None else [f"profile.{column}" for column in profile.held()]
        requests = [] if context.requests is None else await context.requests.for_citizen(subject)
        with_files = any(r.attachments for r in requests)
        await append_audit(
            context,
            _own_entry(
                context,
                KnownAction.EXPORT_PERSONAL_DATA,
                record_type=CITIZEN_RECORD,
                record_id=subject,
                fields=[
                    *held,
                    "consents",
                    "accessLog",
                    *(["serviceRequests"] if requests else []),
                    *(["serviceRequests.attachments"] if with_files else []),
                ],
                municipality_id=None if profile is None else profile.municipality_id,
            ),
        )
        now = dt.datetime.now(dt.UTC)
        planned = export.planned_files(requests)
        data = export.document(
            subject,
            profile,
            await store.consents(subject),
            await _access_log(context, subject),
            now,
            requests,
            planned,
        )
        files = await _attachment_files(context, planned.values())
        return ExportMyDataPayload(
            filename=export.filename(now),
            content_type=export.CONTENT_TYPE,
            zip_base64=base64.b64encode(export.build_zip(data, files)).decode("ascii"),
            errors=[],
        )

    @strawberry.mutation(
        description="Cancellation: erase the caller's personal data. The profile's fields "
        "are emptied and cut off from the person, consents are withdrawn, and the record "
        "stays, without the person, for public statistics. `confirm` must be true."
    )
    async def delete_my_data(self, info: Info, confirm: bool) -> DeleteMyDataPayload:
        context = info.context
        subject = data_subject_of(context.principal)
        if subject is None:
            return DeleteMyDataPayload(erased=False, errors=[SIGN_IN])
        if not confirm:
            return DeleteMyDataPayload(
                erased=False,
                errors=[
                    PersonalDataError(
                        field="confirm",
                        message=Message(
                            "accounts", "Confirm that you want to delete your personal data."
                        ).es,
                        code=PersonalDataErrorCode.CONFIRMATION_REQUIRED,
                    )
                ],
            )
        store = _stores(context)
        if store is None:
            return DeleteMyDataPayload(erased=False, errors=[UNAVAILABLE])
        profile = await store.profile(subject)
        requests = [] if context.requests is None else await context.requests.for_citizen(subject)
        if requests:
            await append_audit(
                context,
                _own_entry(
                    context,
                    KnownAction.ERASE_PERSONAL_DATA,
                    record_type=CITIZEN_RECORD,
                    record_id=subject,
                    fields=["serviceRequests"],
                    municipality_id=None,
                ),
            )
            assert context.requests is not None
            await context.requests.erase_citizen(subject)
        if profile is None:
            return DeleteMyDataPayload(erased=bool(requests), errors=[])
        await append_audit(
            context,
            _own_entry(
                context,
                KnownAction.ERASE_PERSONAL_DATA,
                record_type=PROFILE_RECORD,
                record_id=profile.id,
                fields=list(profile.held() or PERSONAL_COLUMNS),
                municipality_id=profile.municipality_id,
            ),
        )
        erasure = await store.erase(subject)
        return DeleteMyDataPayload(erased=erasure is not None, errors=[])


async def _attachment_files(
    context: HubContext, planned: Iterable[export.ExportedFile]
) -> list[tuple[str, bytes]]:
    """The planned files' contents, read one at a time (a file erased meanwhile is left
    out: the export names it, and its request's page says it is gone)."""
    files: list[tuple[str, bytes]] = []
    if context.requests is None:
        return files
    for planned_file in planned:
        found = await context.requests.attachment_content(planned_file.attachment_id)
        if found is not None:
            files.append((planned_file.path, found[1]))
    return files
