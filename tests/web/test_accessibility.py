"""Every page, in both languages and both views, in real Chromium: axe-core finds no
WCAG 2.2 AA violation, nothing scrolls sideways at 320 px, and the keyboard works.

Pages are discovered from the route table (`web.example_urls`), so a page added later
is audited without touching this file; `test_every_html_route_is_audited` fails if an
HTML route escapes that discovery.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import web
from accessibility import Language, View, same_language
from gateway.app import create_app
from gateway.identity import Identity
from gateway.identity.login import login_routes
from gateway.identity.sessions import SESSION_COOKIE
from gateway.settings import Settings
from schema import build_schema
from web.routing import ExampleURL, Page

pytestmark = pytest.mark.browser

EXAMPLES = web.example_urls([*login_routes(Identity()), *web.build_routes(build_schema())])
VARIANTS = [(language, view) for language in Language for view in View]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
#: GET routes outside the web client that answer HTML, and who audits them.
HTML_ELSEWHERE = {"graphql": "the GraphQL explorer for developers, owned by the gateway"}
#: Routes that take parameters and answer only JSON or XML (Open311 GeoReport v2): one
#: concrete URL of each is asked for HTML and must not answer with it.
MACHINE_READABLE = {
    "/open311/v2/services/{service_code}.{format}": (
        "/open311/v2/services/recogida-desechos-comercial.json?jurisdiction_id=santo-domingo-este"
    ),
    "/open311/v2/services.{format}": "/open311/v2/services.xml?jurisdiction_id=jarabacoa",
    "/open311/v2/requests.{format}": "/open311/v2/requests.json?jurisdiction_id=jarabacoa",
    "/open311/v2/requests/{service_request_id}.{format}": (
        "/open311/v2/requests/JAR-2026-999999.xml?jurisdiction_id=jarabacoa"
    ),
    "/open311/v2/tokens/{token}.{format}": (
        "/open311/v2/tokens/JAR-2026-999999.json?jurisdiction_id=jarabacoa"
    ),
    "/open311/v2/discovery.{format}": "/open311/v2/discovery.json",
    # An OCDS release package (gateway/procurement_package.py).
    "/datos/contrataciones/{municipality}.json": "/datos/contrataciones/la-vega.json",
}


def _variant_id(variant: tuple[Language, View]) -> str:
    return f"{variant[0].value}-{variant[1].value}"


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class Tabs:
    """One browser tab per language, view and signed-in demo account (None: anonymous),
    opened when first needed; the choices travel as the site's cookies."""

    def __init__(self, chromium: Any, live_hub: str, sessions: Mapping[str, str]) -> None:
        self.chromium = chromium
        self.live_hub = live_hub
        self.sessions = sessions
        self.contexts: list[Any] = []
        self.opened: dict[tuple[Language, View, str | None], Any] = {}

    def __getitem__(self, variant: tuple[Language, View]) -> Any:
        return self.tab(variant, None)

    def tab(self, variant: tuple[Language, View], user: str | None) -> Any:
        key = (*variant, user)
        if key not in self.opened:
            language, view = variant
            context = self.chromium.new_context(
                base_url=self.live_hub, viewport={"width": 1280, "height": 900}
            )
            cookies = [
                {"name": "lang", "value": language.value, "url": self.live_hub},
                {"name": "vista", "value": view.value, "url": self.live_hub},
            ]
            if user is not None:
                cookies.append(
                    {"name": SESSION_COOKIE, "value": self.sessions[user], "url": self.live_hub}
                )
            context.add_cookies(cookies)
            self.contexts.append(context)
            self.opened[key] = context.new_page()
        return self.opened[key]

    def for_example(self, variant: tuple[Language, View], example: ExampleURL) -> Any:
        return self.tab(variant, example.signed_in_as)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def tabs(chromium: Any, live_hub: str, demo_sessions: Mapping[str, str]) -> Iterator[Tabs]:
    opened = Tabs(chromium, live_hub, demo_sessions)
    yield opened
    opened.close()


