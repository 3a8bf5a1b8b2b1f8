"""Open311 GeoReport v2 over real HTTP: every endpoint's JSON validates against the
GeoReport v2 JSON Schemas, its XML is well-formed with the spec's elements, a POST needs a
valid API key with the SUBMIT_OPEN311 scope (else the spec's error), and no public answer
carries personal data."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.open311.conftest import DOWN, Open311Hub
from tests.open311.support import (
    OPEN311,
    PERSONAL_KEYS,
    children,
    errors_json,
    errors_xml,
    json_of,
    validate,
    xml_of,
)
from tests.privacy.support import graphql
from tests.requests.support import CHANGE, SECRET_ADDRESS, SECRET_WORDS, SUBMIT, request_input

SDE = "santo-domingo-este"
#: Online services of Santo Domingo Este: one with a required list question, one without.
WASTE = "recogida-desechos-comercial"
NUMBERING = "certificacion-numeracion"
TRACKING = re.compile(r"SDE-\d{4}-\d{6}")
PILOTS = (
    "santo-domingo-este",
    "santiago",
    "la-vega",
    "san-francisco-de-macoris",
    "puerto-plata",
    "higuey",
    "veron-punta-cana",
    "cabarete",
    "jarabacoa",
    "manabao",
)

TRACK = """
query Track($number: String!) {
  serviceRequest(trackingNumber: $number) {
    trackingNumber serviceId status municipality { id } deliveredToMunicipality
  }
}
"""


def waste_request(**changes: Any) -> dict[str, str]:
    data = {
        "jurisdiction_id": SDE,
        "service_code": WASTE,
        "description": f"{SECRET_WORDS}: la basura lleva una semana sin recogerse.",
        "address_string": SECRET_ADDRESS,
        "lat": "18.4895",
        "long": "-69.8571",
        "attribute[tipo_establecimiento]": "restaurante",
        "attribute[volumen_semanal]": "12",
    }
    data.update(changes)
    return data


def post(
    client: httpx.Client,
    data: dict[str, str],
    *,
    key: str | None = None,
    header: bool = False,
    fmt: str = "json",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if key is not None and header:
        sent["X-Api-Key"] = key
    elif key is not None:
        data = {**data, "api_key": key}
    return client.post(f"{OPEN311}/requests.{fmt}", data=data, headers=sent)


def submitted(client: httpx.Client, key: str, **changes: str) -> dict[str, Any]:
    body = json_of(post(client, waste_request(**changes), key=key), "local/post-response.json")
    item: dict[str, Any] = body[0]
    return item


def assert_public(item: dict[str, Any], text: str) -> None:
    assert not set(PERSONAL_KEYS) & set(item), item
    assert SECRET_WORDS not in text and SECRET_ADDRESS not in text
    assert "18.4895" not in text and "69.8571" not in text


# -- discovery and services -------------------------------------------------------------


def test_discovery(client: httpx.Client, hub: Open311Hub) -> None:
    body = json_of(client.get(f"{OPEN311}/discovery.json"), "local/discovery.json")
    (endpoint,) = body["endpoints"]
    assert endpoint["url"] == f"{hub.url}{OPEN311}"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert "SUBMIT_OPEN311" in body["key_service"]
    document = xml_of(client.get(f"{OPEN311}/discovery.xml"), "discovery")
    assert document.findtext("endpoints/endpoint/url") == f"{hub.url}{OPEN311}"
    formats = [f.text for f in document.findall("endpoints/endpoint/formats/format")]
    assert set(formats) == {"application/json", "text/xml"}
    # The bare root leads to the discovery document.
    response = client.get(f"{OPEN311}/", follow_redirects=True)
    assert response.status_code == 200 and response.json() == body


@pytest.mark.parametrize("jurisdiction", PILOTS)
def test_services_of_every_jurisdiction_validate(client: httpx.Client, jurisdiction: str) -> None:
    params = {"jurisdiction_id": jurisdiction}
    services = json_of(client.get(f"{OPEN311}/services.json", params=params), "services.json")
    if jurisdiction == SDE:
        assert services, "Santo Domingo Este takes requests online"
    for service in services:
        validate(service, "service.json")
        assert ":" not in service["service_code"]
    document = xml_of(client.get(f"{OPEN311}/services.xml", params=params), "services")
    listed = document.findall("service")
    assert len(listed) == len(document) == len(services)
    for element, service in zip(listed, services, strict=True):
        fields = children(element)
        assert fields["service_code"] == service["service_code"]
        assert fields["service_name"] == service["service_name"]
        assert fields["metadata"] == ("true" if service["metadata"] else "false")
        assert fields["type"] == "realtime"
        # The service definition of each one validates too.
        definition = client.get(f"{OPEN311}/services/{service['service_code']}.json", params=params)
        body = json_of(definition, "service-definition.json")
        assert body["service_code"] == service["service_code"]
        assert bool(body["attributes"]) == service["metadata"]


def test_only_services_taken_online_are_listed(client: httpx.Client) -> None:
    params = {"jurisdiction_id": SDE}
    services = json_of(client.get(f"{OPEN311}/services.json", params=params), "services.json")
    codes = {s["service_code"] for s in services}
    assert {WASTE, NUMBERING} <= codes
    catalogue = graphql(
        client,
        "query($id: ID!) { municipality(id: $id) { services { id acceptsRequests } } }",
        id=SDE,
    )["data"]["municipality"]["services"]
    online = {s["id"].split(":", 1)[1] for s in catalogue if s["acceptsRequests"]}
    assert codes == online
    offline = sorted({s["id"].split(":", 1)[1] for s in catalogue} - online)
    assert offline, "the demo has services not taken online"
    response = client.get(f"{OPEN311}/services/{offline[0]}.json", params=params)
    assert "no admite solicitudes en línea" in errors_json(response, 404)[0]


def test_a_service_definition_has_the_services_own_questions(client: httpx.Client) -> None:
    params = {"jurisdiction_id": SDE}
    body = json_of(
        client.get(f"{OPEN311}/services/{WASTE}.json", params=params), "service-definition.json"
    )
    (kind,) = [a for a in body["attributes"] if a["code"] == "tipo_establecimiento"]
    assert kind["variable"] is True and kind["required"] is True
    assert kind["datatype"] == "singlevaluelist"
    assert kind["description"] == "Tipo de lugar"
    assert {"key": "restaurante", "name": "Restaurante o bar"} in kind["values"]
    orders = [a["order"] for a in body["attributes"]]
    assert orders == sorted(orders)
    document = xml_of(
        client.get(f"{OPEN311}/services/{WASTE}.xml", params=params), "service_definition"
    )
    assert document.findtext("service_code") == WASTE
    (attribute,) = [
        a for a in document.findall("attributes/attribute") if a.findtext("code") == kind["code"]
    ]
    assert attribute.findtext("required") == "true"
    assert attribute.findtext("datatype") == "singlevaluelist"
    keys = [v.findtext("key") for v in attribute.findall("values/value")]
    assert keys == [v["key"] for v in kind["values"]]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_errors_in_the_specs_format(client: httpx.Client, fmt: str) -> None:
    errors = errors_json if fmt == "json" else errors_xml
    cases = [
        (f"{OPEN311}/services.{fmt}", {"jurisdiction_id": "atlantida"}, 404, "jurisdiction_id"),
        (f"{OPEN311}/services.{fmt}", {}, 400, "Falta el parámetro jurisdiction_id"),
        (f"{OPEN311}/services/{WASTE}.{fmt}", {"jurisdiction_id": "atlantida"}, 404, ""),
        (f"{OPEN311}/requests.{fmt}", {"jurisdiction_id": "atlantida"}, 404, ""),
        (f"{OPEN311}/requests.{fmt}", {}, 400, ""),
        (f"{OPEN311}/services/no-existe.{fmt}", {"jurisdiction_id": SDE}, 404, "no-existe"),
        (f"{OPEN311}/requests/SDE-2026-999999.{fmt}", {}, 404, "SDE-2026-999999"),
        (f"{OPEN311}/tokens/SDE-2026-999999.{fmt}", {}, 404, "token"),
    ]
    for path, params, status, words in cases:
        (description,) = errors(client.get(path, params=params), status)
        assert words in description, (path, description)
    # A format it does not speak: the error in JSON.
    response = client.get(f"{OPEN311}/services.csv", params={"jurisdiction_id": SDE})
    assert "use .json o .xml" in errors_json(response, 404)[0]


# -- POST requests: the API key -------------------------------------------------------------


def _count(client: httpx.Client) -> int:
    body = graphql(
        client, "query($id: ID) { requestStatistics(municipalityId: $id) { total } }", id=SDE
    )
    total: int = body["data"]["requestStatistics"]["total"]
    return total


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_a_valid_key_gets_the_specs_error(
    client: httpx.Client, hub: Open311Hub, fmt: str
) -> None:
    errors = errors_json if fmt == "json" else errors_xml
    before = _count(client)
    malformed = "pm_0123_corta"
    unknown = f"pm_{'0' * 12}_{'A' * 43}"
    refusals = [
        (None, False, "Falta la clave de API"),
        (malformed, False, "no tiene el formato correcto"),
        (malformed, True, "no tiene el formato correcto"),
        (unknown, False, "no es válida"),
        (unknown, True, "no es válida"),
        (hub.revoked_key, False, "fue revocada"),
        (hub.revoked_key, True, "fue revocada"),
        (hub.read_only_key, False, "SUBMIT_OPEN311"),
        (hub.read_only_key, True, "SUBMIT_OPEN311"),
    ]
    for key, header, words in refusals:
        response = post(client, waste_request(), key=key, header=header, fmt=fmt)
        (description,) = errors(response, 403)
        assert words in description, (key, header, description)
        assert SECRET_WORDS not in response.text
    assert _count(client) == before, "no request was created"


def test_a_session_or_token_does_not_stand_in_for_the_key(
    client: httpx.Client, hub: Open311Hub
) -> None:
    """A citizen's bearer token (or a browser's session) is not an API key: refused."""
    maria = hub.token("maria")
    response = post(client, waste_request(), headers={"Authorization": f"Bearer {maria}"})
    assert "Falta la clave de API" in errors_json(response, 403)[0]


# -- POST requests with a key, and reading it back --------------------------------------------


def test_post_with_a_key_files_a_request_that_reads_back_without_personal_data(
    client: httpx.Client, hub: Open311Hub
) -> None:
    item = submitted(client, hub.submit_key)
    number = item["service_request_id"]
    assert TRACKING.fullmatch(number)
    # The hub store is Santo Domingo Este's system here: it holds the request at once.
    assert "token" not in item
    assert number in item["service_notice"]
    # GraphQL tracking shows it.
    tracked = graphql(client, TRACK, number=number)["data"]["serviceRequest"]
    assert tracked["serviceId"] == WASTE and tracked["status"] == "RECIBIDA"
    assert tracked["municipality"]["id"] == SDE

    # Anonymous, and the very key that sent it: the public view only.
    for headers in ({}, {"X-Api-Key": hub.submit_key}):
        response = client.get(f"{OPEN311}/requests/{number}.json", headers=headers)
        (found,) = json_of(response, "requests.json")
        validate(found, "request.json")
        assert found["service_request_id"] == number
        assert found["status"] == "open" and found["status_notes"] == "Recibida"
        assert found["service_code"] == WASTE
        assert found["agency_responsible"] == "Santo Domingo Este"
        assert_public(found, response.text)
        response = client.get(f"{OPEN311}/requests/{number}.xml", headers=headers)
        document = xml_of(response, "service_requests")
        (element,) = document.findall("request")
        fields = children(element)
        assert fields["service_request_id"] == number and fields["status"] == "open"
        assert not set(PERSONAL_KEYS) & set(fields)
        assert SECRET_WORDS not in response.text and SECRET_ADDRESS not in response.text
    # In another jurisdiction it does not exist.
    response = client.get(
        f"{OPEN311}/requests/{number}.json", params={"jurisdiction_id": "santiago"}
    )
    errors_json(response, 404)


def test_the_key_in_the_header_works_and_the_xml_answer(
    client: httpx.Client, hub: Open311Hub
) -> None:
    response = post(client, waste_request(), key=hub.submit_key, header=True, fmt="xml")
    document = xml_of(response, "service_requests")
    (element,) = document.findall("request")
    fields = children(element)
    assert TRACKING.fullmatch(fields["service_request_id"])
    assert "service_notice" in fields and "account_id" in fields


def test_same_idempotency_key_files_one_request(client: httpx.Client, hub: Open311Hub) -> None:
    key = uuid.uuid4().hex
    first = submitted(client, hub.submit_key, idempotency_key=key)
    again = json_of(
        post(client, waste_request(), key=hub.submit_key, headers={"Idempotency-Key": key}),
        "local/post-response.json",
    )[0]
    assert again["service_request_id"] == first["service_request_id"]


def test_input_problems_name_the_open311_parameter(client: httpx.Client, hub: Open311Hub) -> None:
    bad = waste_request(**{"attribute[tipo_establecimiento]": "castillo", "lat": "200"})
    descriptions = errors_json(post(client, bad, key=hub.submit_key), 400)
    assert any(d.startswith("lat: ") for d in descriptions), descriptions
    assert any(d.startswith("attribute[tipo_establecimiento]: ") for d in descriptions)
    assert not any("castillo" in d for d in descriptions), "errors never repeat the value"
    missing = waste_request()
    del missing["attribute[tipo_establecimiento]"]
    (description,) = errors_xml(post(client, missing, key=hub.submit_key, fmt="xml"), 400)
    assert description.startswith("attribute[tipo_establecimiento]: ")
    response = post(client, waste_request(lat="norte"), key=hub.submit_key)
    assert "lat debe ser un número" in errors_json(response, 400)[0]
    response = post(client, waste_request(service_code="no-existe"), key=hub.submit_key)
    assert errors_json(response, 404)[0].startswith("service_code: ")
    response = post(client, waste_request(jurisdiction_id="atlantida"), key=hub.submit_key)
    errors_json(response, 404)
    # Attachments are not taken (a multipart file): the spec's error, not a bare 400.
    response = client.post(
        f"{OPEN311}/requests.json",
        data={**waste_request(), "api_key": hub.submit_key},
        files={"media": ("foto.jpg", b"\xff\xd8\xff", "image/jpeg")},
    )
    assert "sin archivos adjuntos" in errors_json(response, 400)[0]


def test_the_citizen_who_submitted_sees_their_own_data_and_nobody_else(
    client: httpx.Client, hub: Open311Hub
) -> None:
    """The same authorization as GraphQL: a person's own request with their token."""
    body = graphql(client, SUBMIT, token=hub.token("maria"), input=request_input())
    number = body["data"]["submitServiceRequest"]["request"]["trackingNumber"]
    path = f"{OPEN311}/requests/{number}.json"
    mine = client.get(path, headers={"Authorization": f"Bearer {hub.token('maria')}"})
    (own,) = json_of(mine, "requests.json")
    assert own["description"].startswith(SECRET_WORDS)
    assert own["address"] == SECRET_ADDRESS
    assert (own["lat"], own["long"]) == (18.4895, -69.8571)
    assert mine.headers["cache-control"] == "private, no-store"
    for headers in (
        {},
        {"Authorization": f"Bearer {hub.token('juan')}"},
        # Staff of the municipality must state a purpose (GraphQL): not through Open311.
        {"Authorization": f"Bearer {hub.token('ana')}"},
        {"X-Api-Key": hub.read_only_key},
    ):
        response = client.get(path, headers=headers)
        (found,) = json_of(response, "requests.json")
        assert_public(found, response.text)


