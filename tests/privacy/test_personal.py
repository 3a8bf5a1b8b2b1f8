"""`schema.personal`: the one list of personal fields, the guard it puts on them, and the
permission classes, on the hub's schema and on small schemas of the tests' own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
import strawberry

from accessibility import Language
from schema import HubContext, build_schema
from schema import personal as personal_module
from schema.citizens import validation
from schema.citizens.consent import CONSENT_TEXT
from schema.personal import (
    IsNationalAdmin,
    IsStaffOf,
    Ownership,
    PersonalKind,
    check_schema,
    personal_data,
)
from schema.principal import ANONYMOUS, Principal, PrincipalKind, StaffRole
from store.audit import AuditLog
from store.migrate import upgrade_async
from store.store import create_engine
from web.citizen_pages import CONSENT_TERMS
from web.i18n import translations

SDE = "santo-domingo-este"
AGENT = Principal("agente-1", "Agente", PrincipalKind.STAFF, {SDE: frozenset({StaffRole.AGENT})})
SUPERVISOR = Principal(
    "super-1", "Supervisora", PrincipalKind.STAFF, {SDE: frozenset({StaffRole.SUPERVISOR})}
)
OTHER_STAFF = Principal(
    "agente-2", "Otro", PrincipalKind.STAFF, {"santiago": frozenset({StaffRole.AGENT})}
)
AUTHOR = Principal("autor-1", "Autora", PrincipalKind.CITIZEN)
NEIGHBOUR = Principal("vecino-1", "Vecino", PrincipalKind.CITIZEN)
ADMIN = Principal("lmd-1", "Admin", PrincipalKind.NATIONAL_ADMIN)


def test_every_declared_personal_field_is_guarded_and_nothing_else_looks_personal() -> None:
    assert check_schema(build_schema()) == []


def test_the_check_finds_a_personal_looking_field_nobody_declared() -> None:
    @strawberry.type
    class Suggestion:
        text: str | None
        phone: str | None

    @strawberry.type
    class Query:
        suggestion: Suggestion | None = strawberry.field(
            resolver=lambda: None, graphql_type=Suggestion | None
        )

    problems = check_schema(strawberry.Schema(query=Query))
    assert [p.split(" ")[0] for p in problems if p.startswith("Suggestion")] == [
        "Suggestion.text",
        "Suggestion.phone",
    ]


# -- Declaring a later type's personal fields ------------------------------------------


@pytest.fixture
def ticket_is_personal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A help-desk ticket, declared as later types will: one line in the list."""
    monkeypatch.setattr(
        personal_module,
        "PERSONAL_FIELDS",
        {**personal_module.PERSONAL_FIELDS, "Ticket": {"text": PersonalKind.FREE_TEXT}},
    )


def _ticket_type() -> type:
    @personal_data
    @strawberry.type
    class Ticket:
        ownership: strawberry.Private[Ownership]
        id: strawberry.ID
        text: str | None

        @strawberry.field(permission_classes=[IsStaffOf])
        def internal_note(self) -> str | None:
            return "nota interna"

    return Ticket


def test_a_type_not_in_the_list_cannot_be_declared_personal() -> None:
    with pytest.raises(TypeError, match=r"not listed in schema\.personal\.PERSONAL_FIELDS"):
        _ticket_type()


@pytest.mark.usefixtures("ticket_is_personal")
def test_a_listed_field_must_exist_be_nullable_and_have_an_owner() -> None:
    with pytest.raises(TypeError, match=r"Ticket\.text is listed as personal but does not exist"):

        @personal_data
        @strawberry.type
        class Ticket:
            ownership: strawberry.Private[Ownership]
            body: str | None

    with pytest.raises(TypeError, match="make it nullable"):

        @personal_data
        @strawberry.type
        class Ticket:  # type: ignore[no-redef]
            ownership: strawberry.Private[Ownership]
            text: str

    with pytest.raises(TypeError, match="needs `ownership"):

        @personal_data
        @strawberry.type
        class Ticket:  # type: ignore[no-redef]
            text: str | None


# -- The permission classes, on a schema of the test's own ------------------------------


class IsSupervisorOf(IsStaffOf):
    role = StaffRole.SUPERVISOR


@pytest.fixture
async def audit_log(tmp_path: Path) -> AsyncIterator[AuditLog]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    yield AuditLog(engine)
    await engine.dispose()


