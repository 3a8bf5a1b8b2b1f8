"""The GraphQL explorer page; its script and styles are files under `/explorer/`."""

from __future__ import annotations

import functools
from pathlib import Path

ASSETS = Path(__file__).with_name("explorer")


@functools.cache
def explorer_page() -> str:
    return (ASSETS / "index.html").read_text(encoding="utf-8")
