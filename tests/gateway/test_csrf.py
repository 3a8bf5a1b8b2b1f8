"""CSRF: a form posted without the session's token is refused with an accessible page; with
it, it goes through untouched. JSON GraphQL needs no token, GraphQL over GET runs no
mutation, and the real hub's sign-out form keeps working."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from gateway.csrf import CSRFMiddleware
from gateway.identity import Identity
from tests.identity.conftest import Hub
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve
from tests.identity.test_login import sign_in
from web.csrf import SESSION_KEY as CSRF_KEY
from web.csrf import checks_own_token, csrf_field, csrf_matches
from web.templating import default_renderer

FORM = Environment(autoescape=True)
FORM.globals["csrf_field"] = csrf_field
FORM_PAGE = FORM.from_string(
    '<form method="post" action="/sugerencias">{{ csrf_field() }}'
    '<label for="t">Texto</label><textarea id="t" name="texto"></textarea></form>'
)


async def form_page(request: Request) -> Response:
    return HTMLResponse(FORM_PAGE.render(request=request))


async def receive_form(request: Request) -> Response:
    """What the app got: the body reaches it unchanged after the check read it."""
    async with request.form() as form:
        fields = {name: str(value) for name, value in form.items() if isinstance(value, str)}
    return JSONResponse({"received": fields})


async def receive_body(request: Request) -> Response:
    return JSONResponse({"body": (await request.body()).decode()})


@checks_own_token
async def own_check(request: Request) -> Response:
    """Checks the token itself: a stale one gets the form again (here, a 400)."""
    async with request.form() as form:
        if not csrf_matches(request.session, form.get("csrf_token")):
            return JSONResponse({"problem": "El formulario caducó"}, status_code=400)
    return JSONResponse({"ok": True})


def small_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/sugerencias", form_page),
            Route("/sugerencias", receive_form, methods=["POST", "PUT", "PATCH", "DELETE"]),
            Route("/crudo", receive_body, methods=["POST", "DELETE"]),
            Route("/propio", own_check, methods=["POST"]),
        ],
        middleware=[
            Middleware(SessionMiddleware, secret_key="clave-de-prueba-" * 3),
            Middleware(CSRFMiddleware),
        ],
    )


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=small_app()),
        base_url="http://hub",
        headers={"Accept": "text/html"},
    ) as client:
        yield client


async def _token(browser: httpx.AsyncClient) -> str:
    page = await browser.get("/sugerencias")
    found = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', page.text)
    assert found is not None, page.text
    return found.group(1)


async def test_a_form_without_the_token_gets_an_accessible_spanish_page(
    browser: httpx.AsyncClient,
) -> None:
    await _token(browser)  # the session exists, and holds a token
    for data in ({"texto": "hola"}, {"texto": "hola", "csrf_token": "adivinado"}):
        refused = await browser.post("/sugerencias", data=data)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "text/html; charset=utf-8"
        assert refused.headers["cache-control"] == "no-store"
        page = refused.text
        assert '<html lang="es-DO">' in page
        assert page.count("<h1>") == 1 and "<main>" in page
        assert "<title>No se pudo enviar el formulario — PLANASMUN</title>" in page
        assert "recárguela y envíe el formulario otra vez" in page
        assert '<section lang="en"' in page  # the English words, marked as such
        assert "adivinado" not in page


async def test_the_page_is_english_when_the_browser_prefers_it(browser: httpx.AsyncClient) -> None:
    refused = await browser.post(
        "/sugerencias", data={"texto": "hi"}, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert refused.status_code == 403
    assert '<html lang="en">' in refused.text
    assert "<h1>The form could not be sent</h1>" in refused.text
    assert '<section lang="es-DO"' in refused.text


async def test_api_clients_asking_for_json_get_json(browser: httpx.AsyncClient) -> None:
    refused = await browser.post(
        "/sugerencias", data={"texto": "x"}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 403
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "CSRF_TOKEN_INVALID"
    assert "formularios" in error["extensions"]["es"] and "forms" in error["extensions"]["en"]


async def test_with_the_token_the_form_goes_through_whole(browser: httpx.AsyncClient) -> None:
    token = await _token(browser)
    sent = {"texto": "La calle 5 está oscura", "csrf_token": token}
    answer = await browser.post("/sugerencias", data=sent)
    assert answer.status_code == 200
    assert answer.json() == {"received": sent}
    multipart = await browser.post(
        "/sugerencias", data=sent, files={"foto": ("foto.txt", b"bytes", "text/plain")}
    )
    assert multipart.status_code == 200
    assert multipart.json() == {"received": sent}
    for method in ("PUT", "PATCH", "DELETE"):
        other = await browser.request(method, "/sugerencias", data=sent)
        assert other.status_code == 200, method


async def test_the_token_may_come_in_a_header(browser: httpx.AsyncClient) -> None:
    token = await _token(browser)
    ok = await browser.post(
        "/crudo",
        content=b"texto=hola",
        headers={"X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert ok.status_code == 200 and ok.json() == {"body": "texto=hola"}
    wrong = await browser.post("/crudo", content=b"x", headers={"X-CSRF-Token": token + "x"})
    assert wrong.status_code == 403


async def test_what_a_form_can_send_needs_the_token(browser: httpx.AsyncClient) -> None:
    await _token(browser)
    # text/plain (a form's third enctype: the GraphQL CSRF classic) and a body-less POST.
    plain = await browser.post(
        "/crudo", content=b'{"query": "mutation"}', headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 403
    assert (await browser.post("/crudo")).status_code == 403
    # PUT/PATCH/DELETE without a form body reach another site only after a preflight.
    assert (await browser.delete("/crudo")).status_code == 200


async def test_what_no_form_can_send_needs_no_token(browser: httpx.AsyncClient) -> None:
    assert (await browser.post("/crudo", json={"query": "{ a }"})).status_code == 200
    for credentials in ({"Authorization": "Bearer abc"}, {"X-Api-Key": "pm_x"}):
        answer = await browser.post("/crudo", data={"texto": "x"}, headers=credentials)
        assert answer.status_code == 200
    # Basic credentials are attached by browsers by themselves: they do not count.
    basic = await browser.post(
        "/crudo", data={"texto": "x"}, headers={"Authorization": "Basic dTpw"}
    )
    assert basic.status_code == 403
    assert (await browser.get("/sugerencias")).status_code == 200


async def test_a_handler_may_check_the_token_itself(browser: httpx.AsyncClient) -> None:
    token = await _token(browser)
    stale = await browser.post("/propio", data={"csrf_token": "viejo"})
    assert stale.status_code == 400 and stale.json() == {"problem": "El formulario caducó"}
    assert (await browser.post("/propio", data={"csrf_token": token})).json() == {"ok": True}


async def test_the_older_forms_field_name_is_accepted(browser: httpx.AsyncClient) -> None:
    """`csrf`, the name the sign-out and citizen's data forms were written with."""
    token = await _token(browser)
    answer = await browser.post("/sugerencias", data={"csrf": token, "texto": "x"})
    assert answer.status_code == 200
    assert (await browser.post("/sugerencias", data={"csrf": "x"})).status_code == 403


