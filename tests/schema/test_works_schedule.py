"""The behind-schedule rule: expected end passed and not finished, or progress more than
15 points behind the share of the planned time elapsed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from schema.works.schedule import RULE, TOLERANCE_POINTS, behind_schedule

D = dt.date
# 1 January → 31 December 2026 (364 days): on 2 July, 50 % of the time has gone.
WORK = {
    "status": "in_execution",
    "start_date": D(2026, 1, 1),
    "expected_end_date": D(2026, 12, 31),
    "progress_percent": Decimal(40),
}
MID_YEAR = D(2026, 7, 2)


@pytest.mark.parametrize(
    ("change", "on", "behind"),
    [
        ({}, MID_YEAR, False),  # 40 % done, 50 % elapsed: within the tolerance
        ({"progress_percent": Decimal(35)}, MID_YEAR, False),  # exactly 15 points: not yet
        ({"progress_percent": Decimal(30)}, MID_YEAR, True),  # 20 points behind
        ({"progress_percent": Decimal(100)}, D(2027, 1, 1), True),  # not closed, past its end
        ({"progress_percent": Decimal(90)}, D(2026, 12, 31), False),  # its last day: not past
        ({}, D(2026, 12, 31), True),  # its last day, 40 % done: 60 points behind
        ({"status": "finished"}, D(2030, 1, 1), False),
        ({"status": "cancelled", "progress_percent": Decimal(0)}, D(2030, 1, 1), False),
        ({"status": "stopped", "progress_percent": Decimal(10)}, MID_YEAR, True),
        ({"status": "planned", "progress_percent": Decimal(0)}, D(2026, 1, 1), False),
        ({"status": "planned", "start_date": None}, D(2027, 1, 2), True),  # never started
        ({"progress_percent": None}, MID_YEAR, False),  # no progress: dates only
        ({"start_date": None, "progress_percent": Decimal(0)}, MID_YEAR, False),
        ({"expected_end_date": None}, D(2030, 1, 1), False),  # no dates: cannot tell
        ({"progress_percent": Decimal(0)}, D(2025, 12, 1), False),  # not started yet
    ],
)
def test_behind_schedule(change: dict[str, Any], on: dt.date, behind: bool) -> None:
    assert behind_schedule({**WORK, **change}, on) is behind


def test_the_documented_rule_names_the_tolerance() -> None:
    assert f"{TOLERANCE_POINTS} percentage points" in RULE
