"""Every catalogue of `words/` (issue 11): each domain held in Spanish and in English,
every entry translated in both, placeholders kept, and exactly the ids the code uses.

The pages' own checks (no English word on a Spanish page, templates marked) are in
`tests/web/test_i18n.py`; this file holds what is true of every domain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as Entry

from words import DOMAINS, LANGUAGES, Message, catalogue_path, read_catalogue, translate
from words.extract import SOURCES, extract_messages, files_of

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CASES = [(domain, language) for domain in DOMAINS for language in LANGUAGES]


def _ids(message: Entry) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _strings(message: Entry) -> tuple[str, ...]:
    found = message.string
    return tuple(found) if isinstance(found, tuple | list) else (found or "",)


def entries(catalogue: Catalog) -> list[Entry]:
    return [m for m in catalogue if m.id]


def test_every_domain_has_its_sources_and_both_catalogues() -> None:
    assert set(DOMAINS) == set(SOURCES)
    for domain in DOMAINS:
        assert files_of(domain), f"no code feeds the {domain!r} catalogue"
        for language in LANGUAGES:
            assert catalogue_path(language, domain).is_file(), (domain, language)


def test_each_file_feeds_one_domain() -> None:
    seen: dict[Path, str] = {}
    for domain in DOMAINS:
        for path in files_of(domain):
            assert path not in seen, f"{path} feeds both {seen[path]!r} and {domain!r}"
            seen[path] = domain


@pytest.mark.parametrize(("domain", "language"), CASES)
def test_every_entry_is_translated(domain: str, language: str) -> None:
    catalogue = read_catalogue(language, domain)
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy: nothing would load"
    messages = entries(catalogue)
    assert messages
    assert [m.id for m in messages if not all(s.strip() for s in _strings(m))] == []
    assert [m.id for m in messages if m.fuzzy] == []
    assert [(m.id, errors) for m, errors in catalogue.check()] == []


@pytest.mark.parametrize(("domain", "language"), CASES)
def test_translations_keep_every_placeholder(domain: str, language: str) -> None:
    for message in entries(read_catalogue(language, domain)):
        wanted = {p for text in _ids(message) for p in PLACEHOLDER.findall(text)}
        for text in _strings(message):
            found = set(PLACEHOLDER.findall(text))
            # A singular may drop %(num)d ("un servicio"); nothing else may go missing.
            assert wanted - found <= {"num"}, (domain, message.id, text)
            assert found <= wanted, (domain, message.id, text)


@pytest.mark.parametrize("domain", DOMAINS)
def test_both_languages_hold_the_same_ids(domain: str) -> None:
    spanish = {m.id for m in entries(read_catalogue("es", domain))}
    english = {m.id for m in entries(read_catalogue("en", domain))}
    assert spanish - english == set(), "missing from the English catalogue"
    assert english - spanish == set(), "missing from the Spanish catalogue"


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogues_hold_exactly_the_ids_in_use(domain: str) -> None:
    in_use = {m.id for m in extract_messages(domain) if m.id}
    held = {m.id for m in entries(read_catalogue("es", domain))}
    assert in_use - held == set(), f"run `python -m words.extract {domain}` and translate"
    assert held - in_use == set(), f"obsolete ids in {domain}: run `python -m words.extract`"


def test_a_message_is_worded_in_each_language_with_its_parameters() -> None:
    message_id = "The document has no operation named `%(name)s`."
    message = Message("graphql", message_id, {"name": "B"})
    spanish = read_catalogue("es", "graphql").get(message_id)
    assert spanish is not None and isinstance(spanish.string, str)
    assert message.es == spanish.string % {"name": "B"}
    assert message.en == "The document has no operation named `B`."
    assert message.es != message.en


def test_an_id_missing_from_the_catalogue_is_shown_as_its_english_id() -> None:
    # gettext's fallback: never a blank, and the catalogue tests above catch it first.
    assert translate("schema", "An id nobody added", "es") == "An id nobody added"
