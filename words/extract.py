"""Developer tool: extract every domain's message ids and merge them into its catalogues.

Run `python -m words.extract` after adding, changing or removing a text (or
`python -m words.extract sources schema` for some domains only). Existing
translations are kept, new ids arrive untranslated (the catalogue test then fails until
they are translated in both languages), and ids no longer used are dropped.

Which code feeds which domain is `SOURCES` below: a domain's ids are the strings given to
`_()`/`gettext()`/`ngettext()` in its templates, to `N_()`, and the second argument of
`Message(domain, "id", ...)` in its Python files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import write_po

from words.catalogue import LANGUAGES, catalogue_path, read_catalogue

ROOT = Path(__file__).resolve().parents[1]

#: Functions whose string arguments are messages.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "Message": (2,),
}
_JINJA = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}

#: domain → (glob under the project root, ...) of the files whose texts it holds, and the
#: globs taken out of it (each file belongs to one domain).
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "messages": (("web/**/*.py", "web/templates/**/*.html"), ()),
    "emails": (("gateway/outbox_delivery/emails.py",), ()),
    "graphql": (("gateway/graphql_app.py",), ()),
    "sources": (("connectors/**/*.py", "store/**/*.py"), ()),
    "gateway": (
        ("gateway/**/*.py",),
        ("gateway/outbox_delivery/emails.py", "gateway/graphql_app.py"),
    ),
    "accounts": (
        (
            "schema/citizens/**/*.py",
            "schema/developers/**/*.py",
            "schema/audit/**/*.py",
            "schema/deliveries/**/*.py",
        ),
        (),
    ),
    "schema": (
        ("schema/**/*.py",),
        (
            "schema/citizens/**/*.py",
            "schema/developers/**/*.py",
            "schema/audit/**/*.py",
            "schema/deliveries/**/*.py",
        ),
    ),
}


def files_of(domain: str, root: Path = ROOT) -> list[Path]:
    included, excluded = SOURCES[domain]
    taken = {p for pattern in excluded for p in root.glob(pattern)}
    return sorted({p for pattern in included for p in root.glob(pattern)} - taken)


def _messages(path: Path, root: Path) -> Iterator[tuple[int, str | tuple[str, ...], str | None]]:
    method = "jinja2.ext:babel_extract" if path.suffix == ".html" else "python"
    options = _JINJA if path.suffix == ".html" else {}
    for lineno, message, _comments, context in extract_from_file(
        method, str(path), keywords=KEYWORDS, options=options
    ):
        yield lineno, message, context


def extract_messages(domain: str, root: Path = ROOT) -> Catalog:
    """Every message id the domain's files use, as a template catalogue."""
    catalogue = Catalog(domain=domain)
    for path in files_of(domain, root):
        location = str(path.relative_to(root))
        for lineno, message, context in _messages(path, root):
            catalogue.add(message, locations=[(location, lineno)], context=context)
    return catalogue


def update_catalogues(domains: tuple[str, ...] = tuple(SOURCES)) -> None:
    for domain in domains:
        template = extract_messages(domain)
        for language, locale in LANGUAGES.items():
            path = catalogue_path(language, domain)
            current = read_catalogue(language, domain) if path.exists() else None
            catalogue = current or Catalog(
                locale=locale, domain=domain, project="PLANASMUN", fuzzy=False
            )
            catalogue.update(template, no_fuzzy_matching=True)
            catalogue.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as po:
                write_po(po, catalogue, width=100, omit_header=False, sort_output=True)


def main(argv: list[str]) -> None:
    unknown = [domain for domain in argv if domain not in SOURCES]
    if unknown:
        raise SystemExit(f"unknown domain(s) {unknown}; known: {', '.join(SOURCES)}")
    update_catalogues(tuple(argv) or tuple(SOURCES))


if __name__ == "__main__":
    main(sys.argv[1:])