@pytest.fixture
def tickets(ticket_is_personal: None) -> strawberry.Schema:
    Ticket = _ticket_type()

    def ticket(purpose: str | None = None) -> Any:
        return Ticket(
            ownership=Ownership(AUTHOR.subject, SDE, "ticket", "t-1", purpose),
            id=strawberry.ID("t-1"),
            text="Mi vecino bota basura en la cañada",
        )

    @strawberry.type
    class Query:
        ticket_field = strawberry.field(resolver=ticket, name="ticket", graphql_type=Ticket | None)

        @strawberry.field(permission_classes=[IsSupervisorOf])
        def queue_size(self, municipality: strawberry.ID) -> int | None:
            return 7

        @strawberry.field(permission_classes=[IsNationalAdmin])
        def onboarding_notes(self) -> str | None:
            return "notas"

    schema = strawberry.Schema(query=Query)
    assert [p for p in check_schema(schema) if "not in the schema" not in p] == []
    return schema


async def _run(
    schema: strawberry.Schema, query: str, who: Principal, log: AuditLog | None
) -> tuple[Any, list[tuple[str, str]]]:
    context = HubContext(
        federation=cast(Any, None), loaders=cast(Any, None), principal=who, audit_log=log
    )
    result = await schema.execute(query, context_value=context)
    errors = [(str((e.extensions or {}).get("code")), e.message) for e in result.errors or []]
    return result.data, errors


READ = '{ ticket(purpose: "Responder el ticket t-1") { id text internalNote } }'


async def test_the_author_reads_their_text_and_nothing_is_audited(
    tickets: strawberry.Schema, audit_log: AuditLog
) -> None:
    data, errors = await _run(tickets, READ, AUTHOR, audit_log)
    assert data["ticket"]["text"] == "Mi vecino bota basura en la cañada"
    assert data["ticket"]["internalNote"] is None  # staff only
    assert [code for code, _ in errors] == ["FORBIDDEN"]
    # The author is signed in: the refused staff-only field is on record, not the read.
    assert [(e.action, e.actor) for e in await audit_log.entries()] == [
        ("access_denied", AUTHOR.subject)
    ]


async def test_staff_of_the_owner_read_it_with_one_entry_per_object(
    tickets: strawberry.Schema, audit_log: AuditLog
) -> None:
    query = '{ ticket(purpose: "Responder el ticket t-1") { a: text b: text internalNote } }'
    data, errors = await _run(tickets, query, AGENT, audit_log)
    assert errors == []
    assert data["ticket"]["a"] == data["ticket"]["b"] == "Mi vecino bota basura en la cañada"
    (entry,) = await audit_log.entries()
    assert (entry.action, entry.actor, entry.actor_role) == (
        "read_personal_data",
        AGENT.subject,
        "staff:santo-domingo-este:agent",
    )
    assert (entry.record_type, entry.record_id, entry.fields) == ("ticket", "t-1", ("text",))
    assert (entry.purpose, entry.data_subject) == ("Responder el ticket t-1", AUTHOR.subject)


async def test_staff_must_have_a_purpose(tickets: strawberry.Schema, audit_log: AuditLog) -> None:
    data, errors = await _run(tickets, "{ ticket { text } }", AGENT, audit_log)
    assert data["ticket"]["text"] is None
    assert [code for code, _ in errors] == ["PURPOSE_REQUIRED"]
    assert await audit_log.entries() == []


@pytest.mark.parametrize("who", [NEIGHBOUR, OTHER_STAFF, ADMIN, ANONYMOUS], ids=lambda p: p.kind)
async def test_everyone_else_gets_null_and_forbidden(
    tickets: strawberry.Schema, audit_log: AuditLog, who: Principal
) -> None:
    data, errors = await _run(tickets, READ, who, audit_log)
    assert data["ticket"]["text"] is None and data["ticket"]["internalNote"] is None
    assert [code for code, _ in errors] == ["FORBIDDEN", "FORBIDDEN"]
    assert all(
        message.startswith(("No tiene permiso", "Solo el personal")) for _, message in errors
    )
    entries = await audit_log.entries()
    if who.is_authenticated:  # refusals of signed-in callers are on record
        assert {(e.action, e.actor) for e in entries} == {("access_denied", who.subject)}
        assert sorted(f for e in entries for f in e.fields) == ["internalNote", "text"]
    else:
        assert entries == []


