"""`municipalityAuditLog`: a municipality's audit log for its supervisors, over HTTP with
real bearer tokens from the bundled OpenID provider, on the real hub store.

Pedro (supervisor, Santo Domingo Este) and Luis (national administrator) read it; Ana
(agent of Santo Domingo Este, not a supervisor), Carmen (agent of Santiago) and anonymous
callers are refused with FORBIDDEN, and the signed-in refusals are themselves audited.
The log names fields, never values: no demo citizen's personal data appears in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo import identity_provider
from demo.identity_provider import DEMO_USERS, ProviderHandle
from tests.identity.support import CLIENT_SECRET
from tests.privacy.personal_values import JUAN, MARIA, personal_values_in
from tests.privacy.support import (
    STAFF_READ,
    PrivacyHub,
    codes,
    graphql,
    privacy_hub,
)

SDE = "santo-domingo-este"

AUDIT_LOG = """
query Log($municipality: ID!, $first: Int! = 50, $before: Int) {
  municipalityAuditLog(municipalityId: $municipality, first: $first, before: $before) {
    municipalityId
    entries { seq at actor actorRole action recordType recordId fields purpose }
    hasMore
    nextBefore
  }
}
"""

PURPOSES = [f"Atender la solicitud de prueba número {n}" for n in range(1, 4)]


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="module")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivacyHub]:
    """María (Santo Domingo Este) and Juan (Santiago) wrote their profiles; Ana read
    María's three times, with three purposes, and Carmen read Juan's once."""
    with privacy_hub(tmp_path_factory.mktemp("audit-log-hub"), provider) as running:
        for citizen in (MARIA, JUAN):
            running.write_profile(citizen)
        with running.client() as client:
            for purpose in PURPOSES:
                body = graphql(
                    client,
                    STAFF_READ,
                    token=running.token("ana"),
                    subject=MARIA.subject,
                    purpose=purpose,
                )
                assert "errors" not in body, body
            body = graphql(
                client,
                STAFF_READ,
                token=running.token("carmen"),
                subject=JUAN.subject,
                purpose="Revisar la solicitud de Santiago",
            )
            assert "errors" not in body, body
        yield running


def _log(hub: PrivacyHub, username: str | None, **variables: Any) -> dict[str, Any]:
    with hub.client() as client:
        return graphql(
            client,
            AUDIT_LOG,
            token=None if username is None else hub.token(username),
            **{"municipality": SDE, **variables},
        )


def test_a_supervisor_reads_who_saw_what_and_why(hub: PrivacyHub) -> None:
    body = _log(hub, "pedro")
    assert "errors" not in body, body
    page = body["data"]["municipalityAuditLog"]
    assert page["municipalityId"] == SDE
    reads = [e for e in page["entries"] if e["action"] == "read_personal_data"]
    # Newest first, each of Ana's reads with its purpose, record and field names.
    assert [e["purpose"] for e in reads] == PURPOSES[::-1]
    for entry in reads:
        assert entry["actor"] == "demo-personal-0003"
        assert entry["actorRole"] == f"staff:{SDE}:agent"
        assert entry["recordType"] == "citizen_profile"
        assert entry["recordId"]
        assert set(entry["fields"]) >= {"name", "cedula", "phone", "email", "address"}
    seqs = [e["seq"] for e in page["entries"]]
    assert seqs == sorted(seqs, reverse=True)
    # Only this municipality's entries: Carmen's read of Juan's profile is Santiago's.
    assert all(e["actor"] != "demo-personal-0005" for e in page["entries"])


def test_the_log_holds_field_names_never_personal_values(hub: PrivacyHub) -> None:
    with hub.client() as client:
        response = client.post(
            "/graphql",
            json={"query": AUDIT_LOG, "variables": {"municipality": SDE}},
            headers={"Authorization": f"Bearer {hub.token('pedro')}"},
        )
    assert response.status_code == 200
    assert personal_values_in(response.text) == set()
    # Nor whose data it was, nor the address the request came from.
    assert MARIA.subject not in response.text
    assert "127.0.0.1" not in response.text


def test_pages_go_backwards_with_before(hub: PrivacyHub) -> None:
    everything = _log(hub, "pedro")["data"]["municipalityAuditLog"]["entries"]
    assert len(everything) >= 3
    first = _log(hub, "pedro", first=2)["data"]["municipalityAuditLog"]
    assert [e["seq"] for e in first["entries"]] == [e["seq"] for e in everything[:2]]
    assert first["hasMore"] is True
    assert first["nextBefore"] == everything[1]["seq"]
    rest = _log(hub, "pedro", first=50, before=first["nextBefore"])["data"]
    assert [e["seq"] for e in rest["municipalityAuditLog"]["entries"]] == [
        e["seq"] for e in everything[2:]
    ]
    assert rest["municipalityAuditLog"]["hasMore"] is False
    assert rest["municipalityAuditLog"]["nextBefore"] is None


def test_a_national_administrator_reads_it_too(hub: PrivacyHub) -> None:
    body = _log(hub, "luis")
    assert "errors" not in body, body
    assert body["data"]["municipalityAuditLog"]["entries"]


@pytest.mark.parametrize("username", ["ana", "carmen", "maria"])
def test_anyone_else_is_refused_and_the_attempt_is_audited(hub: PrivacyHub, username: str) -> None:
    before = len(hub.audit())
    body = _log(hub, username)
    assert body["data"]["municipalityAuditLog"] is None
    assert codes(body) == ["FORBIDDEN"]
    assert "supervisores" in body["errors"][0]["message"]
    refused = hub.audit()[before:]
    assert [(e.action, e.record_type, e.municipality_id) for e in refused] == [
        ("access_denied", "audit_log", SDE)
    ]
    assert refused[0].actor == {u.username: u.subject for u in DEMO_USERS}[username]


def test_an_anonymous_caller_is_refused_without_an_entry(hub: PrivacyHub) -> None:
    before = len(hub.audit())
    body = _log(hub, None)
    assert body["data"]["municipalityAuditLog"] is None
    assert codes(body) == ["FORBIDDEN"]
    assert len(hub.audit()) == before


def test_the_supervisor_of_one_municipality_cannot_read_another(hub: PrivacyHub) -> None:
    body = _log(hub, "pedro", municipality="santiago")
    assert body["data"]["municipalityAuditLog"] is None
    assert codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [({"first": 0}, "first"), ({"first": 201}, "first"), ({"before": 0}, "before")],
)
def test_bounds_are_checked(hub: PrivacyHub, variables: dict[str, Any], argument: str) -> None:
    body = _log(hub, "pedro", **variables)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument


def test_schema_file_lists_the_query(tmp_path: Path) -> None:
    schema_file = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
    assert "municipalityAuditLog(" in schema_file.read_text(encoding="utf-8")
