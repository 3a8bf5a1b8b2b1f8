"""The web pages' catalogues: the `messages` domain of `words`, and the e-mails' domain.

`python -m words.extract messages` adds new message ids of the templates and of `web`'s
Python code to both `messages` catalogues after templates or labels change.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.support import Translations

from accessibility import Language
from words import catalogue_path as _catalogue_path
from words import read_catalogue as _read_catalogue
from words import translations as _translations

DOMAIN = "messages"
#: The e-mails to citizens (`gateway.outbox_delivery.emails`), kept apart from the pages' texts.
EMAILS_DOMAIN = "emails"

__all__ = ["DOMAIN", "EMAILS_DOMAIN", "catalogue_path", "read_catalogue", "translations"]


def catalogue_path(language: Language, domain: str = DOMAIN) -> Path:
    return _catalogue_path(language.value, domain)


def read_catalogue(language: Language, domain: str = DOMAIN) -> Catalog:
    return _read_catalogue(language.value, domain)


def translations(language: Language, domain: str = DOMAIN) -> Translations:
    """The language's translations of one domain (the pages' `messages` by default)."""
    return _translations(language.value, domain)
