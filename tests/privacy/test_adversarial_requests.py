"""Issue 4's adversarial suite, on service requests: staff of Santiago (Carmen), another
citizen (Juan) and anonymous callers try to read or change a request of Santo Domingo
Este that María submitted — by its number, by guessing numbers, through nested fields,
aliases, fragments and several operations at once, through GraphQL, the web client and
Open311. Every attempt is refused, nothing personal comes back, and every signed-in
attempt is in the audit log."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from demo.identity_provider import ProviderHandle
from tests.privacy.support import (
    PrivacyHub,
    codes,
    graphql,
    privacy_hub,
    sign_in,
    verify_audit,
)

SDE = "santo-domingo-este"
SERVICE = "recogida-desechos-comercial"
CARMEN = "demo-personal-0005"  # agent of Santiago
JUAN = "demo-ciudadano-0002"
#: What María writes: words nobody else writes, looked for in every answer.
SECRET_WORDS = "Detrás de la casa de doña Eufemia Tavárez hay un vertedero"
SECRET_ADDRESS = "Calle Respaldo Los Mina 17, apto. 3B"
PERSONAL = (SECRET_WORDS, SECRET_ADDRESS, "18.4861", "-69.8571")

FIELDS = """
query Fields($id: ID!) {
  service(id: $id) { requestFields { code datatype required choices { key } } }
}
"""

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    request { trackingNumber }
    errors { field code message }
  }
}
"""

READ_EVERYTHING = """
query Read($number: String!, $purpose: String) {
  serviceRequest(trackingNumber: $number, purpose: $purpose) {
    trackingNumber status
    description address latitude longitude answers { code value } assignedTo
  }
}
"""

ALIASES_AND_FRAGMENTS = """
fragment Private on ServiceRequest { description address answers { value } }
fragment Where on ServiceRequest { latitude longitude }
query Sneaky($number: String!, $purpose: String) {
  a: serviceRequest(trackingNumber: $number, purpose: $purpose) { ...Private }
  b: serviceRequest(trackingNumber: $number, purpose: $purpose) { ...Where ...Private }
  c: serviceRequest(trackingNumber: $number, purpose: $purpose) {
    ... on ServiceRequest { description }
  }
}
"""

QUEUE = """
query Queue($municipality: ID!) {
  serviceRequestQueue(municipalityId: $municipality) { trackingNumber description address }
}
"""

MINE = "query { myServiceRequests { trackingNumber description } }"

CHANGE = """
mutation Change($number: String!) {
  changeServiceRequestStatus(trackingNumber: $number, status: RECHAZADA, note: "No procede") {
    status
  }
}
"""

ASSIGN = """
mutation Assign($number: String!) {
  assignServiceRequest(trackingNumber: $number, agent: "demo-personal-0005") { assignedTo }
}
"""

NESTED = """
query Nested($municipality: ID!) {
  municipality(id: $municipality) { id name }
  me { subject }
}
"""


def _answers(client: httpx.Client, token: str) -> list[dict[str, str]]:
    body = graphql(client, FIELDS, token=token, id=f"{SDE}:{SERVICE}")
    answers = []
    for field in body["data"]["service"]["requestFields"]:
        if not field["required"]:
            continue
        if field["choices"]:
            value = field["choices"][0]["key"]
        elif field["datatype"] == "NUMBER":
            value = "2"
        elif field["datatype"] == "DATETIME":
            value = "2026-12-01"
        else:
            value = "Tres sacos"
        answers.append({"code": field["code"], "value": value})
    return answers


def _submit(hub: PrivacyHub, username: str, municipality: str, service: str) -> str:
    token = hub.token(username)
    with hub.client() as client:
        body = graphql(
            client,
            SUBMIT,
            token=token,
            input={
                "municipalityId": municipality,
                "serviceId": service,
                "description": SECRET_WORDS,
                "address": SECRET_ADDRESS,
                "latitude": 18.4861,
                "longitude": -69.8571,
                "answers": _answers(client, token),
                "idempotencyKey": str(uuid.uuid4()),
                "consent": True,
            },
        )
    result = body["data"]["submitServiceRequest"]
    assert result["errors"] == [], result
    number: str = result["request"]["trackingNumber"]
    return number


@pytest.fixture(scope="module")
def attacked(
    provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PrivacyHub, str]]:
    """A hub where María submitted one request to Santo Domingo Este."""
    with privacy_hub(tmp_path_factory.mktemp("adversarial"), provider) as hub:
        yield hub, _submit(hub, "maria", SDE, SERVICE)


