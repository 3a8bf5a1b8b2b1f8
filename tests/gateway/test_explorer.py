"""The hub's own GraphQL explorer at /graphql: plain HTTP checks, then real Chromium.

The browser tests run against the live demo hub on 127.0.0.1 and fail on any console
error (CSP violations are reported there), any uncaught page error, and any request
that leaves 127.0.0.1. The enhanced page uses the CodeMirror editors of
gateway/explorer/editor.bundle.js (built by gateway/explorer-editor); the plain form
is checked with JavaScript off.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, Request, expect

from gateway.explorer import ASSETS
from tests.support import require

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EXAMPLE_QUERY = "{ municipalities { id oneCode name kind province } }"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BUNDLE = ASSETS / "editor.bundle.js"
EDITOR_SOURCES = ASSETS.parent / "explorer-editor"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ----------------------------------------------------------------- plain HTTP


def test_get_graphql_as_a_browser_returns_the_explorer_with_the_csp(live_hub: str) -> None:
    response = httpx.get(f"{live_hub}/graphql", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "connect-src 'self'" in csp
    html_text = response.text
    assert '<html lang="es">' in html_text
    assert '<script src="/explorer/editor.bundle.js" defer></script>' in html_text
    assert '<script src="/explorer/explorer.js" defer></script>' in html_text
    assert '<link rel="stylesheet" href="/explorer/explorer.css">' in html_text
    assert html_text == (ASSETS / "index.html").read_text(encoding="utf-8")


def test_explorer_html_needs_nothing_inline_and_nothing_external() -> None:
    page = (ASSETS / "index.html").read_text(encoding="utf-8")

    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page), "inline event handlers break the CSP"
    # The editors' bundle first, then the page's own script (deferred scripts keep order).
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script src="/explorer/editor.bundle.js" defer>',
        '<script src="/explorer/explorer.js" defer>',
    ]
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert url.startswith(("/", "#")), f"external or relative resource: {url}"
    assert page.count("<h1") == 1
    # Without JavaScript: a form that GETs /graphql, the explanation, the curl examples.
    assert '<form id="operation-form" class="operation" method="get" action="/graphql' in page
    assert 'name="query"' in page
    assert 'name="run" value="1"' in page
    assert "sin JavaScript" in page
    assert "curl -X POST" in page
    assert "curl -G" in page


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


def test_editor_bundle_is_one_minified_file_with_its_licences_and_no_eval() -> None:
    bundle = BUNDLE.read_text(encoding="utf-8")
    package = json.loads((EDITOR_SOURCES / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((EDITOR_SOURCES / "package-lock.json").read_text(encoding="utf-8"))

    assert bundle.startswith("/*! PLANASMUN explorer editor")
    assert "var PlanasmunEditor=" in bundle
    for forbidden in ("eval(", "new Function", "innerHTML", "insertAdjacentHTML", "document.write"):
        assert forbidden not in bundle, forbidden
    # Exact versions, the lock agrees, and every direct dependency's licence is in the bundle.
    licences = bundle[bundle.rindex("/*! Bundled packages and their licences") :]
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, version)
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert f"{name}@{version} (MIT)" in licences, name
    assert "Permission is hereby granted, free of charge" in licences
    assert "Copyright" in licences


def test_editor_bundle_matches_its_sources() -> None:
    """`npm run build` from the committed sources gives the committed bundle, byte for byte."""
    node = shutil.which("node")
    installed = (EDITOR_SOURCES / "node_modules" / "esbuild").is_dir()
    require(
        node is not None and installed,
        "node and the explorer's build tools (npm ci --prefix gateway/explorer-editor)",
    )
    assert node is not None
    result = subprocess.run(
        [node, "build.mjs", "--check"],
        cwd=EDITOR_SOURCES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
        ("/explorer/editor.bundle.js", ("text/javascript", "application/javascript")),
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


def page_run(live_hub: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{live_hub}/graphql", params={**params, "run": "1"}, headers={"Accept": BROWSER_ACCEPT}
    )


def shown_outcome(page: str) -> list[str]:
    return re.findall(r'<p class="[^"]*" data-outcome="([a-z-]+)">', page)


def test_the_plain_form_runs_a_query_and_writes_the_answer_into_the_page(live_hub: str) -> None:
    query = "query B($id: ID!) { municipality(id: $id) { name province } }"
    response = page_run(live_hub, query=query, variables='{"id": "jarabacoa"}', operationName="B")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert shown_outcome(page) == ["ok"]
    assert '<p id="status" class="status" hidden>' in page
    answer = re.search(
        r'<pre id="response" class="code response" tabindex="0">(.*?)</pre>', page, re.S
    )
    assert answer is not None
    assert json.loads(html.unescape(answer.group(1))) == {
        "data": {"municipality": {"name": "Jarabacoa", "province": "La Vega"}}
    }
    # The form comes back as it was sent.
    assert '<textarea id="query" name="query"' in page
    assert html.escape(query, quote=False) in page
    assert html.escape('{"id": "jarabacoa"}', quote=False) in page
    assert '<input id="operation-name" value="B" ' in page


def test_the_plain_form_escapes_what_it_writes_back(live_hub: str) -> None:
    query = '{ municipalities { id } } # </textarea><script>alert(1)</script> "&'
    page = page_run(live_hub, query=query).text

    assert "<script>alert(1)" not in page
    assert '&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; "&amp;' in page
    assert shown_outcome(page) == ["ok"]


@pytest.mark.parametrize(
    ("params", "outcome"),
    [
        ({"query": "{ nope }"}, "errors"),
        ({"query": "{ municipalities { id } }", "variables": "[1]"}, "bad-variables"),
        ({"query": "{ municipalities { id } }", "variables": "{oops"}, "bad-variables"),
        ({"query": "mutation { deleteMyData(confirm: true) { deleted } }"}, "not-query"),
        (
            {"query": "query A { __typename } query B { __typename }", "operationName": "C"},
            "bad-operation",
        ),
    ],
)
def test_the_plain_form_says_what_went_wrong(
    live_hub: str, params: dict[str, str], outcome: str
) -> None:
    page = page_run(live_hub, **params).text

    assert shown_outcome(page) == [outcome]
    if outcome == "errors":
        assert "Cannot query field" in page


def test_without_run_a_shared_link_only_opens_the_page(live_hub: str) -> None:
    response = httpx.get(
        f"{live_hub}/graphql",
        params={"query": "{ municipalities { id } }"},
        headers={"Accept": BROWSER_ACCEPT},
    )
    assert response.text == (ASSETS / "index.html").read_text(encoding="utf-8")


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

    def assert_clean(self, answered: tuple[int, ...] = ()) -> None:
        """No console error or page error, and no request off the host; `answered` lists
        the HTTP error statuses the test itself provoked (Chromium logs each one)."""
        provoked = [
            f"error: Failed to load resource: the server responded with a status of {status} "
            for status in answered
        ]
        errors = [e for e in self.console_errors if not e.startswith(tuple(provoked))]
        assert errors == [], errors
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
    """The explorer, loaded, with its editors up and its schema documentation rendered."""
    session = open_explorer(chromium, live_hub)
    expect(docs_field(session.page, "municipalities")).to_be_visible()
    expect(editor(session.page, "query")).to_be_visible()
    yield session
    session.page.context.close()


def docs_field(page: Page, name: str) -> Locator:
    return page.locator("#docs-root .field-name", has_text=re.compile(f"^{name}$"))


def editor(page: Page, name: str) -> Locator:
    """The CodeMirror editor's content (the element that takes the keyboard) of a field."""
    return page.locator(f"#{name}-editor .cm-content")


