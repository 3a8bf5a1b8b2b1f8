"""Every word a citizen, an officer or an API client reads, in Spanish and English.

The ground floor of the hub, next to `store`: it imports nothing of the project, so every
layer may use it. Texts live in the gettext catalogues under `words/locale/<language>/
LC_MESSAGES/<domain>.po`; code names a text by its English message id and, where it has
them, its parameters (a `Message`), and the text is put into words only where someone
reads it. Connectors and the store raise errors with codes and parameters; the schema,
the pages and the gateway word them in the reader's language.
"""

from __future__ import annotations

from words.catalogue import (
    DOMAINS,
    LANGUAGES,
    LOCALE_DIR,
    catalogue_path,
    read_catalogue,
    translations,
)
from words.message import N_, Message, translate

__all__ = [
    "DOMAINS",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Message",
    "catalogue_path",
    "read_catalogue",
    "translate",
    "translations",
]