def _leaks(answer: object) -> set[str]:
    text = json.dumps(answer, ensure_ascii=False)
    return {value for value in PERSONAL if value in text}


def _denied_by(hub: PrivacyHub, actor: str) -> list[Any]:
    return [e for e in hub.audit() if e.actor == actor and e.action == "access_denied"]


def _purpose() -> str:
    return f"Prueba de intrusión {uuid.uuid4().hex[:8]}"


def test_the_owner_and_her_municipality_do_see_it(attacked: tuple[PrivacyHub, str]) -> None:
    """The baseline the refusals are measured against: the data is there to be found."""
    hub, number = attacked
    with hub.client() as client:
        own = graphql(client, READ_EVERYTHING, token=hub.token("maria"), number=number)
        staff = graphql(
            client, READ_EVERYTHING, token=hub.token("ana"), number=number, purpose=_purpose()
        )
    assert own["data"]["serviceRequest"]["description"] == SECRET_WORDS
    assert staff["data"]["serviceRequest"]["address"] == SECRET_ADDRESS


@pytest.mark.parametrize("username", ["carmen", "juan"])
def test_by_number_with_or_without_a_purpose(
    attacked: tuple[PrivacyHub, str], username: str
) -> None:
    hub, number = attacked
    actor = CARMEN if username == "carmen" else JUAN
    before = len(_denied_by(hub, actor))
    with hub.client() as client:
        for purpose in (None, _purpose()):
            body = graphql(
                client, READ_EVERYTHING, token=hub.token(username), number=number, purpose=purpose
            )
            request = body["data"]["serviceRequest"]
            assert request["trackingNumber"] == number  # the public view stays public
            for field in ("description", "address", "latitude", "longitude", "answers"):
                assert request[field] is None, field
            assert request["assignedTo"] is None
            assert set(codes(body)) == {"FORBIDDEN"}
            assert _leaks(body) == set()
    assert len(_denied_by(hub, actor)) >= before + 2