def code(page: Page, name: str) -> str:
    """A code field's text: the textarea keeps the editor's value for the form."""
    return page.locator(f"#{name}").input_value()


def set_code(page: Page, name: str, text: str) -> None:
    """Replace a code field's text as a user pasting it would (select all, insert)."""
    editor(page, name).focus()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.insert_text(text)
    expect(page.locator(f"#{name}")).to_have_value(text)


def response_json(page: Page) -> Any:
    return json.loads(page.locator("#response").inner_text())


def run_and_wait(page: Page, press: str | None = None) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and "/graphql" in r.url):
        if press is None:
            page.get_by_role("button", name=re.compile("^Ejecutar")).click()
        else:
            page.keyboard.press(press)


def run_axe(page: Page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert result.violations_count == 0, result.generate_report()


def run_axe_as_without_javascript(chromium: Any, live_hub: str, url: str) -> None:
    """Check a page as a browser without JavaScript shows it.

    axe is itself a script, so it cannot run where scripts are off; instead the page's own
    scripts are answered with nothing, which leaves exactly the no-JavaScript document.
    """
    context = chromium.new_context(base_url=live_hub, locale="es-DO")
    try:
        context.route(
            re.compile(r".*/explorer/[^/]+\.js$"),
            lambda route: route.fulfill(body="", content_type="text/javascript"),
        )
        page = context.new_page()
        page.goto(url)
        expect(page.locator("#js-required")).to_be_visible()
        run_axe(page)
    finally:
        context.close()


def tab_to(page: Page, locator: Locator, limit: int = 30) -> None:
    """Press Tab from where focus is until `locator` has it (keyboard only)."""
    for _ in range(limit):
        if locator.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {locator}")


@pytest.mark.browser
def test_page_loads_with_no_errors_and_no_request_off_the_host(
    chromium: Any, live_hub: str
) -> None:
    session = open_explorer(chromium, live_hub)
    page = session.page
    try:
        expect(page).to_have_title(re.compile("Explorador GraphQL"))
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("#js-required")).to_be_hidden()
        expect(docs_field(page, "municipalities")).to_be_visible()
        # The three code fields are CodeMirror editors; their textareas stay for the form.
        for name in ("query", "variables", "headers"):
            expect(editor(page, name)).to_be_visible()
            expect(page.locator(f"#{name}")).to_be_hidden()
        expect(editor(page, "query")).to_have_attribute("role", "textbox")
        expect(editor(page, "query")).to_have_attribute("aria-labelledby", "query-label")
        expect(page.get_by_role("textbox", name=re.compile("^Consulta"))).to_be_visible()
        expect(page.get_by_role("textbox", name=re.compile("^Cabeceras HTTP"))).to_be_visible()
        # The example query is there, and the curl examples name this very server.
        assert squash(code(page, "query")) == EXAMPLE_QUERY
        assert squash(editor(page, "query").inner_text()) == EXAMPLE_QUERY
        expect(page.locator(".origin").first).to_have_text(live_hub)
        page.wait_for_load_state("networkidle")
        paths = {urlsplit(r.url).path for r in session.requests}
        assert {
            "/graphql",
            "/explorer/explorer.js",
            "/explorer/editor.bundle.js",
            "/explorer/explorer.css",
        } <= paths
        # CodeMirror's styles are constructed style sheets, allowed by the CSP (a refused
        # <style> element would have been reported on the console).
        assert page.evaluate("document.adoptedStyleSheets.length") >= 1
        assert page.evaluate("document.querySelectorAll('style').length") == 0
        session.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_a_partial_field_name_is_completed_with_the_keyboard_alone(explorer: Session) -> None:
    page = explorer.page
    page.locator("body").press("Home")
    tab_to(page, editor(page, "query"))
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("{ munic")
    page.keyboard.press("Control+Space")

    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    labels = [squash(t) for t in options.all_inner_texts()]
    assert any(label.startswith("municipalities") for label in labels), labels
    assert any(label.startswith("municipality") for label in labels), labels
    # The editor tells assistive technology which option is chosen.
    content = editor(page, "query")
    expect(content).to_have_attribute("aria-autocomplete", "list")
    for _ in range(len(labels)):
        selected = listbox.locator("[role=option][aria-selected=true]")
        if squash(selected.inner_text()).startswith("municipalities"):
            break
        page.keyboard.press("ArrowDown")
    active = content.get_attribute("aria-activedescendant")
    assert active and active == listbox.locator("[aria-selected=true]").get_attribute("id")
    # CodeMirror ignores keys meant for a list during its first 75 ms (interactionDelay),
    # so that a key pressed before the list was seen goes to the text; a person hears the
    # list before choosing.
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")

    expect(listbox).to_be_hidden()
    assert re.fullmatch(r"\{ municipalities\s*\}", code(page, "query")), code(page, "query")
    expect(content).to_be_focused()

    # Arguments too: inside municipality( … ) the completion offers `id`.
    page.keyboard.press("Control+a")
    page.keyboard.type("{ municipality(")
    page.keyboard.press("Control+Space")
    expect(listbox.get_by_role("option", name=re.compile("^id"))).to_be_visible()
    # CodeMirror ignores Enter for 75 ms after the list opens (no accidental accept).
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    assert "municipality(id" in code(page, "query"), code(page, "query")
    explorer.assert_clean()


