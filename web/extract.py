"""Developer tool, kept by its old name: `python -m web.extract` is `python -m words.extract`."""

from __future__ import annotations

from babel.messages.catalog import Catalog

from words.extract import update_catalogues
from words.extract import extract_messages as _extract_messages

__all__ = ["extract_messages", "update_catalogues"]


def extract_messages() -> Catalog:
    """Every message the templates and Python code of `web` use (the `messages` domain)."""
    return _extract_messages("messages")


if __name__ == "__main__":
    update_catalogues()
