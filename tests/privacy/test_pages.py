"""The `/mis-datos` pages over HTTP, signed in through the provider's form: see, rectify
(error summary linking to fields, CSRF), download a zip, cancel."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from lxml.html import HtmlElement

from tests.privacy.personal_values import JUAN, MARIA, personal_values_in
from tests.privacy.support import STAFF_READ, PrivacyHub, graphql, sign_in
from tests.web.htmltools import parse, text_of, texts

SPANISH = {"Accept-Language": "es-DO"}


@pytest.fixture
def browser(fresh_hub: PrivacyHub) -> Iterator[httpx.Client]:
    """Like a browser: asks for HTML, keeps cookies; redirects are followed by hand."""
    with httpx.Client(
        base_url=fresh_hub.url, headers={"Accept": "text/html", **SPANISH}, timeout=10
    ) as http:
        yield http


def _page(browser: httpx.Client, url: str, status: int = 200) -> HtmlElement:
    response = browser.get(url)
    assert response.status_code == status, response.text[:300]
    assert response.headers["cache-control"] == "private, no-store"
    return parse(response.text)


def _csrf(page: HtmlElement) -> str:
    (token,) = page.xpath("//main//form//input[@name='csrf_token']/@value")
    return str(token)


def _form(citizen: object = MARIA, **changes: str) -> dict[str, str]:
    values = {
        "name": MARIA.name,
        "cedula": MARIA.cedula,
        "phone": MARIA.phone,
        "email": MARIA.email,
        "address": MARIA.address,
        "municipality": MARIA.municipality,
        "consent": "si",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.mark.parametrize(
    "path", ["/mis-datos", "/mis-datos/editar", "/mis-datos/exportar", "/mis-datos/cancelar"]
)
def test_anonymous_visitors_are_sent_to_sign_in_and_back(browser: httpx.Client, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/entrar?siguiente={quote(path, safe='')}"
    if path != "/mis-datos":
        posted = browser.post(path, data={"csrf": "x"})
        assert posted.status_code == 303
        assert posted.headers["location"] == f"/entrar?siguiente={quote(path, safe='')}"


def test_a_citizen_sees_rectifies_downloads_and_cancels_their_data(
    browser: httpx.Client, fresh_hub: PrivacyHub
) -> None:
    sign_in(browser, "maria")
    empty = _page(browser, "/mis-datos")
    assert texts(empty, "//h1") == ["Sus datos"]
    assert "PLANASMUN no guarda ningún dato personal suyo." in text_of(empty)

    # Rectify: a wrong cédula and no consent come back with an error summary.
    form = _page(browser, "/mis-datos/editar")
    csrf = _csrf(form)
    assert form.xpath("//input[@id='name']/@autocomplete") == ["name"]
    refused = browser.post(
        "/mis-datos/editar",
        data={**_form(cedula="001-1234567-8"), "consent": "", "csrf_token": csrf},
    )
    assert refused.status_code == 400
    page = parse(refused.text)
    assert page.xpath("//title/text()")[0].startswith("Error:")
    summary = page.xpath("//div[@class='error-summary']")[0]
    assert summary.get("role") == "alert"
    assert [(a.get("href"), text_of(a)) for a in summary.xpath(".//a")] == [
        ("#cedula", "Revise su cédula: el último dígito no corresponde a los demás"),
        (
            "#consent",
            "Para guardar sus datos personales, marque la casilla para aceptar cómo se usarán",
        ),
    ]
    cedula = page.xpath("//input[@id='cedula']")[0]
    assert cedula.get("aria-invalid") == "true"
    assert cedula.get("aria-describedby") == "cedula-hint cedula-error"
    assert page.xpath("//*[@id='cedula-error']") and page.xpath("//label[@for='cedula']")
    assert page.xpath("//input[@id='consent'][@aria-invalid='true']")
    assert page.xpath("//input[@id='email']/@value") == [MARIA.email]  # kept for fixing
    assert graphql(browser, "{ me { profile { name } } }")["data"]["me"]["profile"] is None

    # A form without the session's token is refused, and nothing is kept.
    forged = browser.post("/mis-datos/editar", data={**_form(), "csrf_token": "otro"})
    assert forged.status_code == 400
    assert "El formulario había caducado" in forged.text
    assert graphql(browser, "{ me { profile { name } } }")["data"]["me"]["profile"] is None

    saved = browser.post("/mis-datos/editar", data={**_form(), "csrf_token": csrf})
    assert (saved.status_code, saved.headers["location"]) == (303, "/mis-datos")
    graphql(
        browser,
        STAFF_READ,
        token=fresh_hub.token("ana"),
        subject=MARIA.subject,
        purpose="Atender la solicitud SDE-2026-000321",
    )
    mine = _page(browser, "/mis-datos")
    assert texts(mine, "//div[@role='status']//h2") == ["Sus datos se guardaron"]
    body = text_of(mine)
    for value in (MARIA.name, MARIA.cedula, MARIA.phone, MARIA.email, MARIA.address):
        assert value in body
    assert "Santo Domingo Este" in body
    log = texts(mine, "//ol[contains(@class, 'access-log')]/li")
    assert any(
        "Personal de Santo Domingo Este (agente)" in entry
        and "Atender la solicitud SDE-2026-000321" in entry
        and "Vio sus datos" in entry
        for entry in log
    ), log
    assert any("Usted" in entry and "Cambió sus datos" in entry for entry in log), log
    assert "demo-personal-0003" not in body
    # The notice shows once.
    assert not _page(browser, "/mis-datos").xpath("//div[@role='status']")

    # Download: a zip of JSON and CSV with her data and nobody else's.
    export_page = _page(browser, "/mis-datos/exportar")
    download = browser.post("/mis-datos/exportar", data={"csrf_token": _csrf(export_page)})
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith('attachment; filename="planasmun-')
    assert download.headers["cache-control"] == "private, no-store"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        data = json.loads(archive.read("mis-datos.json"))
        everything = "\n".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert data["profile"]["cedula"] == MARIA.cedula
    assert personal_values_in(everything, only=(JUAN,)) == set()
    assert browser.post("/mis-datos/exportar", data={"csrf_token": "otro"}).status_code == 400

    # Cancel: the box must be ticked; then everything personal is gone.
    erase_page = _page(browser, "/mis-datos/cancelar")
    assert "Cédula" in texts(erase_page, "//main//ul/li")
    unticked = browser.post("/mis-datos/cancelar", data={"csrf_token": _csrf(erase_page)})
    assert unticked.status_code == 400
    links = parse(unticked.text).xpath("//div[@class='error-summary']//a/@href")
    assert links == ["#confirm"]
    erased = browser.post(
        "/mis-datos/cancelar", data={"csrf_token": _csrf(erase_page), "confirm": "si"}
    )
    assert (erased.status_code, erased.headers["location"]) == (303, "/mis-datos")
    after = _page(browser, "/mis-datos")
    assert texts(after, "//div[@role='status']//h2") == ["Sus datos personales se borraron"]
    assert personal_values_in(text_of(after.xpath("//main")[0]), only=(MARIA,)) == set()


def test_the_pages_speak_english_too(browser: httpx.Client, fresh_hub: PrivacyHub) -> None:
    fresh_hub.write_profile(MARIA)
    sign_in(browser, "maria")
    english = {"Accept-Language": "en"}
    page = parse(browser.get("/mis-datos", headers=english).text)
    assert page.get("lang") == "en" and texts(page, "//h1") == ["Your data"]
    assert "Your local government" in text_of(page)
    form = parse(browser.get("/mis-datos/editar", headers=english).text)
    assert "You have already agreed to how your data is used." in text_of(form)
    assert form.xpath("//header//a[@href='/mis-datos'][@aria-current='page']") == []
    assert page.xpath("//header//a[@href='/mis-datos'][@aria-current='page']")