@pytest.mark.browser
def test_an_invalid_field_is_underlined_and_listed_below_the_editor(explorer: Session) -> None:
    page = explorer.page
    set_code(page, "query", "{ municipalities { nope } }")

    underline = page.locator("#query-editor .cm-lintRange-error")
    expect(underline).to_have_text("nope")
    problems = page.locator("#query-problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("Error en la línea 1, columna 20")
    expect(problems).to_contain_text('Cannot query field "nope" on type "Municipality"')
    expect(problems.locator("[lang=en]")).to_have_count(1)
    # The list is part of the editor's description, for screen readers.
    described = editor(page, "query").get_attribute("aria-describedby") or ""
    assert "query-problems" in described.split()

    set_code(page, "query", "{ municipalities { name } }")
    expect(underline).to_have_count(0)
    expect(problems).to_be_hidden()

    # The JSON editors show their syntax errors the same way.
    set_code(page, "variables", '{"id": }')
    expect(page.locator("#variables-problems")).to_be_visible()
    marks = "#variables-editor .cm-lintRange-error, #variables-editor .cm-lintPoint-error"
    expect(page.locator(marks)).to_have_count(1)
    explorer.assert_clean()


@pytest.mark.browser
def test_run_by_button_and_by_ctrl_enter_shows_the_ten_municipalities(
    explorer: Session,
) -> None:
    page = explorer.page
    set_code(page, "query", EXAMPLE_QUERY)
    run_and_wait(page)
    expect(page.locator("#status")).to_contain_text("HTTP 200")
    expect(page.locator("#status")).to_contain_text(" ms")
    municipalities = response_json(page)["data"]["municipalities"]
    assert len(municipalities) == 10
    assert {m["id"] for m in municipalities} >= {"jarabacoa", "santo-domingo-este"}
    assert set(municipalities[0]) == {"id", "oneCode", "name", "kind", "province"}

    set_code(page, "query", "{ municipalities { name } }")
    editor(page, "query").focus()
    run_and_wait(page, press="Control+Enter")
    expect(page.locator("#response")).not_to_contain_text("oneCode")
    municipalities = response_json(page)["data"]["municipalities"]
    assert len(municipalities) == 10
    assert set(municipalities[0]) == {"name"}
    # Ctrl+Enter ran it once, and left the text alone.
    assert code(page, "query") == "{ municipalities { name } }"

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
def test_variables_headers_and_operation_name_are_sent(explorer: Session) -> None:
    page = explorer.page
    set_code(
        page,
        "query",
        "query A { municipalities { id } }\n"
        "query B($id: ID!) { municipality(id: $id) { name province } }",
    )
    set_code(page, "variables", '{"id": "jarabacoa"}')
    page.locator("#operation-name").fill("B")
    with page.expect_response(lambda r: r.request.method == "POST" and "/graphql" in r.url):
        page.locator("#operation-name").press("Enter")
    expect(page.locator("#response")).to_contain_text("Jarabacoa")
    assert response_json(page) == {
        "data": {"municipality": {"name": "Jarabacoa", "province": "La Vega"}}
    }

    # A header the hub acts on: a malformed API key is refused (401) by the hub itself.
    set_code(page, "headers", '{"X-API-Key": "not-a-key"}')
    run_and_wait(page)
    expect(page.locator("#status")).to_contain_text("HTTP 401")
    sent = explorer.graphql_posts()[-1]
    assert sent.headers["x-api-key"] == "not-a-key"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.post_data or "")["variables"] == {"id": "jarabacoa"}

    # A header replaces the default of the same name: the hub answers in the type asked.
    set_code(page, "headers", '{"accept": "application/json"}')
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/graphql" in r.url
    ) as answer:
        page.get_by_role("button", name=re.compile("^Ejecutar")).click()
    assert answer.value.headers["content-type"].startswith("application/json")
    assert explorer.graphql_posts()[-1].headers["accept"] == "application/json"
    expect(page.locator("#status")).to_contain_text("HTTP 200")

    # Errors from the hub are shown as such.
    set_code(page, "headers", "")
    set_code(page, "variables", "")
    page.locator("#operation-name").fill("")
    set_code(page, "query", "{ nope }")
    editor(page, "query").press("Control+Enter")
    expect(page.locator("#status")).to_contain_text("1 error")
    expect(page.locator("#status")).to_have_class(re.compile("status-error"))
    assert "nope" in response_json(page)["errors"][0]["message"]
    explorer.assert_clean(answered=(400, 401))


