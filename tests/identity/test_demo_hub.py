"""`planasmun serve` as the README runs it: the demo starts its own OpenID provider, and
a citizen signs in through it and sees their name in the header of every page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

SPANISH = {"Accept-Language": "es-DO"}


@pytest.fixture
def browser(live_hub: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_hub, headers={"Accept": "text/html"}, timeout=10) as http:
        yield http


def test_a_citizen_signs_in_through_the_demo_provider(browser: httpx.Client) -> None:
    home = browser.get("/", headers=SPANISH)
    assert 'href="/entrar"' in home.text
    assert ">Iniciar sesión<" in home.text

    authorize = browser.get("/entrar?siguiente=/municipios/santiago").headers["location"]
    assert authorize.startswith("http://127.0.0.1:")
    form = browser.get(authorize)
    assert "Cuentas de demostración" in form.text
    callback = browser.post(
        authorize, data={"usuario": "maria", "contrasena": "demo1234", "accion": "entrar"}
    ).headers["location"]
    landed = browser.get(callback)
    assert landed.status_code == 303
    assert landed.headers["location"] == "/municipios/santiago"

    page = browser.get("/municipios/santiago", headers=SPANISH)
    assert "Sesión de María Altagracia Pérez" in page.text
    assert ">Cerrar sesión<" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    english = browser.get("/municipios/santiago", headers={"Accept-Language": "en"})
    assert "Signed in as María Altagracia Pérez" in english.text


def test_the_api_refuses_a_bad_token_with_401(live_hub: str) -> None:
    response = httpx.post(
        f"{live_hub}/graphql",
        json={"query": "{ municipalities { id } }"},
        headers={"Authorization": "Bearer esto-no-es-un-jwt"},
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json()["errors"][0]["extensions"]["reason"] == "malformed"
