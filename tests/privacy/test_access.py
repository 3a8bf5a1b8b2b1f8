"""Who may read a citizen's personal data, over real HTTP with the provider's bearer
tokens: the citizen, and staff of the linked local government with a purpose (audited).
Everyone else gets null and FORBIDDEN, and a signed-in caller's attempt is audited."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import httpx

from tests.privacy.logscan import PersonalDataLogScan
from tests.privacy.personal_values import JUAN, MARIA, personal_values_in
from tests.privacy.support import STAFF_READ, PrivacyHub, codes, graphql

EVERY_PERSONAL_FIELD = ["name", "cedula", "phone", "email", "address"]


def _purpose() -> str:
    """A purpose no other test uses, to find this test's entries in the shared log."""
    return f"Atender la solicitud SDE-{uuid.uuid4().hex[:10]}"


# Sneaking in: aliases, fragments, an inline fragment, the same field twice.
SNEAKY = """
fragment Contact on CitizenProfile { phone email }
query Sneaky($subject: ID!, $purpose: String!) {
  a: citizen(subject: $subject, purpose: $purpose) { name ...Contact }
  b: citizen(subject: $subject, purpose: $purpose) { ... on CitizenProfile { cedula address } }
  me { profile { name } }
}
"""


def test_anonymous_callers_get_null_and_forbidden(client: httpx.Client) -> None:
    body = graphql(client, SNEAKY, subject=MARIA.subject, purpose=_purpose())
    assert body["data"] == {"a": None, "b": None, "me": None}
    assert codes(body) == ["FORBIDDEN", "FORBIDDEN"]
    assert "No tiene permiso" in body["errors"][0]["message"]
    assert (
        personal_values_in(client.post("/graphql", json={"query": "{ me { subject } }"}).text)
        == set()
    )
    assert personal_values_in(str(body)) == set()


