"""The hub's own GraphQL explorer at /graphql: plain HTTP checks, then real Chromium.

The browser tests run against the live demo hub on 127.0.0.1 and fail on any console
error (CSP violations are reported there), any uncaught page error, and any request
that leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Request, expect

from gateway.explorer import ASSETS

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EXAMPLE_QUERY = "{ municipalities { id oneCode name kind province } }"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# ----------------------------------------------------------------- plain HTTP


def test_get_graphql_as_a_browser_returns_the_explorer_with_the_csp(live_hub: str) -> None:
    response = httpx.get(f"{live_hub}/graphql", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "connect-src 'self'" in csp
    html = response.text
    assert '<html lang="es">' in html
    assert '<script src="/explorer/explorer.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/explorer/explorer.css">' in html
    assert html == (ASSETS / "index.html").read_text(encoding="utf-8")


def test_explorer_html_needs_nothing_inline_and_nothing_external() -> None:
    html = (ASSETS / "index.html").read_text(encoding="utf-8")

    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers break the CSP"
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/explorer/explorer.js" defer>']
    for url in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert url.startswith(("/", "#")), f"external or relative resource: {url}"
    assert html.count("<h1") == 1
    # The no-JavaScript explanation and the curl examples are plain page content.
    assert "necesita JavaScript" in html
    assert "curl -X POST" in html
    assert "curl -G" in html


def test_explorer_script_uses_no_eval_and_no_html_parsing() -> None:
    script = (ASSETS / "explorer.js").read_text(encoding="utf-8")

    for forbidden in (
        "eval(",
        "new Function",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        ".style.",
        'setAttribute("style"',
        "http://",
        "https://",
    ):
        assert forbidden not in script, forbidden


def test_get_graphql_with_a_query_returns_data(live_hub: str) -> None:
    response = httpx.get(
        f"{live_hub}/graphql",
        params={"query": "{municipalities{id}}"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    municipalities = response.json()["data"]["municipalities"]
    assert len(municipalities) == 10
    assert {"id": "jarabacoa"} in municipalities


@pytest.mark.parametrize(
    ("path", "content_types"),
    [
        ("/explorer/explorer.js", ("text/javascript", "application/javascript")),
        ("/explorer/explorer.css", ("text/css",)),
        ("/explorer/favicon.svg", ("image/svg+xml",)),
        ("/explorer/index.html", ("text/html",)),
    ],
)
def test_assets_are_served_with_their_content_types(
    live_hub: str, path: str, content_types: tuple[str, ...]
) -> None:
    response = httpx.get(f"{live_hub}{path}")

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0].strip() in content_types
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (ASSETS / path.removeprefix("/explorer/")).read_bytes()


# ------------------------------------------------------------------- browser


@dataclass
class Session:
    """A page on the explorer plus everything it reported or requested."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def graphql_posts(self) -> list[Request]:
        return [
            r for r in self.requests if r.method == "POST" and urlsplit(r.url).path == "/graphql"
        ]

    def assert_clean(self, *, request_error: bool = False) -> None:
        """No console error, no page error, nothing fetched elsewhere. `request_error`: the
        page ran a query that does not validate, which GraphQL over HTTP answers with 400
        under application/graphql-response+json; Chromium logs that one failed load."""
        errors = self.console_errors
        if request_error:
            failed_load = (
                "error: Failed to load resource: the server responded with a status of 400"
            )
            errors = [e for e in errors if not e.startswith(failed_load)]
            assert len(errors) == len(self.console_errors) - 1, self.console_errors
        assert errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors
        hosts = {urlsplit(r.url).hostname for r in self.requests}
        assert hosts <= {"127.0.0.1"}, [r.url for r in self.requests]


