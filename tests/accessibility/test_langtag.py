from __future__ import annotations

import pytest

from accessibility.langtag import is_well_formed, primary_language, same_language


@pytest.mark.parametrize(
    "tag", ["es", "es-DO", "en", "en-GB", "es-419", "zh-Hant-TW", "sl-rozaj", "de-DE-1996"]
)
def test_well_formed_tags(tag: str) -> None:
    assert is_well_formed(tag)


@pytest.mark.parametrize("tag", ["", "es_DO", "spanish", "e", "es-", "-DO", "es DO", "es-D"])
def test_malformed_tags(tag: str) -> None:
    assert not is_well_formed(tag)


def test_primary_language() -> None:
    assert primary_language("es-DO") == "es"
    assert primary_language("EN") == "en"
    with pytest.raises(ValueError, match="not a BCP 47"):
        primary_language("es_DO")


def test_same_language_ignores_region_but_not_language() -> None:
    assert same_language("es-DO", "es")
    assert same_language("es", "es-DO")
    assert not same_language("en", "es-DO")
    assert not same_language("es_DO", "es")
