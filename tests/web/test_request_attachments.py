"""Attachments in the request journey over real HTTP, as a browser without JavaScript
sends them: the "check your answers" page is a plain multipart form with a labelled file
input and its limits; a refused file brings the page back with the error summary and a
plain request to choose the files again, and nothing is created; a good file reaches the
confirmation and the tracking page (for the submitter only); the final POST stays
idempotent."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from lxml.html import HtmlElement

from tests.privacy.support import graphql, sign_in
from tests.web.htmltools import parse, text_of, texts
from tests.web.requests_support import form_fields, main_form, walk_to_check_page

SPANISH = {"Accept": "text/html", "Accept-Language": "es-DO"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 300
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300
MY_REQUESTS = "{ myServiceRequests { trackingNumber } }"


@pytest.fixture
def maria(live_hub: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_hub, headers=SPANISH, timeout=20) as client:
        sign_in(client, "maria")
        yield client


@pytest.fixture
def anonymous(live_hub: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_hub, headers=SPANISH, timeout=20) as client:
        yield client


def _numbers(client: httpx.Client) -> set[str]:
    body = graphql(client, MY_REQUESTS)
    return {r["trackingNumber"] for r in body["data"]["myServiceRequests"]}


def send(
    client: httpx.Client, page: HtmlElement, files: list[tuple[str, bytes, str]]
) -> httpx.Response:
    """Press "Send request" as a browser does with the form's enctype: multipart, with a
    part for the file input even when no file was chosen."""
    form = main_form(page)
    assert form.get("enctype") == "multipart/form-data"
    data: dict[str, list[str]] = {}
    for name, value in form_fields(form):
        data.setdefault(name, []).append(value)
    data["accion"] = ["enviar"]
    parts = [("adjuntos", file) for file in files] or [
        ("adjuntos", ("", b"", "application/octet-stream"))
    ]
    return client.post(str(form.get("action")), data=data, files=parts)


def test_the_check_page_offers_a_labelled_file_input_with_its_limits(
    maria: httpx.Client,
) -> None:
    page = walk_to_check_page(maria, "Basura con fotos", "")
    [field] = main_form(page).xpath(".//input[@type='file']")
    assert field.get("name") == field.get("id") == "adjuntos"
    assert field.get("multiple") is not None
    assert field.get("accept") == ".jpg,.jpeg,.png,.pdf"
    assert texts(page, "//label[@for='adjuntos']") == ["Archivos que quiere adjuntar"]
    hint = page.xpath("//*[@id='adjuntos-hint']")[0]
    assert field.get("aria-describedby") == "adjuntos-hint"
    assert "hasta 3 archivos" in text_of(hint) and "5 MB" in text_of(hint)
    assert "JPEG" in text_of(hint) and "PDF" in text_of(hint)


def test_a_request_with_a_photo_ends_on_the_confirmation_listing_it(
    maria: httpx.Client, anonymous: httpx.Client
) -> None:
    before = _numbers(maria)
    page = walk_to_check_page(maria, "Vertedero en el solar, con foto", "")
    response = send(maria, page, [("foto del solar.jpg", JPEG, "image/jpeg")])
    assert response.status_code == 303, response.text[:800]
    confirmation = parse(maria.get(response.headers["location"]).text)
    number = text_of(confirmation.xpath("//strong[@class='tracking-number']")[0])
    assert _numbers(maria) == {*before, number}
    [link] = confirmation.xpath("//ul[contains(@class, 'attachment-list')]//a")
    assert text_of(link) == "foto del solar.jpg"
    download = maria.get(str(link.get("href")))
    assert download.status_code == 200 and download.content == JPEG
    assert download.headers["content-disposition"].startswith("attachment;")
    # The tracking page lists it for María; anyone else with the number sees no name.
    tracking = maria.get(f"/seguimiento/{number}")
    assert "foto del solar.jpg" in tracking.text
    public = anonymous.get(f"/seguimiento/{number}")
    assert public.status_code == 200
    assert "foto del solar" not in public.text and "/solicitudes/adjuntos/" not in public.text
    assert anonymous.get(str(link.get("href"))).status_code == 404


def test_a_refused_file_asks_for_the_files_again_and_sends_nothing(
    maria: httpx.Client,
) -> None:
    before = _numbers(maria)
    page = walk_to_check_page(maria, "Foto que no es una foto", "")
    refused = send(maria, page, [("foto.jpg", PROGRAM, "image/jpeg")])
    assert refused.status_code == 400, refused.text[:800]
    again = parse(refused.text)
    summary = [
        (str(a.get("href")), text_of(a)) for a in again.xpath("//div[@class='error-summary']//a")
    ]
    assert len(summary) == 1 and summary[0][0] == "#adjuntos"
    assert summary[0][1].startswith("El primer archivo no es una foto JPEG o PNG")
    field = again.xpath("//input[@id='adjuntos']")[0]
    assert field.get("aria-invalid") == "true"
    described = str(field.get("aria-describedby")).split()
    assert described == ["adjuntos-hint", "adjuntos-again", "adjuntos-error"]
    assert "vuelva a elegirlos" in text_of(again.xpath("//*[@id='adjuntos-again']")[0])
    assert "El primer archivo" in text_of(again.xpath("//*[@id='adjuntos-error']")[0])
    assert "foto.jpg" not in refused.text
    assert _numbers(maria) == before
    # The same journey (its key) with a good file: one request, however often it is sent.
    first = send(maria, again, [("foto.jpg", JPEG, "image/jpeg")])
    second = send(maria, again, [("foto.jpg", JPEG, "image/jpeg")])
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(_numbers(maria) - before) == 1


def test_four_files_are_refused_with_the_limit_in_words(maria: httpx.Client) -> None:
    before = _numbers(maria)
    page = walk_to_check_page(maria, "Cuatro fotos", "")
    refused = send(maria, page, [(f"foto-{i}.jpg", JPEG, "image/jpeg") for i in range(4)])
    assert refused.status_code == 400
    errors = texts(parse(refused.text), "//div[@class='error-summary']//a")
    assert errors == ["Puede adjuntar como máximo 3 archivos y ha elegido 4. Elija 3 o menos."]
    assert _numbers(maria) == before


def test_no_file_chosen_sends_the_request_without_attachments(maria: httpx.Client) -> None:
    page = walk_to_check_page(maria, "Sin adjuntos, en un formulario multipart", "")
    response = send(maria, page, [])
    assert response.status_code == 303, response.text[:800]
    confirmation = parse(maria.get(response.headers["location"]).text)
    assert confirmation.xpath("//ul[contains(@class, 'attachment-list')]") == []
