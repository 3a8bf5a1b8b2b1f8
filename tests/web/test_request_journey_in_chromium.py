"""The request journey in real Chromium with the keyboard alone, from the home page to the
confirmation page, with JavaScript off and on; then the tracking page, which shows the
status staff set through the GraphQL API: live (announced in a polite live region) with
JavaScript, after pressing its refresh link without."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.identity.sessions import SESSION_COOKIE
from tests.privacy.support import graphql, sign_in
from tests.web.requests_support import CHANGE_STATUS, FORM_URL
from web.request_pages import DEMO_MUNICIPALITY, DEMO_SERVICE

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
SERVICE_URL = f"/municipios/{DEMO_MUNICIPALITY}/servicios/{DEMO_SERVICE}"

_FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    return {
        tag: e.tagName.toLowerCase(),
        id: e.id,
        href: e.getAttribute('href'),
        name: e.getAttribute('name'),
        value: e.getAttribute('value'),
        type: e.getAttribute('type'),
        cls: e.className,
        text: (e.textContent || '').trim().replace(/\\s+/g, ' '),
    };
}"""


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class Keyboard:
    """A person with a keyboard: Tab until the wanted control has focus, then a key."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def focused(self) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.page.evaluate(_FOCUSED)
        return found

    def tab_to(self, **wanted: str) -> dict[str, Any]:
        seen = []
        for _ in range(120):
            self.page.keyboard.press("Tab")
            state = self.focused()
            seen.append(state)
            if state is not None and all(
                (state.get(key) or "") == value
                if key != "text"
                else value in (state.get("text") or "")
                for key, value in wanted.items()
            ):
                return state
        raise AssertionError(f"Tab never reached {wanted}; went through {seen[:40]}")

    def follow(self, key: str = "Enter", **wanted: str) -> None:
        """Tab to a link or button and press it; wait for the next page."""
        self.tab_to(**wanted)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def type_into(self, text: str, **wanted: str) -> None:
        self.tab_to(**wanted)
        self.page.keyboard.type(text)


def _heading(page: Any) -> str:
    return str(page.locator("h1").inner_text()).strip()


@pytest.fixture
def staff(live_hub: str) -> Iterator[httpx.Client]:
    """Ana, agent of Santo Domingo Este, signed in for the GraphQL API."""
    with httpx.Client(base_url=live_hub, timeout=20) as client:
        sign_in(client, "ana")
        yield client


def _change_status(staff: httpx.Client, number: str, status: str, note: str) -> None:
    body = graphql(staff, CHANGE_STATUS, number=number, status=status, note=note)
    assert "errors" not in body, body
    assert body["data"]["changeServiceRequestStatus"]["status"] == status


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
def test_a_keyboard_alone_sends_a_request_and_follows_it(
    chromium: Any, live_hub: str, staff: httpx.Client, axe: Any, javascript: bool
) -> None:
    context = chromium.new_context(
        base_url=live_hub,
        viewport={"width": 1280, "height": 900},
        locale="es-DO",
        java_script_enabled=javascript,
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        keys = Keyboard(page)
        page.goto("/")

        # Find the local government, the service, and its online request.
        keys.follow(href=f"/municipios/{DEMO_MUNICIPALITY}")
        keys.follow(href=SERVICE_URL)
        keys.follow(text="Solicitar en línea")
        assert "Antes de empezar" in page.locator("main").inner_text()
        keys.follow(text="Iniciar sesión y empezar")

        # The provider's sign-in form, then straight back to the first question.
        keys.type_into("maria", id="usuario")
        keys.type_into("demo1234", id="contrasena")
        with page.expect_navigation(url=f"**{SERVICE_URL}/solicitar/formulario**"):
            page.keyboard.press("Enter")
        assert _heading(page) == "¿Qué necesita?"

        # Continue without an answer: the error summary takes the focus and leads to the field.
        keys.follow(tag="button", value="continuar")
        assert page.title().startswith("Error:")
        assert (keys.focused() or {}).get("cls") == "error-summary"
        if javascript:  # axe is a script: it cannot run where scripts are off
            axe_results = axe.run(page, options=AXE_OPTIONS)
            assert axe_results.violations_count == 0, axe_results.generate_report()
        keys.tab_to(href="#descripcion")
        page.keyboard.press("Enter")
        assert (keys.focused() or {}).get("id") == "descripcion"
        page.keyboard.type("Escombros de una obra en la acera desde hace una semana")
        keys.follow(tag="button", value="continuar")

        # The service's own questions: a radio group (arrow keys choose) and a number.
        assert _heading(page) == "Sobre su solicitud"
        first = keys.tab_to(tag="input", type="radio")
        page.keyboard.press("Space")
        assert page.locator(f"#{first['id']}").is_checked()
        keys.follow(tag="button", value="continuar")

        # Where: an address, no coordinates.
        assert _heading(page) == "¿Dónde es?"
        keys.type_into("Calle Las Palmas 7, Los Mina", id="direccion")
        keys.follow(tag="button", value="continuar")

        # Consent, with its purpose.
        assert _heading(page) == "Cómo se usarán sus datos"
        keys.tab_to(id="consentimiento")
        page.keyboard.press("Space")
        keys.follow(tag="button", value="continuar")

        # Check the answers, then send.
        assert _heading(page) == "Revise sus respuestas antes de enviar la solicitud"
        main = page.locator("main").inner_text()
        assert "Escombros de una obra" in main and "Calle Las Palmas 7" in main
        keys.follow(tag="button", value="enviar")

        # The confirmation: the tracking number, large, and the expected date.
        assert _heading(page) == "Solicitud enviada"
        number = page.locator(".tracking-number").inner_text().strip()
        assert number.startswith("SDE-")
        assert page.url.endswith(f"/seguimiento/{number}/confirmacion")
        assert page.locator("main time[datetime]").count() == 1

        # Tracking: staff change the status through the API.
        keys.follow(text="Ver el estado de esta solicitud")
        assert _heading(page) == f"Solicitud {number}"
        status = page.locator("#estado-actual")
        assert status.inner_text() == "Recibida"
        if javascript:
            page.wait_for_selector("#seguimiento[data-en-vivo='si']", timeout=10_000)
        _change_status(staff, number, "EN_REVISION", "Revisando la ubicación indicada")
        if javascript:
            from playwright.sync_api import expect

            # Locators wait outside the page: the page's CSP forbids evaluating strings.
            expect(status).to_have_text("En revisión", timeout=10_000)
            live = page.locator("#estado-anuncio")
            assert live.get_attribute("aria-live") == "polite"
            assert "En revisión" in live.inner_text()
            assert (
                "Revisando la ubicación indicada" in page.locator("#estado-historial").inner_text()
            )
        else:
            assert status.inner_text() == "Recibida"  # a plain page: nothing moves by itself
            keys.follow(text="Recargue esta página")
            assert page.locator("#estado-actual").inner_text() == "En revisión"
            assert "Revisando la ubicación indicada" in page.locator("main").inner_text()
    finally:
        context.close()


#: (step, what to type before pressing Continue) for a page showing errors.
_WRONG_ANSWERS = [
    ("descripcion", {}),
    ("datos", {"#campo-volumen_semanal": "muchas"}),
    ("ubicacion", {"#latitud": "norte"}),
    ("consentimiento", {}),
]


@pytest.mark.parametrize("view", ["completa", "simple"])
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_step_showing_errors_passes_axe(
    chromium: Any, live_hub: str, axe: Any, language: str, view: str
) -> None:
    """The audit of `web.routing` examples sees each step as first shown (GET); this sees
    each step after a wrong answer (the POST's page), in both languages and views."""
    with httpx.Client(base_url=live_hub, timeout=20) as client:
        session = sign_in(client, "maria")
    context = chromium.new_context(base_url=live_hub, viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {"name": name, "value": value, "url": live_hub}
            for name, value in (("lang", language), ("vista", view), (SESSION_COOKIE, session))
        ]
    )
    try:
        page = context.new_page()
        for step, typed in _WRONG_ANSWERS:
            page.goto(f"{FORM_URL}?paso={step}")
            for selector, text in typed.items():
                page.locator(selector).fill(text)
            with page.expect_navigation():
                page.locator("button[value='continuar']").click()
            assert page.locator(".error-summary a").count() >= 1, step
            results = axe.run(page, options=AXE_OPTIONS)
            assert results.violations_count == 0, f"{step}\n{results.generate_report()}"
    finally:
        context.close()
