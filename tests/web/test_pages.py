"""The pages over real HTTP against the demo hub: content, search, languages, views."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx
import pytest
from lxml.html import HtmlElement

import web
from connectors import load_directory
from schema import build_schema
from tests.fixtures import MUNICIPALITIES_DIR as NATIVE_MUNICIPALITIES_DIR
from tests.web.conftest import example_headers
from tests.web.htmltools import parse, text_of, texts
from web.routing import ExampleURL

EXAMPLES = web.example_urls(web.build_routes(build_schema()))


def get(client: httpx.Client, url: str, **headers: str) -> HtmlElement:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text[:500]
    return parse(response.text)


def graphql(client: httpx.Client, query: str, **variables: object) -> dict[str, object]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, object] = response.json()
    assert "errors" not in body, body
    data = body["data"]
    assert isinstance(data, dict)
    return data


# The layout, on every page


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_every_page_has_the_layout(
    client: httpx.Client, example: ExampleURL, demo_sessions: Mapping[str, str]
) -> None:
    response = client.get(example.url, headers=example_headers(example, demo_sessions))
    assert response.status_code == example.status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse(response.text)
    assert page.get("lang") == "es-DO"
    assert len(page.xpath("//h1")) == 1
    assert [len(page.xpath(f"//{landmark}")) for landmark in ("header", "main", "footer")] == [
        1,
        1,
        1,
    ]
    assert page.xpath("//nav[@aria-label]")
    first_link = page.xpath("//body//a")[0]
    assert first_link.get("href") == "#contenido"
    assert page.xpath("//main/@id") == ["contenido"]
    assert page.xpath("//title/text()")[0].endswith("– PLANASMUN")
    if example.page != "home":
        assert page.xpath("//nav[@class='breadcrumbs']//li[@aria-current='page']")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_pages_obey_the_content_security_policy(
    client: httpx.Client, example: ExampleURL, demo_sessions: Mapping[str, str]
) -> None:
    response = client.get(example.url, headers=example_headers(example, demo_sessions))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = parse(response.text)
    assert page.xpath("//style | //*[@style]") == []
    assert page.xpath("//script[not(@src)]") == []
    handlers = [a for e in page.iter() for a in e.attrib if a.startswith("on")]
    assert handlers == []
    for url in page.xpath("//link/@href | //script/@src | //img/@src"):
        assert url.startswith("/"), f"{url} is not served by the hub"


def test_every_label_and_hint_is_tied_to_its_field(client: httpx.Client) -> None:
    for url in ("/", "/municipios/santiago"):
        page = get(client, url)
        for field in page.xpath("//input | //select"):
            assert page.xpath(f"//label[@for='{field.get('id')}']"), field.get("id")
            for hint in (field.get("aria-describedby") or "").split():
                assert page.xpath(f"//*[@id='{hint}']"), hint


def test_static_files_are_served(client: httpx.Client) -> None:
    page = get(client, "/")
    for href in page.xpath("//link[@rel='stylesheet']/@href"):
        response = client.get(href)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")


# Home


def test_home_lists_every_municipality_grouped_by_province(client: httpx.Client) -> None:
    page = get(client, "/")
    configured = load_directory(NATIVE_MUNICIPALITIES_DIR)
    links = {a.get("href"): text_of(a) for a in page.xpath("//main//ul//a")}
    assert links == {f"/municipios/{m.id}": m.file.name for m in configured.values()}
    provinces = texts(page, "//main//h3")
    assert provinces == sorted({m.file.province.value for m in configured.values()})
    la_vega = page.xpath("//main//h3[.='La Vega']/following-sibling::ul[1]")[0]
    assert "Manabao" in text_of(la_vega)
    assert "Junta de distrito municipal, pertenece a Jarabacoa" in text_of(la_vega)
    assert "Ayuntamiento" in texts(page, "//li[a='Jarabacoa']/span")[0]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("higuey", ["Higüey", "Verón-Punta Cana"]),  # no accent typed; a junta of Higüey
        ("HIGÜEY", ["Higüey", "Verón-Punta Cana"]),
        ("la vega", ["Jarabacoa", "La Vega", "Manabao"]),  # by province
        ("santiago de los", ["Santiago de los Caballeros"]),
        ("ciudad inexistente", []),
    ],
)
def test_home_search_ignores_accents_and_case(
    client: httpx.Client, search: str, expected: list[str]
) -> None:
    page = get(client, f"/?q={search}")
    assert sorted(texts(page, "//main//ul//a[starts-with(@href, '/municipios/')]")) == expected
    assert page.xpath("//input[@id='q']/@value") == [search]
    heading = texts(page, "//main//h2")[0]
    assert search in heading
    if not expected:
        assert heading.startswith("Ningún gobierno local")


# A municipality


def test_municipality_page(client: httpx.Client) -> None:
    page = get(client, "/municipios/santiago")
    assert texts(page, "//h1") == ["Santiago de los Caballeros"]
    summary = text_of(page.xpath("//main//dl")[0])
    assert "Ayuntamiento" in summary
    assert "Santiago" in summary
    assert "Datos de demostración" in texts(page, "//main//h2")
    assert page.xpath("//a[@href='tel:+1809-555-0102']")
    assert page.xpath("//a[@href='mailto:info@santiago.demo.planasmun.do']")
    expected = graphql(
        client, 'query { municipality(id: "santiago") { services { id name fee { amount } } } }'
    )
    services = expected["municipality"]["services"]  # type: ignore[index]
    names = texts(page, "//ul[contains(@class, 'service-list')]//h3")
    assert names == [s["name"] for s in services]
    result_count = texts(page, "//p[@class='result-count']")[0]
    assert result_count == f"Este gobierno local ofrece {len(services)} servicios."
    first = services[0]
    service_link = page.xpath("//ul[contains(@class, 'service-list')]//h3/a")[0]
    assert service_link.get("href") == f"/municipios/santiago/servicios/{first['id'].split(':')[1]}"


def test_a_junta_shows_the_municipality_it_belongs_to(client: httpx.Client) -> None:
    page = get(client, "/municipios/manabao")
    assert "Junta de distrito municipal" in text_of(page.xpath("//main//dl")[0])
    assert page.xpath("//dd/a[@href='/municipios/jarabacoa' and .='Jarabacoa']")


def test_a_parent_not_on_the_hub_is_named_without_a_link(client: httpx.Client) -> None:
    page = get(client, "/municipios/cabarete")
    row = page.xpath("//div[dt='Pertenece a']/dd")[0]
    assert text_of(row) == "Sosúa (todavía no está en PLANASMUN)"
    assert row.xpath(".//a") == []


def test_services_filter_by_category_and_accent_insensitive_search(client: httpx.Client) -> None:
    page = get(client, "/municipios/santiago?categoria=urbanismo&q=construccion")
    cards = page.xpath("//ul[contains(@class, 'service-list')]/li")
    assert cards
    for card in cards:
        assert "Urbanismo y construcción" in text_of(card)
    assert "Licencia de construcción" in texts(page, "//h3")
    assert page.xpath("//option[@value='urbanismo']/@selected") == ["selected"]
    assert page.xpath("//input[@id='q']/@value") == ["construccion"]
    assert re.fullmatch(
        r"\d+ servicios? coincide(n)?\.", texts(page, "//p[@class='result-count']")[0]
    )


def test_a_filter_that_matches_nothing_says_so_and_offers_every_service(
    client: httpx.Client,
) -> None:
    page = get(client, "/municipios/santiago?q=ningun+tramite+asi")
    assert page.xpath("//ul[contains(@class, 'service-list')]") == []
    assert "Ningún servicio coincide." in text_of(page.xpath("//main")[0])
    assert page.xpath("//main//a[@href='/municipios/santiago' and .='Mostrar todos los servicios']")


def test_an_unknown_category_means_every_category(client: httpx.Client) -> None:
    every = get(client, "/municipios/santiago")
    odd = get(client, "/municipios/santiago?categoria=<script>")
    assert texts(odd, "//h3") == texts(every, "//h3")


# A service


def test_service_page(client: httpx.Client) -> None:
    page = get(client, "/municipios/santiago/servicios/licencia-construccion")
    assert texts(page, "//h1") == ["Licencia de construcción"]
    assert texts(page, "//nav[@class='breadcrumbs']//li") == [
        "Inicio",
        "Santiago de los Caballeros",
        "Licencia de construcción",
    ]
    rows = dict(zip(texts(page, "//dt"), texts(page, "//dd"), strict=False))
    assert rows["Costo"] == "RD$ 50,000.00"
    assert rows["Tiempo habitual"] == "30 días laborables"
    assert rows["Gobierno local"] == "Santiago de los Caballeros"
    requirements = texts(page, "//h2[.='Qué necesita']/following-sibling::ul[1]/li")
    assert "Certificado de uso de suelo" in requirements
    channels = texts(page, "//h2[.='Dónde puede hacerlo']/following-sibling::ul[1]/li")
    assert channels == ["Presencial, en las oficinas municipales", "En línea"]
    legal = texts(page, "//h2[.='Base legal']/following-sibling::p[1]")
    assert legal == ["Ley núm. 675-44 sobre Urbanización, Ornato Público y Construcciones"]
    assert "Datos de demostración" in texts(page, "//h2")


def test_a_free_service_says_free(client: httpx.Client) -> None:
    page = get(client, "/municipios/manabao/servicios/ayuda-social")
    rows = dict(zip(texts(page, "//dt"), texts(page, "//dd"), strict=False))
    assert rows["Costo"] == "Gratis"
    english = get(client, "/municipios/manabao/servicios/ayuda-social", **{"Accept-Language": "en"})
    rows = dict(zip(texts(english, "//dt"), texts(english, "//dd"), strict=False))
    assert rows["Cost"] == "Free"


# Not found


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/municipios/no-existe", "Municipio no encontrado"),
        ("/municipios/NO_VALIDO", "Municipio no encontrado"),
        ("/municipios/santiago/servicios/no-existe", "Servicio no encontrado"),
    ],
)
def test_unknown_pages_are_404_in_the_layout(client: httpx.Client, url: str, heading: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    page = parse(response.text)
    assert texts(page, "//h1") == [heading]
    assert page.xpath("//header") and page.xpath("//footer")
    assert page.xpath("//main//a[@href='/']")


def test_an_unknown_service_links_back_to_its_municipality(client: httpx.Client) -> None:
    response = client.get("/municipios/santiago/servicios/no-existe")
    page = parse(response.text)
    assert page.xpath("//main//a[@href='/municipios/santiago']")


def test_404_in_english(client: httpx.Client) -> None:
    response = client.get("/municipios/no-existe", headers={"Accept-Language": "en-GB,en"})
    assert response.status_code == 404
    page = parse(response.text)
    assert page.get("lang") == "en"
    assert texts(page, "//h1") == ["Municipality not found"]


# Language and view


def test_accept_language_chooses_english(client: httpx.Client) -> None:
    page = get(client, "/", **{"Accept-Language": "en-US,en;q=0.9,es;q=0.8"})
    assert page.get("lang") == "en"
    assert texts(page, "//h1") == ["Find your local government"]
    switch = page.xpath("//header//a[@hreflang='es-DO']")[0]
    assert (text_of(switch), switch.get("lang"), switch.get("href")) == (
        "Español",
        "es-DO",
        "/?lang=es",
    )


def test_the_language_switch_is_remembered(client: httpx.Client) -> None:
    response = client.get("/municipios/santiago?q=licencia&lang=en")
    assert response.headers["vary"] == "Accept-Language, Cookie"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=en;")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert parse(response.text).get("lang") == "en"
    # The switch back keeps the search and only changes the language.
    switch = parse(response.text).xpath("//header//a[@hreflang='es-DO']/@href")
    assert switch == ["/municipios/santiago?q=licencia&lang=es"]
    # The cookie now wins over the browser's Spanish.
    page = get(client, "/", **{"Accept-Language": "es-DO"})
    assert page.get("lang") == "en"


def test_an_unknown_language_is_ignored(client: httpx.Client) -> None:
    response = client.get("/?lang=fr")
    assert "set-cookie" not in response.headers
    assert parse(response.text).get("lang") == "es-DO"


def test_the_simplified_view_is_remembered(client: httpx.Client) -> None:
    response = client.get("/municipios/santiago/servicios/licencia-construccion?vista=simple")
    assert response.headers["set-cookie"].startswith("vista=simple;")
    page = parse(response.text)
    assert page.get("class") == "view-simple"
    assert any("simple.css" in href for href in page.xpath("//link[@rel='stylesheet']/@href"))
    # Label/value pairs become plain lines; no description lists, no tables.
    assert page.xpath("//dl | //table") == []
    assert "Costo: RD$ 50,000.00" in texts(page, "//ul[contains(@class, 'summary-lines')]/li")
    switch = page.xpath("//header//a[not(@hreflang)][contains(@href, 'vista=')]")[0]
    assert (text_of(switch), switch.get("href")) == (
        "Vista completa",
        "/municipios/santiago/servicios/licencia-construccion?vista=completa",
    )
    # The language switch keeps the view for browsers without cookies.
    assert page.xpath("//header//a[@hreflang='en']/@href") == [
        "/municipios/santiago/servicios/licencia-construccion?vista=simple&lang=en"
    ]
    later = get(client, "/municipios/santiago")
    assert later.get("class") == "view-simple"
    assert later.xpath("//dl") == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_both_views_show_the_same_text(
    client: httpx.Client, example: ExampleURL, demo_sessions: Mapping[str, str]
) -> None:
    """The simplified view rearranges; it never drops information."""

    def words(view: str) -> list[str]:
        headers = example_headers(example, demo_sessions, vista=view)
        page = parse(client.get(example.url, headers=headers).text)
        for chrome in page.xpath("//header | //head"):
            chrome.drop_tree()
        return sorted(re.findall(r"\w+", text_of(page)))

    assert words("simple") == words("completa")