@pytest.mark.browser
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("variables", "{not json", "no son JSON válido"),
        ("variables", "[1, 2]", "deben ser un objeto JSON"),
        ("headers", '{"X-Count": {"a": 1}}', "debe ser un texto de una línea"),
        ("headers", '{"bad name": "x"}', "no es un nombre de cabecera HTTP válido"),
    ],
)
def test_bad_variables_or_headers_show_a_clear_error_and_send_nothing(
    explorer: Session, name: str, text: str, expected: str
) -> None:
    page = explorer.page
    page.wait_for_load_state("networkidle")
    posts_before = len(explorer.graphql_posts())

    set_code(page, name, text)
    page.get_by_role("button", name=re.compile("^Ejecutar")).click()

    error = page.locator(f"#{name}-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(expected)
    expect(error).to_contain_text("No se envió la consulta")
    content = editor(page, name)
    expect(content).to_be_focused()
    expect(content).to_have_attribute("aria-invalid", "true")
    description = content.get_attribute("aria-describedby") or ""
    assert f"{name}-error" in description.split()
    page.wait_for_timeout(300)
    assert len(explorer.graphql_posts()) == posts_before

    # Fixing the JSON clears the error.
    set_code(page, name, "{}")
    expect(error).to_be_hidden()
    expect(content).not_to_have_attribute("aria-invalid", "true")
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
def test_docs_search_filters_types_and_fields(explorer: Session) -> None:
    page = explorer.page
    search = page.get_by_role("searchbox", name=re.compile("^Buscar tipos y campos"))
    expect(search).to_be_enabled()
    results = page.locator("#docs-search-results")
    count = page.locator("#docs-search-count")
    expect(count).to_have_attribute("role", "status")

    search.fill("onecode")
    expect(results).to_be_visible()
    expect(page.locator("#docs-root")).to_be_hidden()
    found = results.get_by_role("button", name="Municipality.oneCode", exact=True)
    expect(found).to_be_visible()
    expect(count).to_contain_text("resultado")
    assert all("onecode" in t.lower() for t in results.locator("button").all_inner_texts())

    # By description too, with accents or without: "estadistica" finds "Estadística".
    search.fill("estadistica")
    expect(results.get_by_role("button", name="Municipality.oneCode", exact=True)).to_be_visible()

    # Enter on a result opens its type at that field; Back returns to the results.
    search.fill("onecode")
    found.focus()
    page.keyboard.press("Enter")
    target = page.locator('#docs-type li[data-field="oneCode"]')
    expect(target).to_be_focused()
    expect(page.locator("#docs-type h3")).to_have_text("Municipality")
    page.locator("#docs-type").get_by_role("button", name=re.compile("^← Volver")).press("Enter")
    expect(results).to_be_visible()
    expect(found).to_be_focused()

    search.fill("zzzznada")
    expect(count).to_contain_text("Ningún tipo ni campo coincide")
    expect(results.locator("li")).to_have_count(0)

    search.fill("")
    expect(results).to_be_hidden()
    expect(page.locator("#docs-root")).to_be_visible()
    explorer.assert_clean()


@pytest.mark.browser
def test_history_keeps_runs_and_restores_them(explorer: Session) -> None:
    page = explorer.page
    set_code(page, "query", "query V($id: ID!) { municipality(id: $id) { name } }")
    set_code(page, "variables", '{"id": "cabarete"}')
    run_and_wait(page)
    set_code(page, "variables", "")
    set_code(page, "query", "{ municipalities { id } }")
    run_and_wait(page)

    items = page.locator("#history-list button.history-item")
    expect(items).to_have_count(2)
    expect(items.first).to_have_text("{ municipalities { id } }")

    # Restored from a fresh page too: history lives in this browser's localStorage.
    page.reload()
    expect(editor(page, "query")).to_be_visible()
    older = page.get_by_role("button", name=re.compile(r"^query V\(\$id: ID!\)"))
    older.focus()
    page.keyboard.press("Enter")
    assert code(page, "query") == "query V($id: ID!) { municipality(id: $id) { name } }"
    assert squash(editor(page, "query").inner_text()) == squash(code(page, "query"))
    assert code(page, "variables") == '{"id": "cabarete"}'
    expect(editor(page, "query")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("restaurada")
    stored = page.evaluate("localStorage.getItem('planasmun.explorer.history')")
    assert "X-API-Key" not in stored
    explorer.assert_clean()


@pytest.mark.browser
def test_copy_as_curl_gives_a_command_that_works(chromium: Any, live_hub: str) -> None:
    curl = shutil.which("curl")
    require(curl is not None, "curl")
    session = open_explorer(chromium, live_hub, permissions=["clipboard-read", "clipboard-write"])
    page = session.page
    try:
        expect(editor(page, "query")).to_be_visible()
        # A quote in the document, to check the shell quoting.
        query = "query B($id: ID!) { municipality(id: $id) { name province } } # it's mine"
        set_code(page, "query", query)
        set_code(page, "variables", '{"id": "jarabacoa"}')
        set_code(page, "headers", '{"Accept": "application/json", "X-Trace": "o\'brien"}')
        page.get_by_role("button", name=re.compile("^Copiar como curl")).click()

        expect(page.locator("#announcer")).to_contain_text("Comando curl copiado al portapapeles")
        expect(page.locator("#announcer")).to_have_attribute("role", "status")
        command = page.evaluate("navigator.clipboard.readText()")
        expect(page.locator("#curl-command")).to_have_value(command)
        assert command.startswith(f"curl -X POST '{live_hub}/graphql'")
        assert "-H 'Content-Type: application/json'" in command
        assert "-H 'Accept: application/json'" in command
        assert "graphql-response+json" not in command  # the header replaced the default

        result = subprocess.run(
            ["bash", "-c", command.replace("curl ", f"{curl} -sS --fail-with-body ", 1)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        assert json.loads(result.stdout) == {
            "data": {"municipality": {"name": "Jarabacoa", "province": "La Vega"}}
        }
        # The same answer the explorer gets.
        run_and_wait(page)
        assert response_json(page) == json.loads(result.stdout)
        session.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_tab_indents_but_escape_then_tab_leaves_the_editor(explorer: Session) -> None:
    page = explorer.page
    content = editor(page, "query")
    set_code(page, "query", "{ municipalities {")
    content.focus()
    page.keyboard.press("Control+End")

    # The rich editor indents the line (as code editors do), by the hint's two spaces.
    page.keyboard.press("Tab")
    expect(content).to_be_focused()
    expect(page.locator("#query")).to_have_value("  { municipalities {")

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor(page, "variables")).to_be_focused()
    expect(page.locator("#query")).to_have_value("  { municipalities {")

    # Esc then Shift+Tab moves back; the same rules hold in the variables editor.
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    expect(content).to_be_focused()
    set_code(page, "variables", "{}")
    editor(page, "variables").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#variables")).to_have_value("  {}")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor(page, "headers")).to_be_focused()

    # Ctrl+M makes Tab move focus until pressed again.
    page.keyboard.press("Control+m")
    page.keyboard.press("Tab")
    expect(page.locator("#operation-name")).to_be_focused()

    # The hint that explains this is visible and describes the editors.
    expect(page.locator("#editor-hint")).to_be_visible()
    expect(page.locator("#editor-hint")).to_contain_text("Esc")
    expect(page.locator("#editor-hint")).to_contain_text("Ctrl+M")
    for name in ("query", "variables", "headers"):
        described = editor(page, name).get_attribute("aria-describedby") or ""
        assert "editor-hint" in described.split(), (name, described)
    explorer.assert_clean()


@pytest.mark.browser
def test_the_simple_editor_is_one_button_away_and_remembered(explorer: Session) -> None:
    page = explorer.page
    set_code(page, "query", "{ municipalities { name } }")
    page.get_by_role("button", name=re.compile("^Usar el editor sencillo")).click()

    expect(page.locator("#query")).to_be_visible()
    expect(page.locator("#query-editor")).to_be_hidden()
    expect(page.locator("#query")).to_have_value("{ municipalities { name } }")
    expect(page.locator("#completion-hint")).to_be_hidden()
    expect(page.locator("#announcer")).to_contain_text("Editor sencillo activado")
    # Tab in the textarea works as before: two spaces, Esc then Tab leaves.
    page.locator("#query").focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    expect(page.locator("#query")).to_have_value("{ municipalities { name } }  ")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.locator("#variables")).to_be_focused()
    run_and_wait(page)
    expect(page.locator("#status")).to_contain_text("HTTP 200")

    page.reload()
    expect(page.locator("#query")).to_be_visible()
    expect(editor(page, "query")).to_have_count(0)
    page.get_by_role("button", name=re.compile("^Usar el editor con sugerencias")).click()
    expect(editor(page, "query")).to_be_visible()
    expect(page.locator("#query")).to_be_hidden()
    explorer.assert_clean()


@pytest.mark.browser
def test_the_query_is_kept_in_the_url(explorer: Session) -> None:
    page = explorer.page
    query = '{ municipality(id: "cabarete") { name } }'
    set_code(page, "query", query)
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
        expect(editor(session.page, "query")).to_have_text(query, timeout=3000)
        expect(session.page.locator("#query")).to_have_value(query)
    finally:
        session.page.context.close()


@pytest.mark.browser
def test_without_javascript_the_form_runs_the_query_and_shows_the_answer(
    chromium: Any, live_hub: str
) -> None:
    session = open_explorer(chromium, live_hub, java_script_enabled=False)
    page = session.page
    try:
        expect(page.locator("#js-required")).to_be_visible()
        expect(page.locator("#js-required")).to_contain_text("sin JavaScript")
        expect(page.locator("#docs")).to_be_hidden()
        expect(page.locator("#history")).to_be_hidden()
        expect(page.get_by_role("button", name=re.compile("^Copiar como curl"))).to_be_hidden()
        query_box = page.get_by_role("textbox", name=re.compile("^Consulta"))
        expect(query_box).to_be_visible()
        assert squash(query_box.input_value()) == EXAMPLE_QUERY
        run_axe_as_without_javascript(chromium, live_hub, page.url)

        query_box.fill("query B($id: ID!) { municipality(id: $id) { name province } }")
        page.get_by_role("textbox", name=re.compile("^Variables")).fill('{"id": "jarabacoa"}')
        page.get_by_role("textbox", name=re.compile("^Nombre de la operación")).fill("B")
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Ejecutar")).click()

        url = urlsplit(page.url)
        assert url.path == "/graphql"
        assert url.fragment == "result-heading"
        assert parse_qs(url.query)["run"] == ["1"]
        expect(page.locator('[data-outcome="ok"]')).to_be_visible()
        expect(page.locator("#status")).to_be_hidden()
        assert response_json(page) == {
            "data": {"municipality": {"name": "Jarabacoa", "province": "La Vega"}}
        }
        # The form keeps what was sent, for the next edit.
        expect(query_box).to_have_value(
            "query B($id: ID!) { municipality(id: $id) { name province } }"
        )
        expect(
            page.get_by_role("textbox", name=re.compile("^Nombre de la operación"))
        ).to_have_value("B")
        examples = page.locator("pre.example")
        expect(examples).to_have_count(2)
        expect(examples.first).to_contain_text("curl -X POST")
        run_axe_as_without_javascript(chromium, live_hub, page.url)
        session.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_axe_reports_no_violations(explorer: Session) -> None:
    page = explorer.page
    run_axe(page)

    # With the completion list open.
    content = editor(page, "query")
    set_code(page, "query", "{ munic }")
    content.focus()
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Control+Space")
    expect(page.get_by_role("listbox")).to_be_visible()
    run_axe(page)
    page.keyboard.press("Escape")

    # Again with a response, diagnostics, a variables error, a search, a type's
    # documentation open and a curl command shown.
    set_code(page, "query", EXAMPLE_QUERY)
    run_and_wait(page)
    expect(page.locator("#status")).to_contain_text("HTTP 200")
    page.locator("#docs-root").get_by_role("button", name="Municipality", exact=True).first.click()
    expect(page.locator("#docs-type .field-name", has_text="oneCode")).to_be_visible()
    set_code(page, "query", "{ municipalities { nope } }")
    expect(page.locator("#query-problems")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Copiar como curl")).click()
    expect(page.locator("#curl-command")).to_be_visible()
    set_code(page, "variables", "{oops")
    page.get_by_role("button", name=re.compile("^Ejecutar")).click()
    expect(page.locator("#variables-error")).to_be_visible()
    run_axe(page)
    page.get_by_role("searchbox", name=re.compile("^Buscar")).fill("municipality")
    expect(page.locator("#docs-search-results li").first).to_be_visible()
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
        expect(editor(page, "query")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Ejecutar")).click()
        expect(page.locator("#status")).to_contain_text("HTTP 200")
        page.locator("#docs-root").get_by_role(
            "button", name="Municipality", exact=True
        ).first.click()
        expect(page.locator("#docs-type .field-name", has_text="oneCode")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Copiar como curl")).click()
        expect(page.locator("#curl-command")).to_be_visible()

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
    editor(page, "query").press("Control+Enter")  # keyboard use, so focus is shown
    expect(page.locator("#status")).to_contain_text("HTTP 200")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".skip-link").first.focus()

    seen: list[str] = []
    for _ in range(250):
        info = page.evaluate(
            """() => {
                const e = document.activeElement;
                const r = e.getBoundingClientRect();
                const s = getComputedStyle(e);
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                const code = e.classList.contains('cm-content') ? e.closest('.code-editor') : null;
                return {
                    key: code ? code.id : e.id || e.className || e.tagName,
                    text: code ? '' : e.textContent.trim().slice(0, 40),
                    tag: e.tagName,
                    editor: code !== null,
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
        if info["tag"] == "TEXTAREA" or info["editor"]:
            page.keyboard.press("Escape")
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"focus never cycled back: {seen[:10]}…")

    keys = [entry.split(":", 1)[0] for entry in seen]
    assert keys[:2] == ["skip-link", "skip-docs"], seen
    expected = [
        "query-editor",
        "variables-editor",
        "headers-editor",
        "operation-name",
        "run",
        "copy-curl",
        "reset-example",
        "editor-mode",
        "response",
        "history-clear",
        "docs-search",
    ]
    positions = [keys.index(name) for name in expected]  # each one is a stop, in this order
    assert positions == sorted(positions), seen
    assert "type-link:Municipality" in seen, seen
    explorer.assert_clean()
