"""Every string a citizen reads goes through the catalogues, in Spanish and in English."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

import web
from accessibility import Language, View
from gateway.identity import Identity
from gateway.identity.login import login_routes
from schema import build_schema
from schema.municipalities.types import MunicipalityKind
from schema.services.types import Channel, ServiceCategory
from tests.web.conftest import example_headers
from tests.web.htmltools import parse, text_in_page_language
from web.i18n import translations
from web.labels import CATEGORY, CHANNEL, KIND
from web.routing import ExampleURL
from web.templating import TEMPLATES_DIR, default_renderer

EXAMPLES = web.example_urls([*login_routes(Identity()), *web.build_routes(build_schema())])
TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))

#: Interface words that must not appear in an English page (data parts are marked es-DO).
SPANISH_WORDS = {
    "ayuntamiento", "buscar", "categoría", "contacto", "costo", "datos", "dirección",
    "encuentre", "gratis", "horario", "inicio", "junta", "mostrar", "municipios", "ningún",
    "página", "provincia", "qué", "requisitos", "saltar", "servicios", "teléfono", "tiempo",
    "trámites", "vista", "volver",
}  # fmt: skip
#: Interface words that must not appear in a Spanish page.
ENGLISH_WORDS = {
    "and", "back", "category", "cost", "find", "free", "home", "not", "of", "page",
    "phone", "search", "services", "show", "skip", "the", "view", "working", "your",
}  # fmt: skip


# Every catalogue's completeness, placeholders and ids in use: tests/test_catalogues.py.


def test_catalogues_load_without_a_compile_step() -> None:
    assert translations(Language.SPANISH).gettext("Free") == "Gratis"
    assert translations(Language.ENGLISH).gettext("Free") == "Free"
    assert translations(Language.SPANISH).ngettext(
        "%(num)d working day", "%(num)d working days", 2
    ) == ("%(num)d días laborables")


def test_every_enum_value_of_the_schema_has_a_label() -> None:
    assert set(KIND) == {k.name for k in MunicipalityKind}
    assert set(CATEGORY) == {c.name for c in ServiceCategory}
    assert set(CHANNEL) == {c.name for c in Channel}


def _has_letters(text: str | None) -> bool:
    return text is not None and re.search(r"[^\W\d_]", text) is not None


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and _has_letters(value):
                self.found.append(f"{name}={value}")

    def handle_data(self, data: str) -> None:
        self.found.append(data)


def literal_visible_text(template: Path) -> list[str]:
    """Text of a template outside `{{ }}` and `{% %}` that would reach a reader."""
    environment = default_renderer().environments[Language.SPANISH]
    pieces = []
    for _line, token, value in environment.lex(template.read_text(encoding="utf-8")):
        if token == "data":
            pieces.append(value)
        elif token in ("variable_begin", "block_begin"):
            pieces.append(" ")
    parser = _VisibleText()
    parser.feed("".join(pieces))
    parser.close()
    return [text.strip() for text in parser.found if _has_letters(text)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_templates_hold_no_untranslated_text(template: Path) -> None:
    assert literal_visible_text(template) == []


def test_the_template_check_would_catch_literal_text(tmp_path: Path) -> None:
    sample = tmp_path / "sample.html"
    sample.write_text('<p>{{ _("Ok") }} Hola</p><a title="Inicio" href="{{ x }}">{{ y }}</a>')
    assert literal_visible_text(sample) == ["Hola", "title=Inicio"]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))


@pytest.mark.parametrize("view", View)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_english_pages_show_no_spanish_interface_text(
    client: httpx.Client, example: ExampleURL, view: View, demo_sessions: Mapping[str, str]
) -> None:
    headers = example_headers(example, demo_sessions, lang="en", vista=view.value)
    response = client.get(example.url, headers=headers)
    assert response.status_code == example.status
    document = parse(response.text)
    assert document.get("lang") == "en"
    assert _words(text_in_page_language(document)) & SPANISH_WORDS == set()


@pytest.mark.parametrize("view", View)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url)
def test_spanish_pages_show_no_english_interface_text(
    client: httpx.Client, example: ExampleURL, view: View, demo_sessions: Mapping[str, str]
) -> None:
    response = client.get(
        example.url, headers=example_headers(example, demo_sessions, vista=view.value)
    )
    assert response.status_code == example.status
    document = parse(response.text)
    assert document.get("lang") == "es-DO"
    assert _words(text_in_page_language(document)) & ENGLISH_WORDS == set()
