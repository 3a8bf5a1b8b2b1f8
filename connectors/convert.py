"""Conversions from values as municipal systems keep them to the schema's types.

Treasurers write "RD$ 1.234.567,50" or "1,234,567.50", dates as "15/03/2026" or as an
Excel serial, booleans as "Sí"/"No". Each function raises `ValueError` with a short English
reason; the mapper wraps it in a `MappingError` naming municipality, source and field.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.text import fold

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MONEY_NOISE = re.compile(r"(?i)rd\$|us\$|dop|\$|\s|\u00a0")
_HUNDREDTH = Decimal("0.01")
#: How an accountant's format writes zero: a lone dash (hyphen, en or em dash).
_DASHES = frozenset({"-", "\u2013", "\u2014"})


def to_text(value: Any) -> str:
    if type(value) is str:  # the usual case, first
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number, found a yes/no value")
    if isinstance(value, int):
        return value
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise ValueError("expected a whole number")
    return int(number)


def to_decimal(value: Any) -> Decimal:
    """Numbers in either Dominican convention: '1,234,567.50' or '1.234.567,50'."""
    if isinstance(value, bool):
        raise ValueError("expected a number, found a yes/no value")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _MONEY_NOISE.sub("", str(value))
    if text in _DASHES:
        return Decimal(0)  # "RD$ -": the accounting format's zero
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if not text:
        raise ValueError("expected a number, found an empty value")
    last_comma, last_dot = text.rfind(","), text.rfind(".")
    if last_comma > last_dot:
        # "1.234.567,50" or "1234,5": the comma is the decimal mark, unless it groups thousands.
        decimals_after_comma = len(text) - last_comma - 1
        if (text.count(",") == 1 and decimals_after_comma != 3) or last_dot != -1:
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif last_dot > last_comma:
        # "1.234.567": several dots can only group thousands.
        text = text.replace(".", "") if text.count(".") > 1 else text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("expected a number") from None
    return -number if negative else number


def to_money(value: Any) -> Decimal:
    return to_decimal(value).quantize(Decimal("0.01"))


def to_percent(value: Any) -> Decimal:
    """Percentage points: 80.4, "80,4 %", "80.4%". A number is taken as written."""
    if isinstance(value, str):
        value = value.replace("%", "")
    return to_decimal(value)


def to_fraction_percent(value: Any) -> Decimal:
    """Percentage points from a cell formatted as a percentage, which holds a fraction of
    one (0.804 shows as 80,4 %); a text with a % sign ("80,4 %") is taken as written."""
    if isinstance(value, str) and "%" in value:
        return to_percent(value)
    # Two decimals of a point: what a workbook shows, without the float's noise.
    return (to_decimal(value) * 100).quantize(_HUNDREDTH)


def to_date(value: Any, day_first: bool = True) -> dt.date:
    """A date as dd/mm/yyyy, yyyy-mm-dd, an Excel serial number, or a date object."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError("expected an Excel date serial between 1 and 2958465")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{4,6}(\.0+)?", text):
        return to_date(float(text))
    for pattern in ("%Y-%m-%d", "%d/%m/%Y" if day_first else "%m/%d/%Y", "%d-%m-%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError("expected a date as dd/mm/yyyy, yyyy-mm-dd or an Excel serial")


#: How sources write a boolean, as operators' messages name it (not a text to translate).
YES_NO = "Sí/No"
_TRUE = {"si", "s", "yes", "y", "true", "1", "verdadero", "x"}
_FALSE = {"no", "n", "false", "0", "falso", ""}


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = fold(str(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected {YES_NO}")


def to_list(value: Any, separator: str) -> list[str]:
    if isinstance(value, list | tuple):
        return [text for text in map(to_text, value) if text]
    if value is None:
        return []
    return [part.strip() for part in str(value).split(separator) if part.strip()]
