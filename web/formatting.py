"""Numbers, dates and sizes as Dominican citizens read them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

#: Times are shown in Dominican time, whatever the server's zone.
TIME_ZONE = zoneinfo.ZoneInfo("America/Santo_Domingo")

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


@dataclasses.dataclass(frozen=True, slots=True)
class PageFormats:
    """Dates, times and sizes in the page's language, in Dominican time. Values come as
    GraphQL sends them (ISO 8601 text); an empty value shows as nothing."""

    locale: Any
    #: Babel's width for a day alone: "full" names the weekday, "long" does not.
    day_width: str = "full"

    def moment(self, value: str | None) -> str:
        if not value:
            return ""
        moment = dt.datetime.fromisoformat(value).astimezone(TIME_ZONE)
        day = format_date(moment, "long", locale=self.locale)
        return f"{day}, {format_time(moment, 'HH:mm', locale=self.locale)}"

    def day(self, value: str | None) -> str:
        if not value:
            return ""
        return format_date(dt.date.fromisoformat(value[:10]), self.day_width, locale=self.locale)

    def short(self, value: str | None) -> str:
        if not value:
            return ""
        day = dt.datetime.fromisoformat(value)
        if day.tzinfo is not None:
            day = day.astimezone(TIME_ZONE)
        return format_date(day, "medium", locale=self.locale)

    def iso(self, value: str | None) -> str:
        """The `datetime` attribute of `<time>`."""
        return value or ""

    def size(self, value: int | None) -> str:
        """A file's size for people: `850 KB`, `1,2 MB` (in the page's language)."""
        size = int(value or 0)
        if size < 1 << 20:
            kilobytes = max(1, round(size / 1024))
            return f"{format_decimal(kilobytes, locale=self.locale)} KB"
        megabytes = format_decimal(round(size / (1 << 20), 1), locale=self.locale)
        return f"{megabytes} MB"
