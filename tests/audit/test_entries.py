"""What an entry may hold: ids, field names and a purpose, never personal values."""

from __future__ import annotations

from typing import Any

import pytest

from store.audit import AuditEntry, InvalidAuditEntry, KnownAction


def read(**changes: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "actor": "s-santiago-agent",
        "actor_role": "staff:santiago:agent",
        "action": "read_personal_data",
        "record_type": "service_request",
        "record_id": "req-1",
        "fields": ["name", "address.street"],
        "municipality_id": "santiago",
        "client_address": "192.0.2.10",
        "purpose": "atender la solicitud",
        "data_subject": "c-0001",
        **changes,
    }
    return AuditEntry(**values)


def test_a_valid_entry_is_normalised() -> None:
    entry = read(
        action=KnownAction.READ_PERSONAL_DATA,
        fields=("name",),
        client_address="2001:DB8:0:0::1",
        purpose="  atender   la solicitud ",
    )
    assert entry.action == "read_personal_data" and type(entry.action) is str
    assert entry.fields == ("name",)
    assert entry.client_address == "2001:db8::1"
    assert entry.purpose == "atender la solicitud"
    assert read(client_address="testclient").client_address == "testclient"


@pytest.mark.parametrize("purpose", [None, "", "   \n "])
def test_a_read_of_personal_data_needs_a_purpose(purpose: str | None) -> None:
    with pytest.raises(InvalidAuditEntry, match="needs a purpose"):
        read(purpose=purpose)
    # Other actions do not.
    assert read(action="update_personal_data", purpose=purpose).purpose is None


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Ana Pérez"},  # values, not names
        "name",
        b"name",
        ["name", "Ana Pérez"],
        ["name", ""],
        ["001-1234567-8"],
        ["name", 3],
        ["name", "name"],
        [f"f{n}" for n in range(101)],
        None,
    ],
)
def test_fields_must_be_a_list_of_names(fields: object) -> None:
    with pytest.raises(InvalidAuditEntry, match="field"):
        read(fields=fields)


def test_reads_and_changes_of_personal_data_name_the_record_and_fields() -> None:
    with pytest.raises(InvalidAuditEntry, match="record_type and record_id"):
        read(record_id=None)
    with pytest.raises(InvalidAuditEntry, match="fields"):
        read(fields=[])
    with pytest.raises(InvalidAuditEntry, match="fields"):
        read(action="update_personal_data", fields=[])
    assert read(action="erase_personal_data", fields=[]).fields == ()


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("data_subject", "001-1234567-8"),
        ("data_subject", "00112345678"),
        ("data_subject", "ana@example.org"),
        ("actor", "Ana Pérez"),
        ("actor", "8095551234"),
        ("record_id", "809-555-1234"),
        ("purpose", "llamar a Ana al 809-555-1234"),
        ("purpose", "cédula 001-1234567-8 verificada"),
        ("purpose", "escribir a ana@example.org"),
        ("purpose", "línea\x00oculta"),
        ("purpose", "x" * 501),
        ("actor_role", "Staff Santiago"),
        ("municipality_id", "Santiago de los Caballeros"),
        ("action", "Read"),
        ("client_address", "192.0.2.10, 10.0.0.1"),
        ("actor", ""),
        ("actor", "s" * 201),
    ],
)
def test_personal_values_and_free_text_are_refused(attribute: str, value: str) -> None:
    with pytest.raises(InvalidAuditEntry) as error:
        read(**{attribute: value})
    # The message names what was wrong, never the value itself.
    assert value not in str(error.value) or len(value) < 4


def test_other_actions_are_snake_case_and_need_no_record() -> None:
    entry = AuditEntry(actor="n-admin", actor_role="national:admin", action="api_key_issued")
    assert (entry.record_type, entry.record_id, entry.fields, entry.purpose) == (
        None,
        None,
        (),
        None,
    )
