"""The real OpenID Connect flow over HTTP: hub → provider's form → callback → session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gateway.identity import Identity
from gateway.identity.sessions import SESSION_COOKIE
from tests.identity.conftest import Hub
from tests.identity.support import identity_settings

SPANISH = {"Accept-Language": "es-DO,es;q=0.9"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def browser(hub: Hub) -> Iterator[httpx.Client]:
    """Like a browser: asks for HTML and keeps cookies; redirects are followed by hand."""
    with httpx.Client(base_url=hub.url, headers={"Accept": "text/html"}, timeout=10) as http:
        yield http


def start_login(browser: httpx.Client, hub: Hub, path: str = "/entrar") -> str:
    """GET /entrar: the provider's authorization URL."""
    response = browser.get(path)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(f"{hub.provider.issuer}/authorize?")
    return location


def submit_form(browser: httpx.Client, authorize_url: str, username: str) -> str:
    """The provider's form, filled in: the callback URL it redirects to."""
    response = browser.post(
        authorize_url,
        data={"usuario": username, "contrasena": "demo1234", "accion": "entrar"},
    )
    assert response.status_code == 302, response.text
    return response.headers["location"]


def sign_in(browser: httpx.Client, hub: Hub, username: str) -> httpx.Response:
    callback = submit_form(browser, start_login(browser, hub), username)
    response = browser.get(callback)
    assert response.status_code == 303, response.text
    return response


def _set_cookie(response: httpx.Response) -> str:
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("sesion=")]
    return cookie