def test_anonymous_callers_get_the_public_view_only(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    with hub.client() as client:
        body = graphql(client, READ_EVERYTHING, number=number, purpose="curiosidad")
    assert body["data"]["serviceRequest"]["status"] == "RECIBIDA"
    assert body["data"]["serviceRequest"]["description"] is None
    assert set(codes(body)) == {"FORBIDDEN"}
    assert _leaks(body) == set()


def test_guessing_numbers_finds_nothing_personal(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    prefix = number.rsplit("-", 1)[0]
    before = len(_denied_by(hub, CARMEN))
    found = 0
    with hub.client() as client:
        for n in range(1, 8):
            guess = f"{prefix}-{n:06d}"
            body = graphql(
                client, READ_EVERYTHING, token=hub.token("carmen"), number=guess, purpose=_purpose()
            )
            assert _leaks(body) == set()
            if body["data"]["serviceRequest"] is not None:
                found += 1
                assert body["data"]["serviceRequest"]["description"] is None
    assert found == 1
    attempts = _denied_by(hub, CARMEN)[before:]
    # The personal fields and the staff-only assignment: refused, on the one request found.
    assert attempts and {e.record_id for e in attempts} == {attempts[0].record_id}
    assert {f for e in attempts for f in e.fields} >= {"description", "address"}


def test_aliases_and_fragments(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    purpose = _purpose()
    with hub.client() as client:
        body = graphql(
            client, ALIASES_AND_FRAGMENTS, token=hub.token("carmen"), number=number, purpose=purpose
        )
    assert _leaks(body) == set()
    for alias in ("a", "b", "c"):
        values = body["data"][alias]
        assert values is not None and all(v is None for v in values.values()), alias
    assert set(codes(body)) == {"FORBIDDEN"}
    denied = [e for e in _denied_by(hub, CARMEN) if e.purpose == purpose]
    assert len(denied) == 3  # one per object reached, whatever the aliases
    assert all(e.municipality_id == SDE for e in denied)


def test_batching_several_operations(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    token = hub.token("carmen")
    batch = [
        {"query": READ_EVERYTHING, "variables": {"number": number, "purpose": _purpose()}},
        {"query": QUEUE, "variables": {"municipality": SDE}},
    ]
    with hub.client() as client:
        response = client.post("/graphql", json=batch, headers={"Authorization": f"Bearer {token}"})
        assert _leaks(response.text) == set()
        if response.status_code == 200:
            for answer in response.json():
                assert "FORBIDDEN" in codes(answer)
        else:
            # The hub does not take batches: refused as a whole, before anything runs.
            assert response.status_code == 400
        # Two operations in one document: only the named one runs, and it is refused.
        document = READ_EVERYTHING + QUEUE
        response = client.post(
            "/graphql",
            json={
                "query": document,
                "operationName": "Queue",
                "variables": {"municipality": SDE},
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert _leaks(response.text) == set()
        assert "FORBIDDEN" in codes(response.json())


def test_the_queue_and_nested_paths(attacked: tuple[PrivacyHub, str]) -> None:
    hub, _number = attacked
    before = len(_denied_by(hub, CARMEN))
    with hub.client() as client:
        queue = graphql(client, QUEUE, token=hub.token("carmen"), municipality=SDE)
        mine = graphql(client, MINE, token=hub.token("carmen"))
        juan_mine = graphql(client, MINE, token=hub.token("juan"))
        nested = graphql(client, NESTED, token=hub.token("carmen"), municipality=SDE)
        own_queue = graphql(client, QUEUE, token=hub.token("carmen"), municipality="santiago")
    assert queue["data"] is None or not queue["data"].get("serviceRequestQueue")
    assert "FORBIDDEN" in codes(queue)
    assert mine["data"]["myServiceRequests"] == []
    assert juan_mine["data"]["myServiceRequests"] == []
    assert _leaks([queue, mine, juan_mine, nested]) == set()
    assert "errors" not in own_queue, own_queue  # her own municipality's queue is hers
    assert len(_denied_by(hub, CARMEN)) >= before + 1


def test_changes_are_refused_and_nothing_changes(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    before = len(_denied_by(hub, CARMEN))
    with hub.client() as client:
        for mutation in (CHANGE, ASSIGN):
            body = graphql(client, mutation, token=hub.token("carmen"), number=number)
            assert body["data"] is None or set(body["data"].values()) == {None}
            assert codes(body) == ["FORBIDDEN"]
        citizen = graphql(client, CHANGE, token=hub.token("juan"), number=number)
        assert codes(citizen) == ["FORBIDDEN"]
        anonymous = graphql(client, CHANGE, number=number)
        assert codes(anonymous) in (["FORBIDDEN"], ["UNAUTHENTICATED"])
        after = graphql(client, READ_EVERYTHING, token=hub.token("maria"), number=number)
    assert after["data"]["serviceRequest"]["status"] == "RECIBIDA"
    assert after["data"]["serviceRequest"]["assignedTo"] is None
    assert len(_denied_by(hub, CARMEN)) >= before + 2


def test_the_web_client_refuses_too(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    with hub.client() as browser:
        sign_in(browser, "carmen")
        queue = browser.get(f"/personal/{SDE}/solicitudes")
        detail = browser.get(
            f"/personal/{SDE}/solicitudes/{number}", params={"finalidad": _purpose()}
        )
        tracking = browser.get(f"/seguimiento/{number}")
    assert queue.status_code == 403
    assert detail.status_code == 403
    assert tracking.status_code == 200  # the public view
    for page in (queue, detail, tracking):
        assert _leaks(page.text) == set()


def test_open311_shows_no_personal_data(attacked: tuple[PrivacyHub, str]) -> None:
    hub, number = attacked
    with hub.client() as client:
        one = client.get(f"/open311/v2/requests/{number}.json", params={"jurisdiction_id": SDE})
        listing = client.get("/open311/v2/requests.json", params={"jurisdiction_id": SDE})
        xml = client.get(f"/open311/v2/requests/{number}.xml", params={"jurisdiction_id": SDE})
    assert one.status_code == 200 and listing.status_code == 200 and xml.status_code == 200
    assert one.json()[0]["service_request_id"] == number
    for answer in (one.text, listing.text, xml.text):
        assert _leaks(answer) == set()


def test_every_refusal_left_a_verifiable_trail(attacked: tuple[PrivacyHub, str]) -> None:
    hub, _number = attacked
    denied = _denied_by(hub, CARMEN)
    assert denied, "no refusal was audited"
    for entry in denied:
        assert entry.actor_role.startswith("staff:santiago")
        assert entry.municipality_id == SDE
    assert verify_audit(hub.database_url)