# -- GET requests: filters and paging -------------------------------------------------------


def _listing(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"{OPEN311}/requests.json", params={"jurisdiction_id": SDE, **params})
    body: list[dict[str, Any]] = json_of(response, "requests.json")
    for item in body:
        validate(item, "request.json")
    assert_public({k: v for b in body for k, v in b.items()}, response.text)
    return body


def test_listing_filters_and_pages(client: httpx.Client, hub: Open311Hub) -> None:
    waste = [submitted(client, hub.submit_key)["service_request_id"] for _ in range(2)]
    data = {
        "jurisdiction_id": SDE,
        "service_code": NUMBERING,
        "description": "Número oficial para el contrato de luz.",
        "attribute[finalidad]": "Contrato de luz",
    }
    (item,) = json_of(post(client, data, key=hub.submit_key), "local/post-response.json")
    numbering = item["service_request_id"]
    # Staff reject one: it is closed, with the reason in status_notes.
    note = "Ya existe un contrato vigente para este local."
    changed = graphql(
        client,
        CHANGE,
        token=hub.token("ana"),
        number=waste[0],
        status="RECHAZADA",
        note=note,
    )
    assert changed["data"]["changeServiceRequestStatus"]["status"] == "RECHAZADA"

    everything = _listing(client, page_size="100")
    numbers = [r["service_request_id"] for r in everything]
    assert {*waste, numbering} <= set(numbers)
    assert numbers.index(numbering) < numbers.index(waste[1]) < numbers.index(waste[0]), (
        "newest first"
    )
    closed = _listing(client, status="closed", page_size="100")
    (rejected,) = [r for r in closed if r["service_request_id"] == waste[0]]
    assert rejected["status"] == "closed"
    assert rejected["status_notes"] == f"Rechazada: {note}"
    assert all(r["status"] == "closed" for r in closed)
    opened = _listing(client, status="open", page_size="100")
    assert waste[0] not in {r["service_request_id"] for r in opened}
    assert all(r["status"] == "open" for r in opened)
    assert len(_listing(client, status="open,closed", page_size="100")) == len(everything)

    by_service = _listing(client, service_code=NUMBERING, page_size="100")
    assert numbering in {r["service_request_id"] for r in by_service}
    assert {r["service_code"] for r in by_service} == {NUMBERING}

    chosen = _listing(client, service_request_id=f"{waste[1]}, {numbering},SDE-2026-999999")
    assert {r["service_request_id"] for r in chosen} == {waste[1], numbering}

    # Paging extension: page (from 1) and page_size.
    first, second = _listing(client, page_size="1"), _listing(client, page_size="1", page="2")
    assert [r["service_request_id"] for r in first + second] == numbers[:2]
    assert _listing(client, page="1000", page_size="100") == []

    # Dates: nothing after tomorrow, everything since yesterday.
    assert _listing(client, start_date="2999-01-01T00:00:00-04:00") == []
    assert len(_listing(client, start_date="2000-01-01T00:00:00Z", page_size="100")) == len(
        everything
    )
    assert _listing(client, end_date="2000-01-01T00:00:00-04:00") == []

    for params, words in (
        ({"status": "abierta"}, "status"),
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"start_date": "ayer"}, "start_date"),
        ({"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}, "end_date"),
    ):
        response = client.get(f"{OPEN311}/requests.xml", params={"jurisdiction_id": SDE, **params})
        (description,) = errors_xml(response, 400)
        assert words in description

    document = xml_of(
        client.get(f"{OPEN311}/requests.xml", params={"jurisdiction_id": SDE}),
        "service_requests",
    )
    assert [r.findtext("service_request_id") for r in document.findall("request")] == numbers[
        : len(document)
    ]


# -- tokens: requests still on their way to the municipality's system --------------------------


def test_a_request_waiting_in_the_outbox_gets_a_token(
    client: httpx.Client, hub: Open311Hub
) -> None:
    data = {
        "jurisdiction_id": DOWN,
        "service_code": "certificado-solvencia",
        "description": "Certificado de solvencia para licitación.",
    }
    (item,) = json_of(post(client, data, key=hub.submit_key), "local/post-response.json")
    number, token = item["service_request_id"], item["token"]
    assert re.fullmatch(r"LVG-\d{4}-\d{6}", number)
    assert "en camino" in item["service_notice"]
    tracked = graphql(client, TRACK, number=number)["data"]["serviceRequest"]
    assert tracked["deliveredToMunicipality"] is False

    body = json_of(client.get(f"{OPEN311}/tokens/{token}.json"), "local/tokens.json")
    assert body == [{"service_request_id": number, "token": token}]
    document = xml_of(client.get(f"{OPEN311}/tokens/{token}.xml"), "service_requests")
    assert children(document.findall("request")[0]) == {
        "service_request_id": number,
        "token": token,
    }
    response = client.get(f"{OPEN311}/tokens/{token}.json", params={"jurisdiction_id": SDE})
    errors_json(response, 404)
    # And the request itself is there, open, in its jurisdiction's listing.
    (found,) = json_of(client.get(f"{OPEN311}/requests/{number}.json"), "requests.json")
    assert found["status"] == "open" and found["agency_responsible"] == "La Vega"
    listed = client.get(f"{OPEN311}/requests.json", params={"jurisdiction_id": DOWN})
    assert number in {r["service_request_id"] for r in json_of(listed, "requests.json")}


# -- in English -------------------------------------------------------------------------

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,es;q=0.5"}


def test_an_english_client_gets_the_hubs_own_words_in_english(
    client: httpx.Client, hub: Open311Hub
) -> None:
    params = {"jurisdiction_id": SDE}
    response = client.get(f"{OPEN311}/services/{WASTE}.json", params=params, headers=ENGLISH)
    body = json_of(response, "service-definition.json")
    assert response.headers["content-language"] == "en"
    assert "accept-language" in response.headers["vary"].lower()
    (kind,) = [a for a in body["attributes"] if a["code"] == "tipo_establecimiento"]
    assert kind["description"] == "Kind of place"
    assert {"key": "restaurante", "name": "Restaurant or bar"} in kind["values"]

    discovery = json_of(
        client.get(f"{OPEN311}/discovery.json", headers=ENGLISH), "local/discovery.json"
    )
    assert discovery["key_service"].startswith("Filing requests")

    item = json_of(
        post(client, waste_request(), key=hub.submit_key, headers=ENGLISH),
        "local/post-response.json",
    )[0]
    assert item["service_notice"].startswith("Request received with tracking number")
    number = item["service_request_id"]
    (found,) = json_of(
        client.get(f"{OPEN311}/requests/{number}.json", headers=ENGLISH), "requests.json"
    )
    assert found["status_notes"] == "Received"


def test_errors_come_in_the_clients_language(client: httpx.Client, hub: Open311Hub) -> None:
    (spanish,) = errors_json(client.get(f"{OPEN311}/services.json"), 400)
    (english,) = errors_json(client.get(f"{OPEN311}/services.json", headers=ENGLISH), 400)
    assert spanish.startswith("Falta el parámetro jurisdiction_id")
    assert english.startswith("The jurisdiction_id parameter is missing")
    (xml_english,) = errors_xml(
        client.get(
            f"{OPEN311}/services.xml", params={"jurisdiction_id": "atlantida"}, headers=ENGLISH
        ),
        404,
    )
    assert xml_english.startswith("There is no local government")
    # The schema's own input problems, in English, still naming the Open311 parameter.
    missing = waste_request()
    del missing["attribute[tipo_establecimiento]"]
    (problem,) = errors_json(post(client, missing, key=hub.submit_key, headers=ENGLISH), 400)
    assert problem.startswith("attribute[tipo_establecimiento]: ")
    spanish_problem = errors_json(post(client, missing, key=hub.submit_key), 400)[0]
    assert problem != spanish_problem
    response = post(client, waste_request(lat="north"), key=hub.submit_key, headers=ENGLISH)
    assert "lat must be a number" in errors_json(response, 400)[0]
    # Without a preference, or preferring Spanish: Spanish, as before.
    response = client.get(f"{OPEN311}/services.json", headers={"Accept-Language": "es-DO"})
    assert response.headers["content-language"] == "es-DO"
