"""Spanish-aware text matching: accent- and case-insensitive, ignoring filler words."""

from __future__ import annotations

from connectors import fold

__all__ = ["fold", "matches", "terms"]

#: Words that carry no meaning in a search ("licencia de construcción" ≈ "licencia construccion").
_STOPWORDS = frozenset(
    [
        "a",
        "al",
        "con",
        "de",
        "del",
        "e",
        "el",
        "en",
        "la",
        "las",
        "lo",
        "los",
        "o",
        "para",
        "por",
        "u",
        "un",
        "una",
        "y",
    ]
)


def terms(query: str) -> list[str]:
    return [word for word in fold(query).split() if word not in _STOPWORDS]


def matches(query: str, *fields: str | None) -> bool:
    """True when every term of `query` starts a word in one of `fields`."""
    wanted = terms(query)
    if not wanted:
        return True
    words = fold(" ".join(f for f in fields if f)).split()
    return all(any(word.startswith(term) for word in words) for term in wanted)
