"""Numbers as Dominican citizens read them."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

#: Symbols people recognise; other currencies fall back to their ISO code.
_SYMBOLS = {"DOP": "RD$", "USD": "US$"}


def money(amount: Decimal | str, currency: str, locale: str = "es_DO") -> str:
    """`RD$ 15,000.00`: symbol, a space, grouped thousands and always two decimals.

    The space follows the usual Dominican print style (banks, DGII forms); CLDR's es_DO
    pattern runs the symbol into the digits.
    """
    symbol = _SYMBOLS.get(currency, currency)
    digits = format_decimal(Decimal(amount), format="#,##0.00", locale=locale)
    return f"{symbol} {digits}"
