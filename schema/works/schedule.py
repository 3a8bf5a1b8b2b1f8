"""When a public work is behind schedule: one rule, for the API, the summary and the pages.

A work that is neither finished nor cancelled is behind schedule when its expected end
date has passed, or when its progress is clearly behind the time elapsed: more than
`TOLERANCE_POINTS` percentage points below the share of its planned time (start to
expected end) already gone. Without dates the hub cannot tell, and says it is not behind.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["RULE", "TOLERANCE_POINTS", "behind_schedule", "today"]

#: How far progress may trail the time elapsed before a work counts as behind.
TOLERANCE_POINTS = Decimal(15)
#: Statuses of works that can no longer fall behind.
_CLOSED = frozenset({"finished", "cancelled"})
_ZONE = zoneinfo.ZoneInfo("America/Santo_Domingo")

#: The rule as the API documents it (an SDL description, not a text a citizen reads).
RULE = (
    "True when the work is neither finished nor cancelled and either its expected end date "
    "has passed, or its progress is more than 15 percentage points below the share of its "
    "planned time (start to expected end) already elapsed. False when its dates are unknown."
)


def today() -> dt.date:
    """Today in the Dominican Republic (where the works are)."""
    return dt.datetime.now(_ZONE).date()


def behind_schedule(record: Mapping[str, Any], on: dt.date) -> bool:
    """Whether the work `record` (a `works` record) is behind schedule on the day `on`."""
    if record.get("status") in _CLOSED:
        return False
    end: dt.date | None = record.get("expected_end_date")
    if end is None:
        return False
    if end < on:
        return True
    start: dt.date | None = record.get("start_date")
    progress: Decimal | None = record.get("progress_percent")
    if start is None or progress is None or start >= end or on <= start:
        return False
    elapsed = Decimal((on - start).days * 100) / Decimal((end - start).days)
    return elapsed - Decimal(progress) > TOLERANCE_POINTS
