"""Service requests through the schema, in-process over real stores (SQLite): submit,
validation, tracking without personal data, the staff workflow, live updates, and the
citizen's rights over their requests."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import zipfile
from typing import Any

from schema.requests.consent import REQUEST_CONSENT_PURPOSE, REQUEST_CONSENT_VERSION
from store.requests import RequestStatus
from tests.requests.support import (
    ANA,
    ASSIGN,
    CARMEN,
    CHANGE,
    JUAN,
    MARIA,
    OPEN311_APP,
    PEDRO,
    PUBLIC_TRACK,
    READ_ONLY_APP,
    SECRET_ADDRESS,
    SECRET_WORDS,
    SUBMIT,
    TRACK,
    Env,
    codes,
    request_input,
)

PERSONAL = ["description", "address", "latitude", "longitude", "answers"]

FIELDS = """
query Fields($id: ID!) {
  service(id: $id) {
    acceptsRequests
    requestFields {
      code label en: label(language: EN) datatype required order
      choices { key name en: name(language: EN) }
    }
  }
}
"""


async def test_a_service_lists_its_own_questions_in_spanish_and_english(env: Env) -> None:
    result = await env.run(FIELDS, MARIA, id="santo-domingo-este:recogida-desechos-comercial")
    assert result.errors is None, result.errors
    service = result.data["service"]
    assert service["acceptsRequests"] is True
    first, second = service["requestFields"]
    assert first["code"] == "tipo_establecimiento"
    assert (first["label"], first["en"]) == ("Tipo de lugar", "Kind of place")
    assert first["datatype"] == "SINGLEVALUELIST" and first["required"] is True
    assert {"key": "restaurante", "name": "Restaurante o bar", "en": "Restaurant or bar"} in first[
        "choices"
    ]
    assert second["datatype"] == "NUMBER" and second["required"] is False
    # A service taken only in person takes no requests online.
    offline = await env.run(FIELDS, MARIA, id="santo-domingo-este:recogida-escombros")
    assert offline.data["service"]["acceptsRequests"] is False


async def test_submit_answers_at_once_and_a_double_submit_makes_one_request(env: Env) -> None:
    data = request_input()
    first = await env.run(SUBMIT, MARIA, input=data)
    again = await env.run(SUBMIT, MARIA, input=data)
    assert first.errors is None and again.errors is None
    made, repeated = first.data["submitServiceRequest"], again.data["submitServiceRequest"]
    assert made["created"] is True and repeated["created"] is False
    request = made["request"]
    assert re.fullmatch(r"SDE-\d{4}-000001", request["trackingNumber"])
    assert repeated["request"]["trackingNumber"] == request["trackingNumber"]
    assert request["status"] == "RECIBIDA" and request["statusLabel"] == "Recibida"
    assert request["expectedBy"] is not None  # five working days from today
    assert request["deliveredToMunicipality"] is True  # the hub store is its system
    # The citizen sees what they wrote.
    assert request["description"].startswith(SECRET_WORDS)
    assert request["answers"] == [
        {"code": "tipo_establecimiento", "value": "restaurante"},
        {"code": "volumen_semanal", "value": "12"},
    ]
    assert sum((await env.requests.counts()).values()) == 1
    # One consent, with the request's purpose and text version.
    consents = await env.citizens.consents(MARIA.subject or "")
    assert [(c.purpose, c.text_version) for c in consents] == [
        (REQUEST_CONSENT_PURPOSE, REQUEST_CONSENT_VERSION)
    ]
    # Another key is another request.
    other = await env.submit()
    assert other["request"]["trackingNumber"].endswith("000002")


def _errors(result: Any) -> dict[str | None, str]:
    assert result.errors is None, result.errors
    payload = result.data["submitServiceRequest"]
    assert payload["request"] is None and payload["created"] is False
    return {e["field"]: e["code"] for e in payload["errors"]}


async def test_problems_come_back_as_data_next_to_their_field(env: Env) -> None:
    result = await env.run(
        SUBMIT,
        MARIA,
        input=request_input(
            description="   ",
            address="x" * 301,
            latitude=91.0,
            longitude=-69.9,
            answers=[{"code": "volumen_semanal", "value": "doce"}],
            idempotencyKey="corta",
            consent=False,
        ),
    )
    assert _errors(result) == {
        "description": "REQUIRED",
        "address": "TOO_LONG",
        "latitude": "OUT_OF_RANGE",
        "answers.tipo_establecimiento": "REQUIRED",
        "answers.volumen_semanal": "INVALID_NUMBER",
        "idempotencyKey": "INVALID_KEY",
        "consent": "CONSENT_REQUIRED",
    }
    payload = result.data["submitServiceRequest"]
    by_field = {e["field"]: e for e in payload["errors"]}
    assert by_field["answers.tipo_establecimiento"]["message"] == "Responda «Tipo de lugar»."
    assert by_field["answers.tipo_establecimiento"]["en"] == "Answer “Kind of place”."
    # Nothing was stored, and no consent was recorded.
    assert sum((await env.requests.counts()).values()) == 0
    assert await env.citizens.consents(MARIA.subject or "") == []

    wrong_choice = await env.run(
        SUBMIT,
        MARIA,
        input=request_input(
            longitude=None,
            answers=[
                {"code": "tipo_establecimiento", "value": "nave-espacial"},
                {"code": "color_favorito", "value": "azul"},
            ],
            description="a" * 4001,
        ),
    )
    assert _errors(wrong_choice) == {
        "longitude": "INCOMPLETE_LOCATION",
        "answers.tipo_establecimiento": "INVALID_CHOICE",
        "answers": "UNKNOWN_FIELD",
        "description": "TOO_LONG",
    }
    for changes, expected in [
        ({"municipalityId": "atlantida"}, {"municipalityId": "UNKNOWN_MUNICIPALITY"}),
        ({"serviceId": "no-existe"}, {"serviceId": "UNKNOWN_SERVICE"}),
        ({"serviceId": "recogida-escombros"}, {"serviceId": "NOT_ACCEPTED"}),
    ]:
        assert _errors(await env.run(SUBMIT, MARIA, input=request_input(**changes))) == expected


async def test_who_may_submit(env: Env) -> None:
    from schema.principal import ANONYMOUS

    assert _errors(await env.run(SUBMIT, ANONYMOUS, input=request_input())) == {
        None: "UNAUTHENTICATED"
    }
    assert _errors(await env.run(SUBMIT, ANA, input=request_input())) == {None: "FORBIDDEN"}
    assert _errors(await env.run(SUBMIT, READ_ONLY_APP, input=request_input())) == {
        None: "FORBIDDEN"
    }
    # An Open311 client with the scope files it under its key; it cannot read the
    # personal fields back (it is nobody's data subject).
    result = await env.run(SUBMIT, OPEN311_APP, input=request_input())
    payload = result.data["submitServiceRequest"]
    assert payload["errors"] == [] and payload["created"] is True
    assert payload["request"]["description"] is None
    stored = await env.requests.by_tracking_number(payload["request"]["trackingNumber"])
    assert stored is not None and stored.citizen_subject == OPEN311_APP.subject


async def test_tracking_shows_no_personal_data_to_anyone_else(env: Env) -> None:
    from schema.principal import ANONYMOUS

    number = (await env.submit())["request"]["trackingNumber"]
    for caller in (ANONYMOUS, JUAN, CARMEN):
        result = await env.run(TRACK, caller, number=number.lower())
        request = result.data["serviceRequest"]
        assert request["trackingNumber"] == number
        assert request["status"] == "RECIBIDA"
        assert [request[f] for f in PERSONAL] == [None] * len(PERSONAL)
        assert codes(result) == ["FORBIDDEN"] * len(PERSONAL)
        text = json.dumps(result.data, ensure_ascii=False) + str(result.errors)
        assert SECRET_WORDS not in text and SECRET_ADDRESS not in text and "18.48" not in text
    # The citizen sees it all, without an audit entry.
    own = await env.run(TRACK, MARIA, number=number)
    assert own.errors is None and own.data["serviceRequest"]["address"] == SECRET_ADDRESS
    # Signed-in callers' refusals are audited (one entry per object), anonymous ones not.
    denied = [e for e in await env.audit() if e.action == "access_denied"]
    assert sorted(e.actor for e in denied) == sorted([JUAN.subject, CARMEN.subject])
    assert all(e.record_type == "service_request" for e in denied)
    assert all(sorted(e.fields) == sorted(PERSONAL) for e in denied)
    # An unknown or malformed number is simply not there.
    for missing in ("SDE-2026-999999", "no es un número"):
        assert (await env.run(TRACK, JUAN, number=missing)).data["serviceRequest"] is None


async def test_staff_read_personal_data_only_with_a_purpose_and_audited(env: Env) -> None:
    number = (await env.submit())["request"]["trackingNumber"]
    query = """query($n: String!, $p: String) { serviceRequest(trackingNumber: $n, purpose: $p)
      { description address assignedTo } }"""
    without = await env.run(query, ANA, n=number)
    assert without.data["serviceRequest"]["description"] is None
    assert set(codes(without)) == {"PURPOSE_REQUIRED"}
    purpose = "Atender la solicitud de recogida de basura"
    read = await env.run(query, ANA, n=number, p=purpose)
    assert read.errors is None, read.errors
    assert read.data["serviceRequest"]["address"] == SECRET_ADDRESS
    reads = [e for e in await env.audit() if e.action == "read_personal_data"]
    assert [(e.actor, e.purpose, e.data_subject) for e in reads] == [
        (ANA.subject, purpose, MARIA.subject)
    ]
    assert sorted(reads[0].fields) == ["address", "description"]


async def test_the_status_workflow_for_staff_of_the_owning_municipality(env: Env) -> None:
    number = (await env.submit())["request"]["trackingNumber"]
    # Carmen (Santiago) may not touch it; her attempts are refused and audited.
    for query, variables in [
        (CHANGE, {"number": number, "status": "EN_REVISION"}),
        (ASSIGN, {"number": number, "agent": CARMEN.subject}),
    ]:
        refused = await env.run(query, CARMEN, **variables)
        assert list(refused.data.values()) == [None] and codes(refused) == ["FORBIDDEN"]
    queue = """query($m: ID!, $o: Boolean) { serviceRequestQueue(municipalityId: $m,
      overdueOnly: $o) { trackingNumber status assignedTo } }"""
    refused_queue = await env.run(queue, CARMEN, m="santo-domingo-este")
    assert codes(refused_queue) == ["FORBIDDEN"]
    denied = [e for e in await env.audit() if e.action == "access_denied"]
    assert [(e.actor, e.municipality_id) for e in denied] == [
        (CARMEN.subject, "santo-domingo-este")
    ] * 3
    # Citizens neither.
    assert codes(await env.run(CHANGE, MARIA, number=number, status="RESUELTA")) == ["FORBIDDEN"]

    # Ana (agent) works it; a jump or a rejection without reason is refused.
    skip = await env.run(CHANGE, ANA, number=number, status="RESUELTA")
    assert codes(skip) == ["INVALID_TRANSITION"]
    for status in ("EN_REVISION", "EN_PROCESO"):
        moved = await env.run(CHANGE, ANA, number=number, status=status, note=f"Paso a {status}")
        assert moved.errors is None, moved.errors
    no_reason = await env.run(CHANGE, ANA, number=number, status="RECHAZADA")
    assert codes(no_reason) == ["NOTE_REQUIRED"]
    # Assigning is for supervisors: Ana may not, Pedro may.
    assert codes(await env.run(ASSIGN, ANA, number=number, agent=ANA.subject)) == ["FORBIDDEN"]
    assigned = await env.run(ASSIGN, PEDRO, number=number, agent=ANA.subject)
    assert assigned.data["assignServiceRequest"]["assignedTo"] == ANA.subject
    done = await env.run(CHANGE, ANA, number=number, status="RESUELTA", note="Recogida hecha")
    assert done.data["changeServiceRequestStatus"]["history"] == [
        {"status": "RECIBIDA", "note": None},
        {"status": "EN_REVISION", "note": "Paso a EN_REVISION"},
        {"status": "EN_PROCESO", "note": "Paso a EN_PROCESO"},
        {"status": "RESUELTA", "note": "Recogida hecha"},
    ]
    # Staff see their queue, with the assignment; the public view has no assignee.
    mine = await env.run(queue, ANA, m="santo-domingo-este")
    assert mine.data["serviceRequestQueue"] == [
        {"trackingNumber": number, "status": "RESUELTA", "assignedTo": ANA.subject}
    ]
    assert (await env.run(queue, ANA, m="santo-domingo-este", o=True)).data[
        "serviceRequestQueue"
    ] == []
    public = await env.run(PUBLIC_TRACK, JUAN, number=number)
    assert public.errors is None and public.data["serviceRequest"]["status"] == "RESUELTA"
    # Every change is in the audit log, by whom and on which record.
    changes = [e for e in await env.audit() if e.action.startswith("request_")]
    assert [(e.action, e.actor) for e in changes] == [
        ("request_status_changed", ANA.subject),
        ("request_status_changed", ANA.subject),
        ("request_assigned", PEDRO.subject),
        ("request_status_changed", ANA.subject),
    ]
    assert {e.data_subject for e in changes} == {MARIA.subject}


async def test_a_subscriber_hears_each_change(env: Env) -> None:
    number = (await env.submit())["request"]["trackingNumber"]
    from schema.principal import ANONYMOUS

    stream = await env.schema.subscribe(
        "subscription($n: String!) { requestStatusChanged(trackingNumber: $n) "
        "{ trackingNumber status description } }",
        variable_values={"n": number},
        context_value=env.context(ANONYMOUS),
    )
    assert hasattr(stream, "__anext__")
    first = await asyncio.wait_for(stream.__anext__(), 5)
    assert first.data["requestStatusChanged"]["status"] == "RECIBIDA"
    # Anonymous: the public view, nothing personal.
    assert first.data["requestStatusChanged"]["description"] is None
    await env.run(CHANGE, ANA, number=number, status="EN_REVISION")
    second = await asyncio.wait_for(stream.__anext__(), 5)
    assert second.data["requestStatusChanged"]["status"] == "EN_REVISION"
    await stream.aclose()
    await asyncio.sleep(0)
    assert env.events.subscriber_count(number) == 0


async def test_export_includes_requests_and_erasure_blanks_them_while_counts_stay(
    env: Env,
) -> None:
    number = (await env.submit())["request"]["trackingNumber"]
    await env.submit(principal=JUAN)
    exported = await env.run("mutation { exportMyData { zipBase64 errors { code } } }", MARIA)
    assert exported.errors is None, exported.errors
    archive = zipfile.ZipFile(
        io.BytesIO(base64.b64decode(exported.data["exportMyData"]["zipBase64"]))
    )
    document = json.loads(archive.read("mis-datos.json"))
    assert [r["trackingNumber"] for r in document["serviceRequests"]] == [number]
    assert document["serviceRequests"][0]["description"].startswith(SECRET_WORDS)
    assert SECRET_ADDRESS in archive.read("solicitudes.csv").decode("utf-8-sig")
    # Nothing of Juan's request.
    assert len(document["serviceRequests"]) == 1

    deleted = await env.run("mutation { deleteMyData(confirm: true) { erased } }", MARIA)
    assert deleted.data["deleteMyData"]["erased"] is True
    stored = await env.requests.by_tracking_number(number)
    assert stored is not None and stored.erased
    assert (stored.citizen_subject, stored.description, stored.address) == (None, None, None)
    mine = await env.run("{ myServiceRequests { trackingNumber } }", MARIA)
    assert mine.data["myServiceRequests"] == []
    # The public view and the counts stay.
    public = await env.run(PUBLIC_TRACK, JUAN, number=number)
    assert public.data["serviceRequest"]["status"] == "RECIBIDA"
    stats = await env.run(
        """{ all: requestStatistics { total byStatus { status count } }
             sde: requestStatistics(municipalityId: "santo-domingo-este") { total } }""",
        JUAN,
    )
    assert stats.data["all"]["total"] == 2 and stats.data["sde"]["total"] == 2
    assert {"status": "RECIBIDA", "count": 2} in stats.data["all"]["byStatus"]
    assert (await env.requests.counts())[RequestStatus.RECIBIDA] == 2
