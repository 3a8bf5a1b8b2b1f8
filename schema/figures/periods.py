"""The periods figures are given for, in Dominican days (America/Santo_Domingo)."""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo

import strawberry

__all__ = ["DOMINICAN_ZONE", "FiguresPeriod", "period_start"]

DOMINICAN_ZONE = zoneinfo.ZoneInfo("America/Santo_Domingo")


@strawberry.enum(
    description="Which requests a figure counts: those received today, this month or this "
    "year, in Dominican time (from local midnight of the day, the 1st or 1 January)."
)
class FiguresPeriod(enum.Enum):
    TODAY = "today"
    MONTH = "month"
    YEAR = "year"


def period_start(period: FiguresPeriod, now: dt.datetime) -> dt.datetime:
    """Local midnight at which `period` began, for an aware `now`."""
    local = now.astimezone(DOMINICAN_ZONE)
    day = local.date()
    if period is FiguresPeriod.MONTH:
        day = day.replace(day=1)
    elif period is FiguresPeriod.YEAR:
        day = day.replace(month=1, day=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=DOMINICAN_ZONE)