async def test_without_an_audit_log_staff_see_nothing(tickets: strawberry.Schema) -> None:
    data, errors = await _run(tickets, READ, AGENT, None)
    assert data["ticket"]["text"] is None
    assert ("PERSONAL_DATA_UNAVAILABLE") in [code for code, _ in errors]


async def test_is_staff_of_reads_the_argument_and_may_require_a_role(
    tickets: strawberry.Schema, audit_log: AuditLog
) -> None:
    query = '{ queueSize(municipality: "santo-domingo-este") }'
    assert await _run(tickets, query, SUPERVISOR, audit_log) == ({"queueSize": 7}, [])
    data, errors = await _run(tickets, query, AGENT, audit_log)  # an agent, not a supervisor
    assert data == {"queueSize": None} and [c for c, _ in errors] == ["FORBIDDEN"]
    (refused,) = await audit_log.entries()
    assert (refused.actor, refused.municipality_id, refused.fields) == (
        AGENT.subject,
        SDE,
        ("queueSize",),
    )


async def test_is_national_admin(tickets: strawberry.Schema) -> None:
    assert await _run(tickets, "{ onboardingNotes }", ADMIN, None) == (
        {"onboardingNotes": "notas"},
        [],
    )
    data, errors = await _run(tickets, "{ onboardingNotes }", SUPERVISOR, None)
    assert data == {"onboardingNotes": None}
    assert errors == [
        ("FORBIDDEN", "Solo la administración nacional (Liga Municipal Dominicana) puede ver esto.")
    ]


# -- What citizens write ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("001-1234567-3", "001-1234567-3"),
        ("00112345673", "001-1234567-3"),
        (" 001 1234567 3 ", "001-1234567-3"),
        ("031-7654321-7", "031-7654321-7"),
        ("", None),
    ],
)
def test_a_cedula_is_stored_as_000_0000000_0(given: str, stored: str | None) -> None:
    assert validation.cedula(given) == stored


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("001-1234567", "INVALID_CEDULA"),
        ("001-1234567-89", "INVALID_CEDULA"),
        ("OO1-1234567-3", "INVALID_CEDULA"),
        ("٠٠١-١٢٣٤٥٦٧-٣", "INVALID_CEDULA"),  # digits, but not ASCII ones
        ("001-1234567-8", "CEDULA_CHECK_DIGIT"),
        ("001-1234576-3", "CEDULA_CHECK_DIGIT"),  # two digits swapped
    ],
)
def test_a_wrong_cedula_is_refused_without_repeating_it(given: str, code: str) -> None:
    with pytest.raises(validation.Invalid) as refused:
        validation.cedula(given)
    assert refused.value.code.value == code
    assert given not in refused.value.message and "cédula" in refused.value.message


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("8095550100", "809-555-0100"),
        ("+1 (829) 555-0142", "829-555-0142"),
        ("1-849-555-0177", "849-555-0177"),
        ("849.555.0177", "849-555-0177"),
    ],
)
def test_a_dominican_phone_number_is_normalised(given: str, stored: str) -> None:
    assert validation.phone(given) == stored


@pytest.mark.parametrize("given", ["555-0142", "305-555-0142", "+44 20 7946 0958", "8095550100x"])
def test_other_phone_numbers_are_refused(given: str) -> None:
    with pytest.raises(validation.Invalid, match="El teléfono"):
        validation.phone(given)


def test_email_address_and_name() -> None:
    assert validation.email(" Maria.Perez@Example.ORG ") == "Maria.Perez@example.org"
    for wrong in ("maria", "maria@", "@example.org", "maria@example", "a b@example.org"):
        with pytest.raises(validation.Invalid, match="correo electrónico"):
            validation.email(wrong)
    assert validation.name("  María   Altagracia ") == "María Altagracia"
    with pytest.raises(validation.Invalid, match="El nombre no puede pasar de 200"):
        validation.name("a" * 201)
    with pytest.raises(validation.Invalid, match="caracteres no permitidos"):
        validation.address("Calle\x00 1")


def test_the_consent_the_web_shows_in_spanish_is_the_schemas_word_for_word() -> None:
    assert translations(Language.SPANISH).gettext(CONSENT_TERMS) == CONSENT_TEXT
