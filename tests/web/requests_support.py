"""The request journey as a browser without JavaScript walks it: read each page's form,
fill it in, press one of its buttons; and a request submitted straight through GraphQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
from lxml.html import HtmlElement

from gateway.identity.sessions import SESSION_COOKIE
from tests.privacy.support import graphql
from tests.web.htmltools import parse
from web.request_pages import DEMO_MUNICIPALITY, DEMO_SERVICE

FORM_URL = f"/municipios/{DEMO_MUNICIPALITY}/servicios/{DEMO_SERVICE}/solicitar/formulario"
#: What María writes in the demo request: personal data that must never leak.
DEMO_DESCRIPTION = "Basura del colmado acumulada frente a mi casa, calle Las Orquídeas 14"
DEMO_ADDRESS = "Calle Las Orquídeas 14, Los Mina"
DEMO_KEY = "demo-request-of-maria-0001"

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    created
    request { trackingNumber }
    errors { field message code }
  }
}
"""

SERVICE_FIELDS = """
query Fields($id: ID!) {
  service(id: $id) {
    acceptsRequests
    requestFields { code datatype required choices { key name } }
  }
}
"""

CHANGE_STATUS = """
mutation Change($number: String!, $status: RequestStatus!, $note: String) {
  changeServiceRequestStatus(trackingNumber: $number, status: $status, note: $note) {
    status
  }
}
"""


def demo_answers(fields: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """An answer to every required question of the demo service, as GraphQL takes it."""
    answers = []
    for field in fields:
        if not field["required"]:
            continue
        if field["choices"]:
            value = field["choices"][0]["key"]
        elif field["datatype"] == "NUMBER":
            value = "3"
        elif field["datatype"] == "DATETIME":
            value = "2026-12-25"
        else:
            value = "Prueba"
        answers.append({"code": field["code"], "value": value})
    return answers


def submit_demo_request(client: httpx.Client, key: str = DEMO_KEY) -> str:
    """As the signed-in `client` (a session cookie), the demo request; its number."""
    service_id = f"{DEMO_MUNICIPALITY}:{DEMO_SERVICE}"
    service = graphql(client, SERVICE_FIELDS, id=service_id)["data"]["service"]
    assert service["acceptsRequests"], service
    body = graphql(
        client,
        SUBMIT,
        input={
            "municipalityId": DEMO_MUNICIPALITY,
            "serviceId": service_id,
            "description": DEMO_DESCRIPTION,
            "address": DEMO_ADDRESS,
            "latitude": 18.4861,
            "longitude": -69.8572,
            "answers": demo_answers(service["requestFields"]),
            "idempotencyKey": key,
            "consent": True,
        },
    )
    outcome = body["data"]["submitServiceRequest"]
    assert outcome["errors"] == [], outcome
    number: str = outcome["request"]["trackingNumber"]
    return number


# -- A browser without JavaScript ------------------------------------------------------


def main_form(page: HtmlElement) -> HtmlElement:
    forms = page.xpath("//main//form[@method='post']")
    assert len(forms) == 1, [f.get("action") for f in forms]
    form: HtmlElement = forms[0]
    return form


def form_fields(form: HtmlElement) -> list[tuple[str, str]]:
    """What the browser would send, buttons aside: hidden and text inputs, text areas,
    ticked boxes and chosen radios."""
    sent: list[tuple[str, str]] = []
    for element in form.xpath(".//input | .//textarea"):
        name = element.get("name")
        if not name:
            continue
        if element.tag == "textarea":
            sent.append((name, element.text or ""))
            continue
        kind = element.get("type", "text")
        if kind in ("checkbox", "radio"):
            if element.get("checked") is not None:
                sent.append((name, element.get("value", "on")))
        elif kind not in ("submit", "button", "file"):
            sent.append((name, element.get("value", "")))
    return sent


def fill_details(form: HtmlElement) -> dict[str, list[str]]:
    """An answer to every question of the service's own step."""
    answers: dict[str, list[str]] = {}
    for element in form.xpath(".//input[starts-with(@name, 'campo-')] | .//textarea"):
        name = element.get("name")
        if name in answers:
            continue
        kind = element.get("type", "text")
        if element.tag == "textarea":
            answers[name] = ["Prueba"]
        elif kind in ("radio", "checkbox"):
            answers[name] = [element.get("value")]
        elif element.get("inputmode") == "decimal":
            answers[name] = ["3"]
        elif element.get("inputmode") == "numeric":
            answers[name] = ["25/12/2026"]
        else:
            answers[name] = ["Prueba"]
    return answers


def press(
    client: httpx.Client,
    page: HtmlElement,
    button: str = "continuar",
    changes: Mapping[str, str | list[str] | None] | None = None,
) -> httpx.Response:
    """Submit the page's form with `changes` (None: leave the field out), pressing the
    button whose `accion` value is `button`."""
    form = main_form(page)
    values = form.xpath(f".//button[@name='accion' and @value='{button}']")
    assert values, f"no button {button!r} on the page"
    sent = [(k, v) for k, v in form_fields(form) if k not in (changes or {})]
    for name, value in (changes or {}).items():
        if value is None:
            continue
        for one in [value] if isinstance(value, str) else value:
            sent.append((name, one))
    sent.append(("accion", button))
    return client.post(
        str(form.get("action")),
        content=urlencode(sent),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def session_contents(client: httpx.Client) -> str:
    """The session cookie's payload (signed, not encrypted), as text."""
    cookie = client.cookies.get(SESSION_COOKIE) or ""
    payload = cookie.split(".")[0]
    decoded = base64.b64decode(payload + "=" * (-len(payload) % 4))
    return json.dumps(json.loads(decoded), ensure_ascii=False)


def walk_to_check_page(client: httpx.Client, description: str, address: str = "") -> HtmlElement:
    """From the first step to "check your answers", answering every question."""
    response = client.get(FORM_URL)
    assert response.status_code == 200, response.text[:300]
    page = parse(response.text)
    for _ in range(6):
        step = main_form(page).xpath(".//input[@name='paso']/@value")[0]
        if step == "revisar":
            return page
        changes: dict[str, str | list[str] | None] = {}
        if step == "descripcion":
            changes["descripcion"] = description
        elif step == "datos":
            changes.update(fill_details(main_form(page)))
        elif step == "ubicacion":
            changes.update({"direccion": address, "latitud": "18.4861", "longitud": "-69.8572"})
        elif step == "consentimiento":
            changes["consentimiento"] = "si"
        response = press(client, page, changes=changes)
        assert response.status_code == 200, (step, response.text[:500])
        page = parse(response.text)
    raise AssertionError("never reached the check page")
