"""Developer tool: extract message ids from `web` and merge them into both catalogues.

Run `python -m web.extract` after changing templates or labels. Existing translations
are kept, new ids arrive untranslated (the catalogue test then fails until they are
translated), and ids no longer used are dropped.
"""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from accessibility import Language
from web.i18n import DOMAIN, PACKAGE_DIR, catalogue_path, read_catalogue

#: Functions whose string arguments are messages: `_()` in templates, `N_()` in Python
#: for labels translated later, `ngettext()` for plurals.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
}

#: Babel finds extractors by entry-point name and Jinja2 no longer registers one, so the
#: template extractor is named by import path.
_METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def extract_messages() -> Catalog:
    """Every message the templates and Python code of `web` use, as a template catalogue."""
    catalogue = Catalog(domain=DOMAIN)
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE_DIR), method_map=_METHODS, options_map=_OPTIONS, keywords=KEYWORDS
    ):
        catalogue.add(message, locations=[(filename, lineno)], context=context)
    return catalogue


def update_catalogues() -> None:
    template = extract_messages()
    for language in Language:
        current = read_catalogue(language) if catalogue_path(language).exists() else None
        catalogue = current or Catalog(
            locale=language.locale, domain=DOMAIN, project="PLANASMUN", fuzzy=False
        )
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with catalogue_path(language).open("wb") as po:
            write_po(po, catalogue, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    update_catalogues()
