"""The statistics page of a local government (`/municipios/<id>/estadisticas`) without
JavaScript: a captioned table of the figures counted at load time, saying so, with
counts under 5 worded, in Spanish and English."""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.hub import Hub
from store.requests import NewRequest, RequestStatus
from tests.web.conftest import asgi_client
from tests.web.htmltools import parse, text_of, texts


def new(service: str, name: str, n: int) -> NewRequest:
    return NewRequest(
        municipality_id="jarabacoa",
        short_code="JAR",
        service_id=service,
        service_name=name,
        citizen_subject=f"demo-ciudadano-{n:04d}",
        description="Descripción",
        duration_days=3,
        deliver=False,
        notify=False,
    )


async def seed(hub: Hub) -> None:
    for n in range(8):
        submitted = await hub.requests.submit(new("recogida-basura", "Recogida de basura", n))
        if n < 6:
            for status in (RequestStatus.EN_REVISION, RequestStatus.EN_PROCESO):
                await hub.requests.change_status(
                    submitted.request.tracking_number, status, note=None, changed_by="x"
                )
    for n in range(3):
        await hub.requests.submit(new("poda-arboles", "Poda de árboles", 100 + n))
    for n in range(6):
        await hub.requests.submit(new("acta-nacimiento", "Acta de nacimiento", 200 + n))


async def test_the_page_shows_the_figures_as_of_its_load_time_without_javascript(
    gateway_app: Starlette, hub_with_a_source_down: Hub
) -> None:
    await seed(hub_with_a_source_down)
    async with asgi_client(gateway_app) as client:
        response = await client.get("/municipios/jarabacoa/estadisticas?periodo=ano")
        english = await client.get("/municipios/jarabacoa/estadisticas?periodo=hoy&lang=en")
    assert response.status_code == 200
    html = parse(response.text)
    caption = texts(html, "//table/caption")[0]
    assert "Solicitudes a" in caption and "este año" in caption
    rows = {
        text_of(row.xpath("th")[0]): texts(row, "td//*[@class='figure']")
        for row in html.xpath("//table//tr[td]")
    }
    assert rows["Recogida de basura"][:2] == ["8", "8"]
    assert rows["Poda de árboles"][0] == "menos de 5"
    # 17 in all: poda's 3 cannot be had by subtraction, actas' 6 is hidden with it.
    assert rows["Todos los servicios"][0] == "17"
    assert rows["Acta de nacimiento"][0] == "menos de 5"
    text = text_of(html)
    assert "cuando se cargó esta página" in text
    assert "Recargue esta página para ver las cifras más recientes" in text
    assert str(html.xpath("//script/@src")[0]).startswith("/static/estadisticas.js?v=")

    assert english.status_code == 200
    page = parse(english.text)
    assert "when this page was loaded" in text_of(page)
    assert "fewer than 5" in text_of(page)
    assert "today" in texts(page, "//table/caption")[0]


async def test_an_unknown_local_government_has_no_statistics_page(gateway_app: Starlette) -> None:
    async with asgi_client(gateway_app) as client:
        response = await client.get("/municipios/no-existe/estadisticas")
    assert response.status_code == 404
