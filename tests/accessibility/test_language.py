from __future__ import annotations

import pytest

from accessibility.langtag import is_well_formed
from accessibility.language import (
    DEFAULT_LANGUAGE,
    Language,
    choose_language,
    negotiate,
    parse_accept_language,
    parse_language,
)


def test_spanish_of_the_dominican_republic_is_the_default() -> None:
    assert DEFAULT_LANGUAGE is Language.SPANISH
    assert Language.SPANISH.tag == "es-DO"
    assert Language.SPANISH.locale == "es_DO"
    assert Language.ENGLISH.tag == "en"


def test_every_language_tag_is_well_formed_bcp47() -> None:
    for language in Language:
        assert is_well_formed(language.tag)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en", Language.ENGLISH),
        ("EN-us", Language.ENGLISH),
        ("es_DO", Language.SPANISH),
        ("es-419", Language.SPANISH),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_language(value: str | None, expected: Language | None) -> None:
    assert parse_language(value) is expected


def test_parse_accept_language_orders_by_quality_and_keeps_ties_in_order() -> None:
    header = "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5, it"
    assert parse_accept_language(header) == [
        ("fr-CH", 1.0),
        ("it", 1.0),
        ("fr", 0.9),
        ("en", 0.8),
        ("de", 0.7),
        ("*", 0.5),
    ]


def test_parse_accept_language_skips_rejected_and_malformed_ranges() -> None:
    assert parse_accept_language("en;q=0, es;q=abc, ,fr;q=2, de;q=0.5") == [("de", 0.5)]
    assert parse_accept_language("") == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", Language.ENGLISH),
        ("es-DO,es;q=0.9,en;q=0.8", Language.SPANISH),
        ("fr-FR, en;q=0.5", Language.ENGLISH),  # first *supported* language
        ("en;q=0.4, es;q=0.6", Language.SPANISH),
        ("fr, de", Language.SPANISH),  # nothing supported: the default
        ("*", Language.SPANISH),
        (None, Language.SPANISH),
    ],
)
def test_negotiate(header: str | None, expected: Language) -> None:
    assert negotiate(header) is expected


def test_choice_order_is_switch_then_cookie_then_browser() -> None:
    assert choose_language("en", "es", "es") is Language.ENGLISH
    assert choose_language(None, "en", "es") is Language.ENGLISH
    assert choose_language("xx", "en", "es") is Language.ENGLISH
    assert choose_language(None, None, "en") is Language.ENGLISH
    assert choose_language(None, "xx", "fr") is Language.SPANISH