def _open(page: Any, example: ExampleURL, language: Language) -> None:
    response = page.goto(example.url)
    assert response is not None and response.status == example.status, example.url
    lang = page.evaluate("document.documentElement.lang")
    assert same_language(lang, language.tag), f"<html lang={lang!r}> on a {language} page"
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_axe_finds_no_wcag_violation(
    tabs: Tabs,
    axe: Any,
    example: ExampleURL,
    variant: tuple[Language, View],
) -> None:
    page = tabs.for_example(variant, example)
    _open(page, example, variant[0])
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{example.url}\n{results.generate_report()}"


@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_nothing_scrolls_sideways_at_320_px(
    tabs: Tabs, example: ExampleURL, variant: tuple[Language, View]
) -> None:
    """WCAG 1.4.10 Reflow: 320 CSS px is also 1280 px at 400 % zoom (200 % is wider)."""
    page = tabs.for_example(variant, example)
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        _open(page, example, variant[0])
        overflow = page.evaluate(
            """() => {
                const root = document.documentElement;
                const wide = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
                    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
                return {scroll: root.scrollWidth, client: root.clientWidth, wide: wide};
            }"""
        )
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow["scroll"] <= overflow["client"], overflow
    assert overflow["wide"] == [], overflow


_FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const box = el.getClientRects()[0] || el.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        cls: el.className,
        text: (el.textContent || '').trim().slice(0, 60),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
        outlineColor: style.outlineColor,
        onScreen: box.width > 0 && box.height > 0 && y >= 0 && y <= innerHeight
            && x >= 0 && x <= innerWidth,
        unobscured: hit !== null && (hit === el || el.contains(hit)),
    };
}"""


@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    tabs: Tabs, variant: tuple[Language, View]
) -> None:
    page = tabs[variant]
    _open(page, EXAMPLES[0], variant[0])
    page.keyboard.press("Tab")
    first = page.evaluate(_FOCUS_STATE)
    assert first is not None and first["cls"] == "skip-link", first
    assert first["onScreen"] and first["unobscured"], first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    assert page.evaluate("location.hash") == "#contenido"
    # The next Tab continues inside main, past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_every_tab_stop_shows_a_visible_unobscured_focus(
    tabs: Tabs, example: ExampleURL, variant: tuple[Language, View]
) -> None:
    """WCAG 2.4.7 Focus Visible and 2.4.11 Focus Not Obscured, by tabbing for real."""
    page = tabs.for_example(variant, example)
    _open(page, example, variant[0])
    seen: list[dict[str, Any]] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_STATE)
        if state is None or (seen and state == seen[0]):
            break  # focus left the document, or wrapped around
        seen.append(state)
        assert state["outlineStyle"] not in ("none", "hidden"), state
        assert state["outlineWidth"] >= 2, state
        assert state["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)"), state
        assert state["onScreen"], state
        assert state["unobscured"], state
    else:
        pytest.fail("Tab never left the page: a keyboard trap?")
    assert len(seen) >= 5, seen


def test_every_html_route_is_audited(live_hub: str) -> None:
    """A GET route that answers HTML must be a `Page` with examples, or be listed above."""
    audited = {url.page for url in EXAMPLES}
    app = create_app(Settings())
    problems = []
    with httpx.Client(base_url=live_hub, headers={"Accept": "text/html"}) as client:
        for route in app.routes:
            if isinstance(route, Mount):
                if not isinstance(route.app, StaticFiles):
                    problems.append(f"mount {route.path} may serve pages nobody audits")
                continue
            if not isinstance(route, Route) or "GET" not in (route.methods or ()):
                continue
            if isinstance(route, Page):
                if route.name not in audited:
                    problems.append(f"page {route.name} has no examples in the audit")
                continue
            if route.path in MACHINE_READABLE:
                answer = client.get(MACHINE_READABLE[route.path])
                if answer.headers.get("content-type", "").startswith("text/html"):
                    problems.append(f"{route.path} answers HTML but is not a Page")
                continue
            if route.param_convertors:
                problems.append(f"{route.path} takes parameters but is not a Page")
                continue
            response = client.get(route.path)
            is_html = response.headers.get("content-type", "").startswith("text/html")
            if is_html and route.name not in HTML_ELSEWHERE:
                problems.append(f"{route.path} answers HTML but is not a Page with examples")
    assert problems == []
