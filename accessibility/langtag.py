"""Checks of `lang` attributes (WCAG 3.1.1 Language of Page, 3.1.2 Language of Parts).

A simplified BCP 47 grammar: language, optional script, optional region, variants. It
accepts every tag the platform emits and rejects the usual mistakes (`es_DO`, `spanish`,
an empty value).
"""

from __future__ import annotations

import re

_TAG = re.compile(
    r"^(?P<language>[a-zA-Z]{2,3})"
    r"(?:-(?P<script>[a-zA-Z]{4}))?"
    r"(?:-(?P<region>[a-zA-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*$"
)


def is_well_formed(tag: str) -> bool:
    return _TAG.match(tag) is not None


def primary_language(tag: str) -> str:
    """`es-DO` → `es`; raises ValueError for a malformed tag."""
    found = _TAG.match(tag)
    if found is None:
        raise ValueError(f"not a BCP 47 language tag: {tag!r}")
    return found.group("language").lower()


def same_language(tag: str, expected: str) -> bool:
    """True when `tag` is well formed and names the language of `expected` (any region)."""
    return is_well_formed(tag) and primary_language(tag) == primary_language(expected)
