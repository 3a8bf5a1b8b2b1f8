"""Every colour of the web client, declared once, with the pairs it is used in.

`web/static/site.css` declares these exact values as custom properties
(`--colour-<name>`) and uses nothing else; `tests/accessibility/test_palette.py` holds
the stylesheet to that and checks each pair against WCAG 2.x AA.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from accessibility.contrast import AA_NON_TEXT, AA_NORMAL_TEXT, contrast_ratio

COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "text": "#0b0c0c",
        "background": "#ffffff",
        "secondary-text": "#505a5f",
        "panel": "#f3f2f1",
        "notice": "#fff7bf",
        "link": "#1d70b8",
        "link-visited": "#4c2c92",
        "link-hover": "#003078",
        # The blue and red of the Dominican flag.
        "brand": "#002d62",
        "on-brand": "#ffffff",
        "accent": "#ce1126",
        "focus": "#ffdd00",
        "focus-text": "#0b0c0c",
        "button": "#00703c",
        "button-hover": "#005a30",
        "on-button": "#ffffff",
        "error": "#d4351c",
        "border": "#b1b4b6",
    }
)

#: Colours that carry no information (separators between cards), so 1.4.11 does not
#: apply; everything else must appear in a checked pair.
DECORATIVE: frozenset[str] = frozenset({"border"})


@dataclasses.dataclass(frozen=True, slots=True)
class Pair:
    """A foreground drawn on a background somewhere in the client."""

    foreground: str
    background: str
    minimum: float
    where: str

    @property
    def ratio(self) -> float:
        return contrast_ratio(COLOURS[self.foreground], COLOURS[self.background])


PAIRS: tuple[Pair, ...] = (
    Pair("text", "background", AA_NORMAL_TEXT, "body text"),
    Pair("text", "panel", AA_NORMAL_TEXT, "text on cards and the footer"),
    Pair("text", "notice", AA_NORMAL_TEXT, "text of notices"),
    Pair("secondary-text", "background", AA_NORMAL_TEXT, "hints and captions"),
    Pair("secondary-text", "panel", AA_NORMAL_TEXT, "captions on cards and the footer"),
    Pair("link", "background", AA_NORMAL_TEXT, "links"),
    Pair("link", "panel", AA_NORMAL_TEXT, "links on cards and the footer"),
    Pair("link", "notice", AA_NORMAL_TEXT, "links inside notices"),
    Pair("link-visited", "background", AA_NORMAL_TEXT, "visited links"),
    Pair("link-visited", "panel", AA_NORMAL_TEXT, "visited links on cards"),
    Pair("link-hover", "background", AA_NORMAL_TEXT, "links under the pointer"),
    Pair("link-hover", "panel", AA_NORMAL_TEXT, "links under the pointer on cards"),
    Pair("on-brand", "brand", AA_NORMAL_TEXT, "header text and links"),
    Pair("focus-text", "focus", AA_NORMAL_TEXT, "a focused link or button"),
    Pair("on-button", "button", AA_NORMAL_TEXT, "button label"),
    Pair("on-button", "button-hover", AA_NORMAL_TEXT, "button label under the pointer"),
    Pair("on-button", "error", AA_NORMAL_TEXT, "label of a button that deletes data"),
    Pair("error", "background", AA_NORMAL_TEXT, "error and warning text"),
    Pair("text", "background", AA_NON_TEXT, "field borders and the inner focus ring"),
    Pair("focus", "brand", AA_NON_TEXT, "outer focus ring inside the header"),
    Pair("accent", "background", AA_NON_TEXT, "stripe under the header"),
    Pair("error", "notice", AA_NON_TEXT, "border of warning notices"),
    Pair("error", "background", AA_NON_TEXT, "bars and borders of fields with an error"),
)


def css_custom_properties() -> str:
    """The `:root` block the stylesheet must contain, one property per line."""
    lines = [f"  --colour-{name}: {value};" for name, value in COLOURS.items()]
    return ":root {\n" + "\n".join(lines) + "\n}"