def test_another_citizen_gets_null_and_forbidden_and_is_audited(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    purpose = _purpose()
    body = graphql(client, SNEAKY, token=hub.token("juan"), subject=MARIA.subject, purpose=purpose)
    assert body["data"]["a"] is None and body["data"]["b"] is None
    assert codes(body) == ["FORBIDDEN", "FORBIDDEN"]
    # Juan's own profile comes back: his, and nothing of María's.
    assert body["data"]["me"] == {"profile": {"name": JUAN.name}}
    assert personal_values_in(str(body), only=(MARIA,)) == set()
    refused = [e for e in hub.audit(data_subject=MARIA.subject) if e.purpose == purpose]
    assert [(e.action, e.actor, e.actor_role) for e in refused] == [
        ("access_denied", JUAN.subject, "citizen")
    ] * 2  # one per attempt: `a` and `b`, each naming the fields it asked for
    assert sorted(f for e in refused for f in e.fields) == sorted(EVERY_PERSONAL_FIELD)


def test_staff_of_the_linked_municipality_read_with_a_purpose_and_are_audited(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    purpose = _purpose()
    body = graphql(
        client, STAFF_READ, token=hub.token("ana"), subject=MARIA.subject, purpose=purpose
    )
    assert "errors" not in body, body
    assert body["data"]["citizen"] == {
        "subject": MARIA.subject,
        "name": MARIA.name,
        "cedula": MARIA.cedula,
        "phone": MARIA.phone,
        "email": MARIA.email,
        "address": MARIA.address,
    }
    (entry,) = [e for e in hub.audit(data_subject=MARIA.subject) if e.purpose == purpose]
    assert entry.action == "read_personal_data"
    assert (entry.actor, entry.actor_role) == (
        "demo-personal-0003",
        "staff:santo-domingo-este:agent",
    )
    assert (entry.record_type, entry.municipality_id) == ("citizen_profile", "santo-domingo-este")
    assert sorted(entry.fields) == sorted(EVERY_PERSONAL_FIELD)  # one entry for the object
    assert entry.client_address == "127.0.0.1"
    assert personal_values_in(str(entry.as_json())) == set()

    # María sees who (by role) read what and why; never which person.
    mine = graphql(
        client,
        "{ me { accessLog { actorRole municipality action fields purpose } } }",
        token=hub.token("maria"),
    )
    assert {
        "actorRole": "staff:santo-domingo-este:agent",
        "municipality": "santo-domingo-este",
        "action": "read_personal_data",
        "fields": list(entry.fields),
        "purpose": purpose,
    } in mine["data"]["me"]["accessLog"]
    assert "demo-personal-0003" not in str(mine)


def test_reads_through_aliases_and_fragments_are_audited_once_per_object(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    purpose = _purpose()
    body = graphql(client, SNEAKY, token=hub.token("pedro"), subject=MARIA.subject, purpose=purpose)
    assert body["data"]["a"] == {"name": MARIA.name, "phone": MARIA.phone, "email": MARIA.email}
    assert body["data"]["b"] == {"cedula": MARIA.cedula, "address": MARIA.address}
    reads = [e for e in hub.audit(data_subject=MARIA.subject) if e.purpose == purpose]
    assert sorted(sorted(e.fields) for e in reads) == [
        ["address", "cedula"],
        ["email", "name", "phone"],
    ]
    assert {e.actor_role for e in reads} == {"staff:santo-domingo-este:supervisor"}


def test_staff_must_say_why(client: httpx.Client, hub: PrivacyHub) -> None:
    token = hub.token("ana")
    short = graphql(client, STAFF_READ, token=token, subject=MARIA.subject, purpose="ver")
    assert short["data"]["citizen"] is None
    assert codes(short) == ["PURPOSE_REQUIRED"]
    personal = graphql(
        client,
        STAFF_READ,
        token=token,
        subject=MARIA.subject,
        purpose=f"Verificar la cédula {MARIA.cedula} de la solicitante",
    )
    assert personal["data"]["citizen"] is None
    assert codes(personal) == ["BAD_USER_INPUT"]
    assert personal_values_in(str(personal)) == set()


def test_staff_of_another_municipality_are_refused_and_the_attempt_is_audited(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    purpose = _purpose()
    body = graphql(
        client, SNEAKY, token=hub.token("carmen"), subject=MARIA.subject, purpose=purpose
    )
    assert (body["data"]["a"], body["data"]["b"]) == (None, None)
    assert codes(body) == ["FORBIDDEN", "FORBIDDEN"]
    assert personal_values_in(str(body), only=(MARIA,)) == set()
    refused = [e for e in hub.audit(data_subject=MARIA.subject) if e.purpose == purpose]
    assert len(refused) == 2  # one per attempt: `a` and `b`
    for entry in refused:
        assert entry.action == "access_denied"
        assert (entry.actor, entry.actor_role) == ("demo-personal-0005", "staff:santiago:agent")
        assert entry.municipality_id == "santo-domingo-este"  # whose record it was
    assert sorted(f for e in refused for f in e.fields) == sorted(EVERY_PERSONAL_FIELD)
    # Santiago's own citizen is theirs to read.
    own = graphql(
        client, STAFF_READ, token=hub.token("carmen"), subject=JUAN.subject, purpose=purpose
    )
    assert own["data"]["citizen"]["cedula"] == JUAN.cedula


def test_a_missing_profile_is_refused_like_a_forbidden_one(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    missing = graphql(
        client, STAFF_READ, token=hub.token("carmen"), subject="no-existe-0099", purpose=_purpose()
    )
    forbidden = graphql(
        client, STAFF_READ, token=hub.token("carmen"), subject=MARIA.subject, purpose=_purpose()
    )
    assert missing["data"] == forbidden["data"] == {"citizen": None}
    assert [e["message"] for e in missing["errors"]] == [e["message"] for e in forbidden["errors"]]


def test_national_administrators_see_the_register_but_no_personal_data(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    token = hub.token("luis")
    body = graphql(client, STAFF_READ, token=token, subject=MARIA.subject, purpose=_purpose())
    assert body["data"]["citizen"] is None and codes(body) == ["FORBIDDEN"]
    register = graphql(client, "{ personalDataInventory { typeName field kind } }", token=token)
    assert {"typeName": "CitizenProfile", "field": "cedula", "kind": "CEDULA"} in register["data"][
        "personalDataInventory"
    ]
    staff = graphql(client, "{ personalDataInventory { field } }", token=hub.token("ana"))
    assert staff["data"]["personalDataInventory"] is None and codes(staff) == ["FORBIDDEN"]


def test_reading_ones_own_data_is_not_audited(client: httpx.Client, hub: PrivacyHub) -> None:
    before = len(hub.audit(data_subject=MARIA.subject))
    token = hub.token("maria")
    mine = graphql(
        client,
        "query Own($s: ID!) { me { displayName profile { cedula } } "
        'citizen(subject: $s, purpose: "") { phone } }',
        token=token,
        s=MARIA.subject,
    )
    assert mine["data"] == {
        "me": {"displayName": MARIA.name, "profile": {"cedula": MARIA.cedula}},
        "citizen": {"phone": MARIA.phone},
    }
    assert len(hub.audit(data_subject=MARIA.subject)) == before


def test_values_written_into_the_query_text_stay_out_of_the_logs(
    client: httpx.Client, hub: PrivacyHub, tmp_path: Path
) -> None:
    """A client that writes personal values into the operation itself, and gets errors:
    the hub logs each error by code and path, never the line of the query it points at."""
    m = MARIA
    inline = (
        f'mutation {{ updateMyProfile(input: {{name: "{m.name}", cedula: "{m.cedula}", '
        f'phone: "{m.phone}", nope: 1}}) {{ errors {{ code }} }} }}'
    )
    refused = (
        f'{{ citizen(subject: "{m.subject}", purpose: "Ver la cédula {m.cedula}") {{ name }} }}'
    )
    forbidden = (
        f'{{ citizen(subject: "{m.subject}", purpose: "Llamar a {m.phone} hoy") {{ name }} }}'
    )
    scan = PersonalDataLogScan(tmp_path)
    root = logging.getLogger()
    level = root.level
    root.addHandler(scan)
    root.setLevel(logging.INFO)
    try:
        for query, token in ((inline, None), (refused, hub.token("ana")), (forbidden, None)):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            body = client.post("/graphql", json={"query": query}, headers=headers).json()
            assert body["errors"], body
    finally:
        root.removeHandler(scan)
        root.setLevel(level)
    assert scan.records >= 3  # the hub did log the errors…
    assert scan.hits == []  # …without the query's text


ISSUE_KEY = """
mutation Issue($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key errors { code } } }
"""


def test_an_api_key_is_nobody_it_has_no_data_of_its_own_and_reads_none(
    client: httpx.Client, hub: PrivacyHub
) -> None:
    issued = graphql(
        client,
        ISSUE_KEY,
        token=hub.token("luis"),
        input={
            "name": "Mapa de trámites",
            "contactEmail": "dev@example.net",
            "scopes": ["READ_PUBLIC"],
        },
    )
    key = issued["data"]["issueApiKey"]["key"]
    assert key, issued
    purpose = _purpose()

    def ask(query: str, **variables: object) -> dict[str, object]:
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"X-Api-Key": key},
        )
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    assert ask("{ me { subject } }")["data"] == {"me": None}
    body = ask(STAFF_READ, subject=MARIA.subject, purpose=purpose)
    assert body["data"] == {"citizen": None} and codes(body) == ["FORBIDDEN"]
    (refused,) = [e for e in hub.audit(data_subject=MARIA.subject) if e.purpose == purpose]
    assert refused.action == "access_denied" and refused.actor_role == "developer"
    write = ask(
        "mutation($i: ProfileInput!) { updateMyProfile(input: $i) { errors { code } } }",
        i=MARIA.profile_input(),
    )
    assert write["data"] == {"updateMyProfile": {"errors": [{"code": "UNAUTHENTICATED"}]}}
