from __future__ import annotations

import re
from pathlib import Path

import pytest

from accessibility.contrast import parse_hex
from accessibility.palette import COLOURS, DECORATIVE, PAIRS, Pair, css_custom_properties

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
STYLESHEETS = sorted(STATIC.glob("*.css"))
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
# Colours written any other way would escape the palette.
OTHER_COLOUR_SYNTAX = re.compile(
    r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(|\b(?:black|white|red|blue|yellow|"
    r"green|grey|gray|navy|orange|purple)\b",
    re.IGNORECASE,
)


def test_stylesheets_exist() -> None:
    assert [p.name for p in STYLESHEETS] == ["simple.css", "site.css"]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p.foreground}-on-{p.background}")
def test_every_pair_meets_its_wcag_minimum(pair: Pair) -> None:
    assert pair.ratio >= pair.minimum, (
        f"{pair.foreground} on {pair.background} ({pair.where}): "
        f"{pair.ratio:.2f}:1 < {pair.minimum}:1"
    )


def test_pairs_name_palette_colours_and_cover_every_informative_colour() -> None:
    used = {name for pair in PAIRS for name in (pair.foreground, pair.background)}
    assert used <= set(COLOURS)
    assert set(COLOURS) - used == DECORATIVE


def test_palette_values_are_lowercase_six_digit_hex() -> None:
    for name, value in COLOURS.items():
        parse_hex(value)
        assert re.fullmatch(r"#[0-9a-f]{6}", value), name


def test_site_css_declares_the_palette_verbatim() -> None:
    assert css_custom_properties() in (STATIC / "site.css").read_text(encoding="utf-8")


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda p: p.name)
def test_stylesheets_use_no_colour_outside_the_palette(stylesheet: Path) -> None:
    css = stylesheet.read_text(encoding="utf-8").replace(css_custom_properties(), "")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    assert HEX.findall(css) == [], "use var(--colour-…) instead of a literal colour"
    assert OTHER_COLOUR_SYNTAX.findall(css) == []
    for name in re.findall(r"var\(--colour-([a-z-]+)\)", css):
        assert name in COLOURS, f"--colour-{name} is not in the palette"
