from __future__ import annotations

from decimal import Decimal

import pytest

from web.formatting import money


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("15000.00", "RD$ 15,000.00"),
        (Decimal("15000"), "RD$ 15,000.00"),
        ("0", "RD$ 0.00"),
        ("1234567.5", "RD$ 1,234,567.50"),
        ("99.999", "RD$ 100.00"),
    ],
)
def test_pesos_as_dominicans_write_them(amount: str | Decimal, expected: str) -> None:
    assert money(amount, "DOP") == expected


def test_english_pages_show_the_same_amount() -> None:
    assert money("15000.00", "DOP", "en") == "RD$ 15,000.00"


def test_other_currencies() -> None:
    assert money("10", "USD") == "US$ 10.00"
    assert money("10", "EUR") == "EUR 10.00"
