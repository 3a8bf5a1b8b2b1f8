"""The statistics page in real Chromium: with JavaScript on it follows
`transactionFiguresChanged` over the hub's WebSocket, says its figures are kept up to
date, and announces an update (in a polite live region) when a request is submitted;
with JavaScript off it says the figures are as of its load time and nothing moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.privacy.support import graphql, sign_in
from tests.requests.support import SUBMIT, request_input

pytestmark = pytest.mark.browser

URL = "/municipios/santo-domingo-este/estadisticas?periodo=hoy"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def maria(live_hub: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_hub, timeout=20) as client:
        sign_in(client, "maria")
        yield client


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
def test_the_figures_follow_a_submitted_request_with_javascript_only(
    chromium: Any, live_hub: str, maria: httpx.Client, javascript: bool
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(
        base_url=live_hub, java_script_enabled=javascript, locale="es-DO"
    )
    try:
        page = context.new_page()
        page.goto(URL)
        as_of = page.locator("#cifras-al")
        live = page.locator("#cifras-anuncio")
        assert live.get_attribute("aria-live") == "polite"
        if javascript:
            page.wait_for_selector("#estadisticas[data-en-vivo-activo='si']", timeout=10_000)
            expect(as_of).to_contain_text("mientras esta página esté abierta", timeout=10_000)
        else:
            assert "cuando se cargó esta página" in as_of.inner_text()
        body = graphql(maria, SUBMIT, input=request_input())
        assert "errors" not in body, body
        if javascript:
            expect(live).to_contain_text("Las cifras se actualizaron", timeout=10_000)
            assert page.locator("#cifras-refrescar").is_hidden()
        else:
            page.wait_for_timeout(500)
            assert "cuando se cargó esta página" in as_of.inner_text()
            assert live.inner_text() == ""
            assert page.locator("#cifras-refrescar").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("query", ["", "&lang=en", "&vista=simple", "&lang=en&vista=simple"])
def test_a_table_with_rows_passes_axe_once_live(
    chromium: Any, live_hub: str, maria: httpx.Client, axe: Any, query: str
) -> None:
    # axe is a script: it audits the page as JavaScript leaves it (without JavaScript the
    # markup is the same, only the texts of the cells and of the date are not rewritten).
    body = graphql(maria, SUBMIT, input=request_input())
    assert "errors" not in body, body
    context = chromium.new_context(base_url=live_hub)
    try:
        page = context.new_page()
        page.goto(URL + query)
        assert page.locator("table tbody tr").count() >= 1
        page.wait_for_selector("#estadisticas[data-en-vivo-activo='si']", timeout=10_000)
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
