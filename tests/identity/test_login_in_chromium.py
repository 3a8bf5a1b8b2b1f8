"""The login form in real Chromium: axe-core finds no WCAG 2.2 AA violation, paste works
(WCAG 2.2 3.3.8 Accessible Authentication: no puzzle, no copy blocking), and a person
can sign in with the keyboard and land back on the hub, signed in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.identity.conftest import Hub

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def page(chromium: Any, hub: Hub) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=hub.url, viewport={"width": 1280, "height": 900}, locale="es-DO"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hub.provider.issuer)
    try:
        yield context.new_page()
    finally:
        context.close()


def _no_violations(axe: Any, page: Any) -> None:
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _open_login_form(page: Any, hub: Hub, path: str = "/entrar") -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert page.url.startswith(f"{hub.provider.issuer}/authorize?")
    assert page.evaluate("document.documentElement.lang") == "es-DO"
    assert page.locator("h1").count() == 1


def test_the_login_form_passes_axe(page: Any, hub: Hub, axe: Any) -> None:
    _open_login_form(page, hub)
    _no_violations(axe, page)


def test_the_login_form_with_an_error_passes_axe(page: Any, hub: Hub, axe: Any) -> None:
    _open_login_form(page, hub)
    page.get_by_label("Usuario o cédula").fill("maria")
    page.get_by_label("Contraseña").fill("no-es-esta")
    page.get_by_role("button", name="Iniciar sesión").click()
    assert page.title().startswith("Error:")
    summary = page.get_by_role("alert")
    assert "no son correctos" in summary.inner_text()
    # The summary links to the field, which keeps what was typed.
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "usuario"
    assert page.get_by_label("Usuario o cédula").input_value() == "maria"
    _no_violations(axe, page)


def test_a_password_can_be_pasted(page: Any, hub: Hub) -> None:
    _open_login_form(page, hub)
    password = page.get_by_label("Contraseña")
    assert password.get_attribute("autocomplete") == "current-password"
    assert password.get_attribute("onpaste") is None
    page.evaluate("navigator.clipboard.writeText('demo1234')")
    password.focus()
    page.keyboard.press("Control+V")
    assert password.input_value() == "demo1234"


def test_signing_in_with_the_keyboard_returns_to_the_hub(page: Any, hub: Hub, axe: Any) -> None:
    _open_login_form(page, hub, "/entrar?siguiente=/salir")
    page.get_by_label("Usuario o cédula").focus()
    page.keyboard.type("carmen")
    page.keyboard.press("Tab")
    page.keyboard.type("demo1234")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{hub.url}/salir")
    assert "Carmen Rosa Tavárez" in page.locator("main").inner_text()
    _no_violations(axe, page)
    # Signing out is a button on that page.
    page.locator("main").get_by_role("button").click()
    page.wait_for_url(f"{hub.url}/salir")
    assert "Carmen" not in page.content()
    _no_violations(axe, page)
