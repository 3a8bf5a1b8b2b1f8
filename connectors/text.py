"""Folding Spanish text for comparison: case- and accent-insensitive."""

from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case, strip accents (á→a, ñ→n, ü→u), keep letters and digits, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in stripped).split())