async def test_a_session_without_a_token_refuses_every_form() -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=small_app()), base_url="http://hub"
    ) as fresh:
        refused = await fresh.post("/sugerencias", data={"csrf_token": ""})
    assert refused.status_code == 403


def test_csrf_field_is_registered_in_the_web_clients_templates() -> None:
    request = Request({"type": "http", "session": {}, "headers": [], "method": "GET"})
    for environment in default_renderer().environments.values():
        template = environment.from_string("{{ csrf_field(request) }}")
        html = template.render(request=request)
        token = request.session[CSRF_KEY]
        assert html == f'<input type="hidden" name="csrf_token" value="{token}">'

    @dataclasses.dataclass
    class Page:
        request: Request

    # In a page, the layout (`page`) carries the request.
    assert "csrf_token" in FORM.from_string("{{ csrf_field() }}").render(page=Page(request))


# --- the real hub ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="module")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    app, identity = hub_app(tmp_path_factory.mktemp("csrf-hub"), identity_settings(provider.issuer))
    assert isinstance(identity, Identity)
    with serve(app) as url:
        yield Hub(url, identity, provider)


@pytest.fixture
def hub_browser(hub: Hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, headers={"Accept": "text/html"}, timeout=10) as http:
        yield http


def test_the_sign_out_form_keeps_working(hub_browser: httpx.Client, hub: Hub) -> None:
    sign_in(hub_browser, hub, "maria")
    page = hub_browser.get("/salir")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    # Its handler checks the token itself: a stale one gets the sign-out page again.
    stale = hub_browser.post("/salir", data={"csrf": "viejo"})
    assert stale.status_code == 400
    assert hub_browser.get("/_whoami").json()["kind"] == "citizen"
    out = hub_browser.post("/salir", data={"csrf": found.group(1)})
    assert out.status_code == 303
    assert hub_browser.get("/_whoami").json()["kind"] == "anonymous"


def test_the_hubs_forms_need_the_sessions_token(hub_browser: httpx.Client, hub: Hub) -> None:
    sign_in(hub_browser, hub, "juan")
    token = re.search(r'name="csrf" value="([^"]+)"', hub_browser.get("/salir").text)
    assert token is not None
    refused = hub_browser.post("/", data={"q": "x"})
    assert refused.status_code == 403
    assert "No se pudo enviar el formulario" in refused.text
    # With the token the request reaches the app (whose home page takes no POST).
    assert hub_browser.post("/", data={"csrf_token": token.group(1)}).status_code == 405


def test_graphql_takes_json_without_a_token_and_no_form(hub_browser: httpx.Client) -> None:
    query = '{"query": "{ municipalities { id } }"}'
    as_json = hub_browser.post(
        "/graphql", content=query, headers={"Content-Type": "application/json"}
    )
    assert as_json.status_code == 200
    # What a page on another site could make a browser send to the API.
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        forged = hub_browser.post("/graphql", content=query, headers={"Content-Type": content_type})
        assert forged.status_code == 403, content_type


def test_graphql_over_get_runs_no_mutation(hub_browser: httpx.Client, hub: Hub) -> None:
    luis = {"Authorization": f"Bearer {hub.provider.issue_access_token('luis')}"}
    mutation = (
        'mutation { issueApiKey(input: {name: "Por GET", contactEmail: "a@b.do", '
        "scopes: [READ_PUBLIC]}) { key } }"
    )
    refused = hub_browser.get(
        "/graphql", params={"query": mutation}, headers={"Accept": "application/json", **luis}
    )
    assert refused.status_code == 405  # as GraphQL over HTTP says
    assert refused.json()["errors"][0]["extensions"]["code"] == "MUTATION_OVER_GET"
    listing = hub_browser.post("/graphql", json={"query": "{ apiKeys { id } }"}, headers=luis)
    assert listing.json() == {"data": {"apiKeys": []}}
