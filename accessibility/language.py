"""Which language a page is rendered in: Spanish (es-DO) unless English is asked for.

Order of precedence: the visible switch (`?lang=en`), then the remembered choice (a
cookie), then the browser's `Accept-Language`, then Spanish.
"""

from __future__ import annotations

import enum

#: Query parameter of the visible switch, e.g. `?lang=en`.
LANGUAGE_PARAMETER = "lang"
#: Cookie that remembers the choice between pages.
LANGUAGE_COOKIE = "lang"


class Language(enum.StrEnum):
    SPANISH = "es"
    ENGLISH = "en"

    @property
    def tag(self) -> str:
        """BCP 47 tag for `<html lang>`: the platform's Spanish is the Dominican one."""
        return "es-DO" if self is Language.SPANISH else "en"

    @property
    def locale(self) -> str:
        """Babel/CLDR locale identifier for numbers and dates."""
        return "es_DO" if self is Language.SPANISH else "en"

    @property
    def native_name(self) -> str:
        """How the language names itself: the switch shows it to people who read it."""
        return "Español" if self is Language.SPANISH else "English"


DEFAULT_LANGUAGE = Language.SPANISH


def parse_language(value: str | None) -> Language | None:
    """A supported language from a tag such as `en`, `EN-us` or `es_DO`; else None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    try:
        return Language(primary)
    except ValueError:
        return None


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """Ranges of an `Accept-Language` header, best first (ties keep header order).

    Malformed entries are skipped rather than rejected: browsers and proxies send odd
    headers, and a page must render anyway.
    """
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, parameters = piece.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if tag.strip() and 0.0 < quality <= 1.0:
            ranges.append((tag.strip(), quality))
    return sorted(ranges, key=lambda item: -item[1])


def negotiate(accept_language: str | None) -> Language:
    """The first supported language the browser accepts; `*` or nothing means Spanish."""
    for tag, _quality in parse_accept_language(accept_language or ""):
        found = parse_language(tag)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE


def choose_language(
    requested: str | None, remembered: str | None, accept_language: str | None
) -> Language:
    return parse_language(requested) or parse_language(remembered) or negotiate(accept_language)