def test_login_redirects_to_the_provider_with_state_nonce_and_pkce(
    browser: httpx.Client, hub: Hub
) -> None:
    response = browser.get("/entrar")
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["planasmun-web"]
    assert query["redirect_uri"] == [f"{hub.url}/entrar/callback"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"][0])
    assert "code_verifier" not in query
    # State, nonce and verifier wait in the signed cookie, which scripts cannot read.
    cookie = _set_cookie(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP here; see the HTTPS test
    assert response.headers["cache-control"] == "no-store"


def test_the_whole_flow_signs_in_and_out(browser: httpx.Client, hub: Hub) -> None:
    authorize = start_login(browser, hub, "/entrar?siguiente=/municipios/santiago")
    form = browser.get(authorize)
    assert form.status_code == 200
    assert 'lang="es-DO"' in form.text
    callback = submit_form(browser, authorize, "maria")
    assert callback.startswith(f"{hub.url}/entrar/callback?code=")

    response = browser.get(callback)
    assert response.status_code == 303
    assert response.headers["location"] == "/municipios/santiago"
    cookie = _set_cookie(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "max-age=28800" in cookie

    page = browser.get("/salir", headers=SPANISH)
    assert page.status_code == 200
    assert "María Altagracia Pérez" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert browser.get("/_whoami").json()["kind"] == "citizen"

    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    out = browser.post("/salir", data={"csrf": csrf.group(1)})
    assert out.status_code == 303
    assert out.headers["location"] == "/salir"
    assert _set_cookie(out).startswith("sesion=null;")
    assert browser.get("/_whoami").json()["kind"] == "anonymous"
    assert "María" not in browser.get("/salir").text


def test_the_session_holds_the_principal_and_no_token(browser: httpx.Client, hub: Hub) -> None:
    import base64
    import json

    sign_in(browser, hub, "ana")
    payload = browser.cookies[SESSION_COOKIE].split(".")[0]
    session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(session) == {"principal", "iss", "csrf"}
    assert session["principal"] == {
        "sub": "demo-personal-0003",
        "name": "Ana Mercedes Castillo",
        "kind": "staff",
        "roles": {"santo-domingo-este": ["agent"]},
    }
    assert "eyJ" not in json.dumps(session)  # no JWT of any kind


def test_signing_in_with_the_cedula(browser: httpx.Client, hub: Hub) -> None:
    sign_in(browser, hub, "001-1234567-8")
    assert browser.get("/_whoami").json()["subject"] == "demo-ciudadana-0001"


def test_a_forged_state_is_refused_with_a_clear_page(browser: httpx.Client, hub: Hub) -> None:
    callback = submit_form(browser, start_login(browser, hub), "maria")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    forged = browser.get(
        "/entrar/callback", params={"code": code, "state": "otro"}, headers=SPANISH
    )
    assert forged.status_code == 400
    assert "No pudimos iniciar su sesión" in forged.text
    assert "no se inició en este navegador" in forged.text
    assert 'href="/entrar"' in forged.text
    english = browser.get("/entrar/callback", params={"code": code, "state": "x"}, headers=ENGLISH)
    assert "We could not sign you in" in english.text
    assert browser.get("/_whoami").json()["kind"] == "anonymous"


def test_a_callback_from_another_browser_is_refused(browser: httpx.Client, hub: Hub) -> None:
    """Login CSRF: the attacker's own callback URL, opened in the victim's browser."""
    with httpx.Client(base_url=hub.url, timeout=10) as attacker:
        callback = submit_form(attacker, start_login(attacker, hub), "luis")
    victim = browser.get(callback, headers=SPANISH)
    assert victim.status_code == 400
    assert browser.get("/_whoami").json()["kind"] == "anonymous"


def test_a_replayed_callback_is_refused(browser: httpx.Client, hub: Hub) -> None:
    callback = submit_form(browser, start_login(browser, hub), "juan")
    assert browser.get(callback).status_code == 303
    browser.cookies.clear()
    assert browser.get(callback, headers=SPANISH).status_code == 400


def test_a_replayed_code_is_refused_by_the_provider(browser: httpx.Client, hub: Hub) -> None:
    """The same code under a fresh login of this browser: the provider says no."""
    first = submit_form(browser, start_login(browser, hub), "juan")
    assert browser.get(first).status_code == 303
    old_code = parse_qs(urlsplit(first).query)["code"][0]
    calls = hub.provider.provider.calls.get("POST /token", 0)

    fresh = parse_qs(urlsplit(start_login(browser, hub)).query)["state"][0]
    replay = browser.get(
        "/entrar/callback", params={"code": old_code, "state": fresh}, headers=SPANISH
    )
    assert replay.status_code == 400
    assert "no aceptó este inicio de sesión" in replay.text
    assert hub.provider.provider.calls["POST /token"] == calls + 1


def test_cancelling_at_the_provider(browser: httpx.Client, hub: Hub) -> None:
    authorize = start_login(browser, hub)
    cancelled = browser.post(authorize, data={"accion": "cancelar"})
    assert cancelled.status_code == 302
    page = browser.get(cancelled.headers["location"], headers=SPANISH)
    assert page.status_code == 400
    assert "No inició sesión" in page.text


def test_a_wrong_password_stays_on_the_form(browser: httpx.Client, hub: Hub) -> None:
    authorize = start_login(browser, hub)
    response = browser.post(
        authorize, data={"usuario": "maria", "contrasena": "incorrecta", "accion": "entrar"}
    )
    assert response.status_code == 200
    assert "El usuario o la contraseña no son correctos." in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="maria"' in response.text  # nothing typed is lost


def test_only_local_paths_are_followed_after_login(browser: httpx.Client, hub: Hub) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        authorize = start_login(browser, hub, f"/entrar?siguiente={target}")
        response = browser.get(submit_form(browser, authorize, "maria"))
        assert response.headers["location"] == "/"


def test_logout_needs_the_csrf_token(browser: httpx.Client, hub: Hub) -> None:
    sign_in(browser, hub, "pedro")
    for data in ({}, {"csrf": "adivinado"}):
        refused = browser.post("/salir", data=data, headers=SPANISH)
        assert refused.status_code == 400
        assert "Vuelva a intentarlo" in refused.text
    assert browser.get("/_whoami").json()["kind"] == "staff"


def test_a_tampered_cookie_is_ignored(browser: httpx.Client, hub: Hub) -> None:
    sign_in(browser, hub, "maria")
    value = browser.cookies[SESSION_COOKIE]
    browser.cookies.clear()
    browser.cookies.set(SESSION_COOKIE, "x" + value)
    assert browser.get("/_whoami").json()["kind"] == "anonymous"


def test_the_signed_out_page_offers_to_sign_in(browser: httpx.Client) -> None:
    page = browser.get("/salir", headers=SPANISH)
    assert page.status_code == 200
    assert "No ha iniciado sesión" in page.text
    assert 'href="/entrar"' in page.text


async def test_the_cookie_is_secure_behind_https(hub: Hub) -> None:
    from starlette.applications import Starlette

    from gateway.identity.login import login_routes

    identity = Identity(identity_settings(hub.provider.issuer), behind_https=True, demo=True)

    app = Starlette(routes=login_routes(identity), middleware=identity.middleware())
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://hub.example") as http:
            response = await http.get("/entrar")
        assert response.status_code == 302
        cookie = _set_cookie(response).lower()
        assert "; secure" in cookie
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
    finally:
        await identity.aclose()


async def test_login_without_a_provider_explains_itself() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from gateway.identity.login import login_routes
    from web.templating import STATIC_DIR, STATIC_ROUTE

    identity = Identity(identity_settings(None), demo=True)

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse("")

    app = Starlette(
        routes=[
            *login_routes(identity),
            Route("/", home, name="home"),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name=STATIC_ROUTE),
        ],
        middleware=identity.middleware(),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub", headers=ENGLISH
    ) as http:
        response = await http.get("/entrar")
    assert response.status_code == 503
    assert "Sign-in is not available" in response.text
