"""WCAG helpers shared by the web client and its tests.

Nothing here depends on Starlette or Jinja: view and language selection, contrast
ratios, the colour palette and `lang` checks are plain functions over plain values.
"""

from accessibility.contrast import (
    AA_LARGE_TEXT,
    AA_NON_TEXT,
    AA_NORMAL_TEXT,
    contrast_ratio,
    meets,
    parse_hex,
    relative_luminance,
)
from accessibility.langtag import is_well_formed, primary_language, same_language
from accessibility.language import (
    DEFAULT_LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGE_PARAMETER,
    Language,
    choose_language,
    negotiate,
    parse_accept_language,
    parse_language,
)
from accessibility.palette import COLOURS, DECORATIVE, PAIRS, Pair
from accessibility.views import VIEW_COOKIE, VIEW_PARAMETER, View, choose_view, parse_view

__all__ = [
    "AA_LARGE_TEXT",
    "AA_NON_TEXT",
    "AA_NORMAL_TEXT",
    "COLOURS",
    "DECORATIVE",
    "DEFAULT_LANGUAGE",
    "LANGUAGE_COOKIE",
    "LANGUAGE_PARAMETER",
    "PAIRS",
    "VIEW_COOKIE",
    "VIEW_PARAMETER",
    "Language",
    "Pair",
    "View",
    "choose_language",
    "choose_view",
    "contrast_ratio",
    "is_well_formed",
    "meets",
    "negotiate",
    "parse_accept_language",
    "parse_hex",
    "parse_language",
    "parse_view",
    "primary_language",
    "relative_luminance",
    "same_language",
]
