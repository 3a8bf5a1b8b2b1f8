"""Jinja2 environments (one per language, autoescaped) and the page layout's data."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import NoMatchFound

from accessibility import LANGUAGE_PARAMETER, VIEW_PARAMETER, Language, View
from schema.principal import Principal, principal_from_connection
from web import formatting
from web.csrf import csrf_field
from web.i18n import translations
from web.labels import LABELS
from web.links import login_link
from web.preferences import Preferences, remember, switch_url

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

#: Municipal data (names, descriptions, requirements) is published in Spanish only.
DATA_LANGUAGE = Language.SPANISH

#: Name of the static files mount; templates reach it through `page.static()`.
STATIC_ROUTE = "static"


@functools.cache
def _fingerprint(name: str) -> str:
    """Content hash for cache busting: a changed stylesheet gets a new URL."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    """What the layout needs on every page: language, view, switches, URLs."""

    request: Request
    preferences: Preferences
    route: str | None

    @property
    def language(self) -> Language:
        return self.preferences.language

    @property
    def lang(self) -> str:
        return self.preferences.language.tag

    @property
    def view(self) -> View:
        return self.preferences.view

    @property
    def simple(self) -> bool:
        return self.preferences.simple

    @property
    def data_lang(self) -> Markup:
        """` lang="es-DO"` on municipal data (always Spanish) inside an English page."""
        if self.language is DATA_LANGUAGE:
            return Markup("")
        return Markup(' lang="{}"').format(DATA_LANGUAGE.tag)

    @property
    def other_language(self) -> Language:
        return Language.ENGLISH if self.language is Language.SPANISH else Language.SPANISH

    @property
    def language_switch(self) -> str:
        return switch_url(self.request, LANGUAGE_PARAMETER, self.other_language.value)

    @property
    def view_switch(self) -> str:
        return switch_url(self.request, VIEW_PARAMETER, self.view.other.value)

    def url(self, name: str, /, **params: str) -> str:
        return self.request.url_for(name, **params).path

    def has_route(self, name: str, /, **params: str) -> bool:
        """Whether the app serves this page (apps built for tests may serve only some)."""
        try:
            self.request.url_for(name, **params)
        except NoMatchFound:
            return False
        return True

    def static(self, name: str) -> str:
        return f"{self.url(STATIC_ROUTE, path=name)}?v={_fingerprint(name)}"

    @property
    def principal(self) -> Principal:
        """Who is signed in (anonymous when nobody is)."""
        return principal_from_connection(self.request)

    @property
    def login_url(self) -> str | None:
        """Sign in and come back here; None when the app has no login routes."""
        return login_link(self.request, self.route)

    @property
    def stylesheets(self) -> list[str]:
        sheets = [self.static("site.css")]
        if self.simple:
            sheets.append(self.static("simple.css"))
        return sheets


def local_service_id(service_id: str) -> str:
    """`santiago:licencia-construccion` → `licencia-construccion`, the URL's last segment."""
    return service_id.partition(":")[2]


def _environment(language: Language) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    catalogue = translations(language)
    # The i18n extension adds this method at run time; typeshed cannot know it.
    install: Any = env.install_gettext_translations  # type: ignore[attr-defined]
    install(catalogue, newstyle=True)

    def label(group: str, value: str) -> str:
        message = LABELS[group].get(value)
        if message is None:  # a value the schema added after this client was written
            return value.replace("_", " ").capitalize()
        return catalogue.gettext(message)

    def money(amount: str, currency: str) -> str:
        return formatting.money(amount, currency, language.locale)

    def category_options() -> list[tuple[str, str]]:
        return [(value.lower(), label("category", value)) for value in LABELS["category"]]

    def as_data(value: str) -> Markup:
        """Municipal data inside a translated sentence keeps its own language."""
        if language is DATA_LANGUAGE:
            return escape(value)
        return Markup('<span lang="{}">{}</span>').format(DATA_LANGUAGE.tag, value)

    env.globals["label"] = label
    env.filters["data"] = as_data
    env.globals["category_options"] = category_options
    env.globals["local_service_id"] = local_service_id
    # `{{ csrf_field() }}` in every form that posts (see web.csrf).
    env.globals["csrf_field"] = csrf_field
    env.filters["money"] = money
    return env


class Renderer:
    """Renders a page template into a response in the request's language and view."""

    def __init__(self) -> None:
        # Built eagerly so that a broken catalogue or template directory stops start-up.
        self.environments = {language: _environment(language) for language in Language}

    def render(
        self,
        request: Request,
        preferences: Preferences,
        template: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        route = getattr(request.scope.get("route"), "name", None)
        layout = Layout(request, preferences, route)
        environment = self.environments[preferences.language]
        html = environment.get_template(template).render(page=layout, **context)
        response = HTMLResponse(html, status_code=status_code)
        hub = getattr(request.app.state, "hub", None)
        behind_https = bool(getattr(getattr(hub, "settings", None), "behind_https", False))
        remember(response, preferences, secure=behind_https or request.url.scheme == "https")
        if layout.principal.is_authenticated:
            # The page names who is signed in: never kept by a shared cache.
            response.headers["Cache-Control"] = "private, no-store"
        return response


@functools.cache
def default_renderer() -> Renderer:
    return Renderer()
