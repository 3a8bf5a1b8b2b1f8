import datetime as dt
from decimal import Decimal

import pytest

from connectors import convert


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RD$ 1.234.567,50", "1234567.50"),
        ("1,234,567.50", "1234567.50"),
        ("RD$1,500", "1500.00"),
        ("1.500,00", "1500.00"),
        ("1234,5", "1234.50"),
        ("1.234.567", "1234567.00"),
        ("(2,000.00)", "-2000.00"),
        (" RD$\u00a0350 ", "350.00"),
        (1500, "1500.00"),
        (1500.5, "1500.50"),
    ],
)
def test_money_in_both_dominican_conventions(text: object, expected: str) -> None:
    assert convert.to_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "RD$", "mil pesos", True])
def test_not_money_is_refused(text: object) -> None:
    with pytest.raises(ValueError, match="expected a number"):
        convert.to_money(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/03/2026", dt.date(2026, 3, 15)),
        ("2026-03-15", dt.date(2026, 3, 15)),
        (46096, dt.date(2026, 3, 15)),
        ("46096", dt.date(2026, 3, 15)),
        (dt.datetime(2026, 3, 15, 10, 30), dt.date(2026, 3, 15)),
    ],
)
def test_dates_as_treasurers_write_them(value: object, expected: dt.date) -> None:
    assert convert.to_date(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Sí", True), ("si", True), ("S", True), ("No", False), ("n", False), (1, True)],
)
def test_si_no_booleans(text: object, expected: bool) -> None:
    assert convert.to_bool(text) is expected


def test_unknown_boolean_is_refused() -> None:
    with pytest.raises(ValueError, match="Sí/No"):
        convert.to_bool("quizás")


def test_lists_split_and_trim() -> None:
    assert convert.to_list("Cédula; Plano ;; Recibo", ";") == ["Cédula", "Plano", "Recibo"]
    assert convert.to_list(["a", " ", "b"], ";") == ["a", "b"]
