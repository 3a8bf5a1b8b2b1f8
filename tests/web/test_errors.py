"""Failures a citizen may meet: a municipality's system down, a page that does not exist,
a bug. Each gets a page in the site's layout, in plain Spanish (or English)."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import web
from gateway.hub import Hub
from tests.web.conftest import asgi_client
from tests.web.htmltools import parse, text_of, texts
from web.errors import render_error
from web.pages import Pages
from web.routing import Example, Page
from web.templating import default_renderer

SOURCE_DOWN_MESSAGE = (
    "El sistema del ayuntamiento no está disponible en este momento. Inténtelo más tarde."
)


async def test_a_municipality_whose_source_is_down_still_shows_what_came_back(
    gateway_app: Starlette,
) -> None:
    async with asgi_client(gateway_app) as client:
        response = await client.get("/municipios/santiago")
    assert response.status_code == 200
    page = parse(response.text)
    assert texts(page, "//h1") == ["Santiago de los Caballeros"]
    assert page.xpath("//a[@href='mailto:info@santiago.demo.planasmun.do']")
    notice = page.xpath("//div[contains(@class, 'notice--warning')]")[0]
    assert texts(notice, ".//h2") == ["No se pudo cargar toda la información"]
    assert texts(notice, ".//li") == [SOURCE_DOWN_MESSAGE]
    assert page.xpath("//ul[contains(@class, 'service-list')]") == []
    main = text_of(page.xpath("//main")[0])
    assert "No se pudo cargar la lista de servicios." in main
    assert "todavía no ha publicado servicios" not in main  # that would be untrue


async def test_other_municipalities_are_unaffected(gateway_app: Starlette) -> None:
    async with asgi_client(gateway_app) as client:
        response = await client.get("/municipios/jarabacoa")
    page = parse(response.text)
    assert page.xpath("//div[contains(@class, 'notice--warning')]") == []
    assert page.xpath("//ul[contains(@class, 'service-list')]/li")


async def test_a_service_whose_source_is_down_is_503_with_the_reason(
    gateway_app: Starlette,
) -> None:
    async with asgi_client(gateway_app) as client:
        response = await client.get(
            "/municipios/santiago/servicios/licencia-construccion",
            headers={"Accept-Language": "en"},
        )
    assert response.status_code == 503
    page = parse(response.text)
    assert page.get("lang") == "en"
    assert texts(page, "//h1") == ["This information is not available right now"]
    reasons = page.xpath("//div[contains(@class, 'notice--warning')]//li")
    # The schema's message is Spanish; it is marked so that screen readers switch voice.
    assert [(text_of(li), li.get("lang")) for li in reasons] == [(SOURCE_DOWN_MESSAGE, "es-DO")]
    assert page.xpath("//main//a[@href='/municipios/santiago']")


async def test_unknown_paths_get_the_html_404_page_for_browsers(web_only_app: Starlette) -> None:
    async with asgi_client(web_only_app) as client:
        html = await client.get("/no/such/page")
        english = await client.get("/no/such/page", headers={"Accept-Language": "en"})
        api = await client.get("/no/such/page", headers={"Accept": "application/json"})
    assert html.status_code == 404
    assert texts(parse(html.text), "//h1") == ["Página no encontrada"]
    assert parse(html.text).xpath("//main//a[@href='/']")
    assert texts(parse(english.text), "//h1") == ["Page not found"]
    assert (api.status_code, api.headers["content-type"], api.text) == (
        404,
        "text/plain; charset=utf-8",
        "Not Found",
    )


async def _broken(request: Request) -> Response:
    raise RuntimeError("a bug")


async def test_an_unexpected_error_gets_the_500_page(
    hub_with_a_source_down: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    pages = Pages(hub_with_a_source_down.schema, default_renderer())
    app = Starlette(
        routes=[
            *web.build_routes(hub_with_a_source_down.schema),
            # A page's own bug: caught around the page, logged, answered in the layout.
            Page("/roto", pages._guarded(_broken), name="broken", examples=[Example()]),
            # Any other route's bug: the application's handler renders the same page.
            Route("/otro", _broken),
        ],
        exception_handlers=dict(web.exception_handlers()),
    )
    app.state.hub = hub_with_a_source_down
    # Starlette re-raises after answering, so that servers log it; the client must not.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="planasmun.web"):
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers={"Accept": "text/html"}
        ) as client:
            responses = [await client.get("/roto"), await client.get("/otro")]
    for response in responses:
        assert response.status_code == 500
        assert texts(parse(response.text), "//h1") == [
            "Lo sentimos, hay un problema con el servicio"
        ]
        assert "a bug" not in response.text
    assert "page /roto failed" in caplog.text


async def test_render_error_without_a_route(hub_with_a_source_down: Hub) -> None:
    """The error page needs no matched route: only the application's URL table."""

    async def endpoint(request: Request) -> Response:
        return render_error(request, web.errors.NOT_FOUND)

    app = Starlette(routes=[*web.build_routes(hub_with_a_source_down.schema)])
    app.state.hub = hub_with_a_source_down
    app.routes.append(Route("/x", endpoint))
    async with asgi_client(app) as client:
        response = await client.get("/x")
    assert response.status_code == 404
    assert texts(parse(response.text), "//h1") == ["Página no encontrada"]


async def test_the_gateway_serves_the_html_404_page(gateway_app: Starlette) -> None:
    async with asgi_client(gateway_app) as client:
        response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert texts(parse(response.text), "//h1") == ["Página no encontrada"]