def open_explorer(chromium: Any, live_hub: str, path: str = "/graphql", **options: Any) -> Session:
    context = chromium.new_context(base_url=live_hub, **options)
    page: Page = context.new_page()
    session = Session(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            session.console_errors.append(f"{message.type}: {message.text}")

    def on_page_error(error: Error) -> None:
        session.page_errors.append(str(error))

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    def on_request(request: Request) -> None:
        session.requests.append(request)

    page.on("request", on_request)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return session


@pytest.fixture
def explorer(chromium: Any, live_hub: str) -> Iterator[Session]:
    """The explorer, loaded, with its schema documentation rendered."""
    session = open_explorer(chromium, live_hub)
    expect(docs_field(session.page, "municipalities")).to_be_visible()
    yield session
    session.page.context.close()


def docs_field(page: Page, name: str) -> Any:
    return page.locator("#docs-root .field-name", has_text=re.compile(f"^{name}$"))


def response_json(page: Page) -> Any:
    return json.loads(page.locator("#response").inner_text())


def run_axe(page: Page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert result.violations_count == 0, result.generate_report()


@pytest.mark.browser
def test_page_loads_with_no_errors_and_no_request_off_the_host(
    chromium: Any, live_hub: str
) -> None:
    session = open_explorer(chromium, live_hub)
    page = session.page
    try:
        expect(page).to_have_title(re.compile("Explorador GraphQL"))
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("#query")).to_be_visible()
        expect(page.locator("#js-required")).to_be_hidden()
        expect(docs_field(page, "municipalities")).to_be_visible()
        # The example query is there, and the curl examples name this very server.
        assert re.sub(r"\s+", " ", page.locator("#query").input_value()).strip() == EXAMPLE_QUERY
        expect(page.locator(".origin").first).to_have_text(live_hub)
        page.wait_for_load_state("networkidle")
        paths = {urlsplit(r.url).path for r in session.requests}
        assert {"/graphql", "/explorer/explorer.js", "/explorer/explorer.css"} <= paths
        session.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_run_by_button_and_by_ctrl_enter_shows_the_ten_municipalities(
    explorer: Session,
) -> None:
    page = explorer.page
    page.locator("#query").fill(EXAMPLE_QUERY)
    with page.expect_response(lambda r: r.request.method == "POST" and "/graphql" in r.url):
        page.get_by_role("button", name=re.compile("^Ejecutar")).click()
    expect(page.locator("#status")).to_contain_text("HTTP 200")
    expect(page.locator("#status")).to_contain_text(" ms")
    municipalities = response_json(page)["data"]["municipalities"]
    assert len(municipalities) == 10
    assert {m["id"] for m in municipalities} >= {"jarabacoa", "santo-domingo-este"}
    assert set(municipalities[0]) == {"id", "oneCode", "name", "kind", "province"}

    page.locator("#query").fill("{ municipalities { name } }")
    with page.expect_response(lambda r: r.request.method == "POST" and "/graphql" in r.url):
        page.locator("#query").press("Control+Enter")
    expect(page.locator("#response")).not_to_contain_text("oneCode")
    municipalities = response_json(page)["data"]["municipalities"]
    assert len(municipalities) == 10
    assert set(municipalities[0]) == {"name"}

    # The request was what the hub expects from a GraphQL-over-HTTP client.
    last = explorer.graphql_posts()[-1]
    assert last.headers["content-type"] == "application/json"
    assert last.headers["accept"].startswith("application/graphql-response+json")
    assert json.loads(last.post_data or "") == {"query": "{ municipalities { name } }"}
    # The response panel is a polite live region.
    expect(page.locator("#result")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#result #response")).to_be_visible()
    explorer.assert_clean()


@pytest.mark.browser
def test_variables_and_operation_name_are_sent_and_errors_are_shown(explorer: Session) -> None:
    page = explorer.page
    page.locator("#query").fill(
        "query A { municipalities { id } }\n"
        "query B($id: ID!) { municipality(id: $id) { name province } }"
    )
    page.locator("#variables").fill('{"id": "jarabacoa"}')
    page.locator("#operation-name").fill("B")
    page.locator("#operation-name").press("Enter")
    expect(page.locator("#response")).to_contain_text("Jarabacoa")
    assert response_json(page) == {
        "data": {"municipality": {"name": "Jarabacoa", "province": "La Vega"}}
    }

    page.locator("#query").fill("{ nope }")
    page.locator("#variables").fill("")
    page.locator("#operation-name").fill("")
    page.locator("#query").press("Control+Enter")
    expect(page.locator("#status")).to_contain_text("1 error")
    expect(page.locator("#status")).to_have_class(re.compile("status-error"))
    assert "nope" in response_json(page)["errors"][0]["message"]
    explorer.assert_clean(request_error=True)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("variables", "expected"),
    [("{not json", "no son JSON válido"), ("[1, 2]", "deben ser un objeto JSON")],
)
def test_bad_variables_show_a_clear_error_and_send_nothing(
    explorer: Session, variables: str, expected: str
) -> None:
    page = explorer.page
    page.wait_for_load_state("networkidle")
    posts_before = len(explorer.graphql_posts())

    page.locator("#variables").fill(variables)
    page.get_by_role("button", name=re.compile("^Ejecutar")).click()

    error = page.locator("#variables-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(expected)
    expect(error).to_contain_text("No se envió la consulta")
    variables_field = page.get_by_role("textbox", name=re.compile("^Variables"))
    expect(variables_field).to_be_focused()
    expect(variables_field).to_have_attribute("aria-invalid", "true")
    description = page.evaluate(
        "() => document.getElementById('variables').getAttribute('aria-describedby')"
    )
    assert "variables-error" in description.split()
    page.wait_for_timeout(300)
    assert len(explorer.graphql_posts()) == posts_before

    # Fixing the JSON clears the error.
    page.locator("#variables").fill("{}")
    expect(error).to_be_hidden()
    expect(variables_field).not_to_have_attribute("aria-invalid", "true")
    explorer.assert_clean()


@pytest.mark.browser
def test_docs_panel_lists_root_fields_and_opens_types(explorer: Session) -> None:
    page = explorer.page
    docs = page.locator("#docs")
    page.get_by_role("link", name=re.compile("^Saltar a la documentación")).press("Enter")
    expect(page.locator("#docs-heading")).to_be_focused()
    root_item = page.locator("#docs-root li").filter(
        has=page.locator(".field-name", has_text=re.compile("^municipalities$"))
    )
    expect(root_item).to_contain_text("province: String")
    expect(root_item).to_contain_text("kind: MunicipalityKind")
    expect(root_item).to_contain_text(": [Municipality!]!")
    expect(root_item).to_contain_text("Local governments on the hub")
    expect(docs_field(page, "service")).to_be_visible()

    trigger = root_item.get_by_role("button", name="Municipality", exact=True)
    trigger.click()
    heading = docs.get_by_role("heading", name="Municipality", exact=True)
    expect(heading).to_be_focused()
    expect(page.locator("#docs-root")).to_be_hidden()
    detail = page.locator("#docs-type")
    expect(detail.locator(".field-name", has_text="oneCode")).to_be_visible()
    expect(detail).to_contain_text("Territorial code of the Oficina Nacional de Estadística.")
    expect(detail).to_contain_text("A local government: ayuntamiento or junta de distrito")

    detail.get_by_role("button", name="MunicipalityKind", exact=True).click()
    expect(docs.get_by_role("heading", name="MunicipalityKind", exact=True)).to_be_focused()
    expect(detail).to_contain_text("JUNTA_DISTRITO")
    expect(detail).to_contain_text("Enumeración")

    back = detail.get_by_role("button", name=re.compile("^← Volver"))
    back.click()
    expect(heading).to_be_focused()
    back.click()
    expect(page.locator("#docs-root")).to_be_visible()
    expect(trigger).to_be_focused()
    explorer.assert_clean()


@pytest.mark.browser
def test_tab_indents_but_escape_then_tab_leaves_the_editor(explorer: Session) -> None:
    page = explorer.page
    editor = page.locator("#query")
    editor.fill("{ municipalities {")
    editor.press("End")
    editor.press("Control+End")

    editor.press("Tab")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("{ municipalities {  ")

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.locator("#variables")).to_be_focused()
    expect(editor).to_have_value("{ municipalities {  ")

    # Shift+Tab always moves back, and the same rules hold in the variables editor.
    page.keyboard.press("Shift+Tab")
    expect(editor).to_be_focused()
    page.locator("#variables").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#variables")).to_have_value("  ")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.locator("#operation-name")).to_be_focused()
    # The hint that explains this is visible and tied to the editor.
    expect(page.locator("#editor-hint")).to_be_visible()
    expect(page.locator("#editor-hint")).to_contain_text("Esc")
    expect(editor).to_have_attribute("aria-describedby", "editor-hint")
    explorer.assert_clean()


@pytest.mark.browser
def test_the_query_is_kept_in_the_url(explorer: Session) -> None:
    page = explorer.page
    query = '{ municipality(id: "cabarete") { name } }'
    page.locator("#query").fill(query)
    page.wait_for_function(
        "q => new URLSearchParams(location.search).get('query') === q", arg=query
    )
    params = parse_qs(urlsplit(page.url).query)
    assert params["query"] == [query]
    assert urlsplit(page.url).path == "/graphql"
    explorer.assert_clean()


@pytest.mark.browser
def test_a_shared_link_opens_the_explorer_with_its_query(chromium: Any, live_hub: str) -> None:
    query = '{ municipality(id: "cabarete") { name } }'
    session = open_explorer(chromium, live_hub, f"/graphql?query={quote(query)}")
    try:
        expect(session.page.locator("#query")).to_have_value(query, timeout=3000)
    finally:
        session.page.context.close()


@pytest.mark.browser
def test_without_javascript_the_page_explains_how_to_use_curl(chromium: Any, live_hub: str) -> None:
    session = open_explorer(chromium, live_hub, java_script_enabled=False)
    page = session.page
    try:
        expect(page.locator("#js-required")).to_be_visible()
        expect(page.locator("#js-required")).to_contain_text("necesita JavaScript")
        expect(page.locator("#app")).to_be_hidden()
        expect(page.locator("#docs")).to_be_hidden()
        examples = page.locator("pre.example")
        expect(examples).to_have_count(2)
        expect(examples.first).to_be_visible()
        expect(examples.first).to_contain_text("curl -X POST")
        expect(examples.nth(1)).to_contain_text("/graphql")
        session.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_axe_reports_no_violations(explorer: Session) -> None:
    page = explorer.page
    run_axe(page)

    # Again with a response shown, a variables error and a type's documentation open.
    page.get_by_role("button", name=re.compile("^Ejecutar")).click()
    expect(page.locator("#status")).to_contain_text("HTTP 200")
    page.locator("#docs-root").get_by_role("button", name="Municipality", exact=True).first.click()
    expect(page.locator("#docs-type .field-name", has_text="oneCode")).to_be_visible()
    page.locator("#variables").fill("{oops")
    page.get_by_role("button", name=re.compile("^Ejecutar")).click()
    expect(page.locator("#variables-error")).to_be_visible()
    run_axe(page)
    explorer.assert_clean()


@pytest.mark.browser
def test_works_at_320_px_with_no_horizontal_scroll_and_large_targets(
    chromium: Any, live_hub: str
) -> None:
    session = open_explorer(chromium, live_hub, viewport={"width": 320, "height": 640})
    page = session.page
    try:
        expect(docs_field(page, "municipalities")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Ejecutar")).click()
        expect(page.locator("#status")).to_contain_text("HTTP 200")
        page.locator("#docs-root").get_by_role(
            "button", name="Municipality", exact=True
        ).first.click()
        expect(page.locator("#docs-type .field-name", has_text="oneCode")).to_be_visible()

        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        small = page.evaluate(
            """() => [...document.querySelectorAll('button, input, textarea, a[href]')]
                .filter(e => e.getClientRects().length > 0)
                .map(e => [e.id || e.className || e.tagName, e.textContent.trim().slice(0, 30),
                           e.getBoundingClientRect()])
                .filter(([, , r]) => r.width < 24 || r.height < 24)
                .map(([name, text, r]) => `${name} ${text}: ${r.width}x${r.height}`)"""
        )
        assert small == []
        run_axe(page)
        session.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_every_focus_stop_is_visible_and_not_obscured(explorer: Session) -> None:
    page = explorer.page
    page.locator("#query").press("Control+Enter")  # keyboard use, so focus is shown
    expect(page.locator("#status")).to_contain_text("HTTP 200")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".skip-link").first.focus()

    seen: list[str] = []
    for _ in range(200):
        info = page.evaluate(
            """() => {
                const e = document.activeElement;
                const r = e.getBoundingClientRect();
                const s = getComputedStyle(e);
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return {
                    key: e.id || e.className || e.tagName,
                    text: e.textContent.trim().slice(0, 40),
                    tag: e.tagName,
                    outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth),
                    unobscured: hit !== null && (e === hit || e.contains(hit)),
                };
            }"""
        )
        if info["tag"] == "BODY" or (seen and f"{info['key']}:{info['text']}" == seen[0]):
            break
        seen.append(f"{info['key']}:{info['text']}")
        assert info["outline"] != "none" and info["width"] >= 2, info
        assert info["unobscured"], info
        if info["tag"] == "TEXTAREA":
            page.keyboard.press("Escape")
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"focus never cycled back: {seen[:10]}…")

    keys = [entry.split(":", 1)[0] for entry in seen]
    assert keys[:2] == ["skip-link", "skip-docs"], seen
    for expected in ("query", "variables", "operation-name", "run", "response", "history-clear"):
        assert expected in keys, seen
    assert "type-link:Municipality" in seen, seen
    explorer.assert_clean()
