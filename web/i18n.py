"""Message catalogues: read from the `.po` files at start-up, no compile step.

Message ids are English; `locale/en` repeats them so that a missing English string is
as visible to the catalogue test as a missing Spanish one. `python -m web.extract`
adds new message ids to both catalogues after templates or labels change.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from accessibility import Language

PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAIN = "messages"
#: The e-mails to citizens (`gateway.outbox_delivery.emails`), kept apart from the pages' texts.
EMAILS_DOMAIN = "emails"


def catalogue_path(language: Language, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / language.value / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(language: Language, domain: str = DOMAIN) -> Catalog:
    with catalogue_path(language, domain).open("rb") as po:
        return read_po(po, locale=language.locale, domain=domain)


@functools.cache
def translations(language: Language, domain: str = DOMAIN) -> Translations:
    """The language's translations of one domain (the pages' `messages` by default);
    raises at start-up if its catalogue is unreadable."""
    mo = io.BytesIO()
    write_mo(mo, read_catalogue(language, domain))
    mo.seek(0)
    return Translations(fp=mo, domain=domain)
