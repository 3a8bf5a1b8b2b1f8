"""The request journey and the tracking pages over real HTTP, as a browser without
JavaScript uses them: one question per page with an error summary, answers carried in
hidden fields (never in a cookie or a URL), one request however often the last POST is
sent, and tracking by number that shows no personal data to anyone but the submitter."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lxml.html import HtmlElement

from tests.privacy.personal_values import MARIA
from tests.privacy.support import graphql, sign_in
from tests.web.htmltools import parse, text_of, texts
from tests.web.requests_support import (
    FORM_URL,
    main_form,
    press,
    session_contents,
    submit_demo_request,
    walk_to_check_page,
)
from web.request_pages import DEMO_MUNICIPALITY, DEMO_OFFLINE_SERVICE, DEMO_SERVICE

SPANISH = {"Accept": "text/html", "Accept-Language": "es-DO"}
SERVICE_URL = f"/municipios/{DEMO_MUNICIPALITY}/servicios/{DEMO_SERVICE}"
START_URL = f"{SERVICE_URL}/solicitar"

MY_REQUESTS = "{ myServiceRequests { trackingNumber } }"


def _browser(live_hub: str) -> httpx.Client:
    return httpx.Client(base_url=live_hub, headers=SPANISH, timeout=20)


@pytest.fixture
def maria(live_hub: str) -> Iterator[httpx.Client]:
    with _browser(live_hub) as client:
        sign_in(client, "maria")
        yield client


@pytest.fixture
def juan(live_hub: str) -> Iterator[httpx.Client]:
    with _browser(live_hub) as client:
        sign_in(client, "juan")
        yield client


@pytest.fixture
def anonymous(live_hub: str) -> Iterator[httpx.Client]:
    with _browser(live_hub) as client:
        yield client


def _page(response: httpx.Response, status: int = 200) -> HtmlElement:
    assert response.status_code == status, response.text[:800]
    return parse(response.text)


def _numbers(client: httpx.Client) -> list[str]:
    body = graphql(client, MY_REQUESTS)
    return [r["trackingNumber"] for r in body["data"]["myServiceRequests"]]


def _errors(page: HtmlElement) -> list[tuple[str, str]]:
    """(link target, text) of each error summary entry."""
    return [
        (str(a.get("href")), text_of(a)) for a in page.xpath("//div[@class='error-summary']//a")
    ]


# -- Finding the journey ---------------------------------------------------------------


def test_the_service_page_offers_to_request_it_online(anonymous: httpx.Client) -> None:
    page = _page(anonymous.get(SERVICE_URL))
    links = page.xpath(f"//main//a[@href='{START_URL}']")
    assert [text_of(a) for a in links] == ["Solicitar en línea"]


def test_a_service_that_takes_no_requests_has_no_button(anonymous: httpx.Client) -> None:
    offline = f"/municipios/{DEMO_MUNICIPALITY}/servicios/{DEMO_OFFLINE_SERVICE}"
    page = _page(anonymous.get(offline))
    assert not page.xpath("//main//a[contains(@href, '/solicitar')]")
    refused = _page(anonymous.get(f"{offline}/solicitar"), 404)
    assert texts(refused, "//h1") == ["Este servicio no se puede solicitar en línea"]


def test_the_start_page_lists_what_is_needed_and_signs_in_first(
    anonymous: httpx.Client,
) -> None:
    page = _page(anonymous.get(START_URL))
    assert "Antes de empezar" in texts(page, "//h2")
    (start,) = page.xpath("//main//a[contains(@class, 'button--start')]")
    assert text_of(start) == "Iniciar sesión y empezar"
    target = urlsplit(start.get("href"))
    assert target.path == "/entrar"
    assert parse_qs(target.query)["siguiente"] == [FORM_URL]


def test_the_form_sends_anonymous_visitors_to_sign_in_and_back(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.get(FORM_URL)
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert target.path == "/entrar"
    assert parse_qs(target.query)["siguiente"] == [FORM_URL]


# -- One question per page, with an error summary ---------------------------------------


def test_an_empty_description_is_shown_in_the_summary_and_next_to_the_field(
    maria: httpx.Client,
) -> None:
    first = _page(maria.get(FORM_URL))
    assert texts(first, "//h1") == ["¿Qué necesita?"]
    assert "Paso 1 de" in text_of(first.xpath("//main//p[@class='caption']")[0])
    page = _page(press(maria, first, changes={"descripcion": "   "}), 400)
    assert page.xpath("//title/text()")[0].startswith("Error:")
    assert _errors(page) == [("#descripcion", "Describa lo que necesita")]
    summary = page.xpath("//div[@class='error-summary']")[0]
    assert summary.get("autofocus") is not None and summary.get("tabindex") == "-1"
    field = page.xpath("//textarea[@id='descripcion']")[0]
    assert field.get("aria-invalid") == "true"
    assert "descripcion-error" in field.get("aria-describedby").split()
    assert "Describa lo que necesita" in text_of(page.xpath("//*[@id='descripcion-error']")[0])


def test_location_errors_name_each_coordinate(maria: httpx.Client) -> None:
    page = _page(maria.get(FORM_URL, params={"paso": "ubicacion"}))
    wrong = _page(press(maria, page, changes={"latitud": "norte", "longitud": ""}), 400)
    assert [target for target, _ in _errors(wrong)] == ["#latitud", "#longitud"]
    assert "entre -90 y 90" in _errors(wrong)[0][1]
    # What was typed stays in the box.
    assert wrong.xpath("//input[@id='latitud']/@value") == ["norte"]


def test_consent_is_needed_and_its_purpose_is_shown(maria: httpx.Client) -> None:
    page = _page(maria.get(FORM_URL, params={"paso": "consentimiento"}))
    assert "Ley 172-13" in text_of(page.xpath("//*[@id='consentimiento-terminos']")[0])
    refused = _page(press(maria, page, changes={"consentimiento": None}), 400)
    assert [target for target, _ in _errors(refused)] == ["#consentimiento"]


def test_a_stale_form_is_refused_without_losing_what_was_typed(maria: httpx.Client) -> None:
    page = _page(maria.get(FORM_URL))
    before = _numbers(maria)
    response = press(
        maria, page, changes={"descripcion": "Texto que no se pierde", "csrf_token": "viejo"}
    )
    again = _page(response, 400)
    assert "El formulario había caducado" in text_of(
        again.xpath("//div[@class='error-summary']")[0]
    )
    assert again.xpath("//textarea[@id='descripcion']/text()") == ["Texto que no se pierde"]
    assert _numbers(maria) == before


def test_back_and_change_keep_every_answer(maria: httpx.Client) -> None:
    check = walk_to_check_page(maria, "Escombros en la acera", "Calle Duarte 3")
    rows = texts(check, "//dl[@class='check-list']//div")
    assert any("Escombros en la acera" in row for row in rows), rows
    assert any("Calle Duarte 3" in row for row in rows), rows
    # Change the description: back to its step, then straight back to the check page.
    step = _page(press(maria, check, "cambiar-descripcion"))
    assert step.xpath("//textarea[@id='descripcion']/text()") == ["Escombros en la acera"]
    back = _page(press(maria, step, changes={"descripcion": "Escombros y basura"}))
    assert main_form(back).xpath(".//input[@name='paso']/@value") == ["revisar"]
    rows = texts(back, "//dl[@class='check-list']//div")
    assert any("Escombros y basura" in row for row in rows), rows
    assert any("Calle Duarte 3" in row for row in rows), rows


# -- Sending: once, whatever happens ----------------------------------------------------


def test_the_journey_ends_on_the_confirmation_with_the_number_and_the_date(
    maria: httpx.Client,
) -> None:
    before = _numbers(maria)
    check = walk_to_check_page(maria, "Escombros de una remodelación", "Calle El Sol 8")
    response = press(maria, check, "enviar")
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert location.startswith("/seguimiento/") and location.endswith("/confirmacion")
    page = _page(maria.get(location))
    number = text_of(page.xpath("//strong[@class='tracking-number']")[0])
    assert location == f"/seguimiento/{number}/confirmacion"
    assert number.startswith("SDE-") and number not in before
    assert texts(page, "//h1") == ["Solicitud enviada"]
    assert page.xpath("//main//time[@datetime]"), "the expected date is shown"
    assert set(_numbers(maria)) == {*before, number}


def test_the_final_post_sent_twice_or_at_once_creates_one_request(
    maria: httpx.Client, live_hub: str
) -> None:
    before = set(_numbers(maria))
    check = walk_to_check_page(maria, "Pedido enviado dos veces", "")
    first = press(maria, check, "enviar")
    again = press(maria, check, "enviar")  # the browser's "send again", or a double click
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    # Two clicks at the same moment, from a fresh journey.
    check = walk_to_check_page(maria, "Pedido con doble clic", "")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: press(maria, check, "enviar"), range(2)))
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    created = set(_numbers(maria)) - before
    assert len(created) == 2, created


def test_a_new_journey_is_a_new_request(maria: httpx.Client) -> None:
    first = walk_to_check_page(maria, "Misma descripción", "")
    second = walk_to_check_page(maria, "Misma descripción", "")
    key = ".//input[@name='clave']/@value"
    assert main_form(first).xpath(key) != main_form(second).xpath(key)


def test_no_answer_travels_in_a_cookie_or_a_url(maria: httpx.Client) -> None:
    description = "Descripción privada con la dirección de mi hermana"
    address = "Calle Privada 123"
    seen_urls: list[str] = []
    maria.event_hooks["response"] = [lambda r: seen_urls.append(str(r.request.url))]
    check = walk_to_check_page(maria, description, address)
    response = press(maria, check, "enviar")
    seen_urls.append(response.headers["location"])
    for secret in (description, address, "Privada"):
        assert all(secret not in url for url in seen_urls), seen_urls
        assert secret not in session_contents(maria)
        for cookie in maria.cookies.jar:
            assert secret not in (cookie.value or "")


# -- Tracking ---------------------------------------------------------------------------


@pytest.fixture
def marias_request(maria: httpx.Client) -> str:
    return submit_demo_request(maria, key="tracking-page-test-0001")


def test_anyone_with_the_number_sees_the_status_and_no_personal_data(
    marias_request: str, anonymous: httpx.Client, juan: httpx.Client, maria: httpx.Client
) -> None:
    url = f"/seguimiento/{marias_request}"
    secrets = [
        "Basura del colmado",
        "Las Orquídeas",
        "18.4861",
        "-69.8572",
        MARIA.name,
        MARIA.email,
        MARIA.phone,
        MARIA.cedula,
        MARIA.subject,
    ]
    for who in (anonymous, juan):
        response = who.get(url)
        page = _page(response)
        assert texts(page, "//h1") == [f"Solicitud {marias_request}"]
        assert text_of(page.xpath("//*[@id='estado-actual']")[0]) == "Recibida"
        assert not page.xpath("//h2[normalize-space()='Lo que usted envió']")
        for secret in secrets:
            assert secret not in response.text, secret
    own = maria.get(url)
    page = _page(own)
    assert "Lo que usted envió" in texts(page, "//h2")
    assert "Basura del colmado" in own.text and "Las Orquídeas" in own.text
    assert own.headers["cache-control"] == "private, no-store"


def test_the_tracking_page_works_without_javascript_and_offers_a_refresh(
    marias_request: str, anonymous: httpx.Client
) -> None:
    page = _page(anonymous.get(f"/seguimiento/{marias_request}"))
    assert page.xpath(f"//a[@href='/seguimiento/{marias_request}']")
    live = page.xpath("//*[@id='estado-anuncio']")[0]
    assert live.get("role") == "status" and live.get("aria-live") == "polite"
    assert page.xpath("//script[starts-with(@src, '/static/seguimiento.js')]")


def test_a_number_typed_loosely_is_found(marias_request: str, anonymous: httpx.Client) -> None:
    code, year, number = marias_request.split("-")
    typed = f" {code.lower()} {year} {int(number)} "
    response = anonymous.get("/seguimiento", params={"numero": typed})
    assert response.status_code == 303
    assert response.headers["location"] == f"/seguimiento/{marias_request}"


def test_a_wrong_or_unknown_number_says_so(anonymous: httpx.Client) -> None:
    wrong = _page(anonymous.get("/seguimiento", params={"numero": "12345"}), 400)
    assert _errors(wrong)[0][0] == "#numero"
    assert wrong.xpath("//input[@id='numero']/@aria-invalid") == ["true"]
    unknown = _page(anonymous.get("/seguimiento/SDE-2000-999999"), 404)
    assert "Ninguna solicitud tiene este número" in text_of(unknown.xpath("//main")[0])


def test_my_requests_lists_only_my_own(
    marias_request: str, maria: httpx.Client, juan: httpx.Client
) -> None:
    mine = _page(maria.get("/mis-solicitudes"))
    assert marias_request in texts(mine, "//main//h2/a")
    theirs = _page(juan.get("/mis-solicitudes"))
    assert marias_request not in theirs.text_content()


def test_the_confirmation_is_only_for_the_submitter(
    marias_request: str, juan: httpx.Client
) -> None:
    response = juan.get(f"/seguimiento/{marias_request}/confirmacion")
    assert response.status_code == 303
    assert response.headers["location"] == f"/seguimiento/{marias_request}"
