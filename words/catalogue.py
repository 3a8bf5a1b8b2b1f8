"""The catalogues: read from the `.po` files at start-up, no compile step.

Message ids are English; `locale/en` repeats them so that a missing English string is as
visible to the catalogue test as a missing Spanish one.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: Language code → Babel/CLDR locale. The platform's Spanish is the Dominican one.
LANGUAGES: dict[str, str] = {"es": "es_DO", "en": "en"}
#: Who reads each catalogue: `messages` the web pages, `emails` the e-mails to citizens,
#: `graphql` the endpoint's refusals of a request, `sources` what a municipality's system
#: or the hub's store could not do, `gateway` the HTTP layer's answers (limits, sign-in,
#: Open311), `schema` the API's errors and texts, `accounts` those of citizens' data,
#: developers' keys, audit and failed deliveries.
DOMAINS = ("messages", "emails", "graphql", "sources", "gateway", "schema", "accounts")


def catalogue_path(language: str, domain: str = "messages") -> Path:
    return LOCALE_DIR / str(language) / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(language: str, domain: str = "messages") -> Catalog:
    with catalogue_path(language, domain).open("rb") as po:
        return read_po(po, locale=LANGUAGES[str(language)], domain=domain)


@functools.cache
def translations(language: str, domain: str = "messages") -> Translations:
    """The language's translations of one domain; raises if its catalogue is unreadable."""
    mo = io.BytesIO()
    write_mo(mo, read_catalogue(language, domain))
    mo.seek(0)
    return Translations(fp=mo, domain=domain)
