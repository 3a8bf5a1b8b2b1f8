"""A fiscal year's budget put together from the rows its source gives (`budget` capability).

Every kind reads a budget as rows, one per program (account line), mapped onto the fields
of `capabilities.CAPABILITY_FIELDS[Capability.BUDGET]`. A spreadsheet also says what a
treasurer's workbook says beside its programs, as marker rows (`ROW_KIND`):

- a `total` row: the workbook's own total (`TOTAL GENERAL`), compared here with the sum of
  the programs the hub read; a difference is a `TotalMismatch`, shown, never hidden;
- a `skipped` row: a program row that could not be read (its row number, the field and
  the cell), left out of the sums and reported, so that a total never changes silently.

Markers are plain records, so a budget is cached and kept as last known like any other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from connectors.types import Record

__all__ = [
    "AMOUNTS",
    "ROW_KIND",
    "SKIPPED_ROW",
    "TOTAL_ROW",
    "BudgetProgram",
    "BudgetTotals",
    "BudgetYear",
    "SkippedRow",
    "TotalMismatch",
    "budget_years",
    "marker",
    "percent_of",
]

#: The key that marks a record as something other than a program.
ROW_KIND = "row_kind"
TOTAL_ROW = "total"
SKIPPED_ROW = "skipped"
#: The money columns, in the order a budget shows them.
AMOUNTS = ("approved", "modified", "executed")
_TENTH = Decimal("0.1")
_ZERO = Decimal(0)


def percent_of(executed: Decimal, modified: Decimal) -> Decimal | None:
    """Executed as percentage points of the modified budget, to one decimal; None for 0."""
    if modified == 0:
        return None
    return (executed * 100 / modified).quantize(_TENTH)


@dataclasses.dataclass(frozen=True, slots=True)
class BudgetProgram:
    code: str
    name: str
    functional_class: str | None
    object_class: str | None
    approved: Decimal
    #: The modified budget; the approved one where the source records no modification.
    modified: Decimal
    executed: Decimal
    #: As the source gives it, else computed from executed / modified.
    executed_percent: Decimal | None
    cutoff_date: dt.date | None

    @classmethod
    def of(cls, record: Record) -> BudgetProgram:
        approved = record["approved"]
        modified = record.get("modified")
        modified = approved if modified is None else modified
        executed = record["executed"]
        percent = record.get("executed_percent")
        return cls(
            code=str(record["code"]),
            name=str(record["name"]),
            functional_class=record.get("functional_class"),
            object_class=record.get("object_class"),
            approved=approved,
            modified=modified,
            executed=executed,
            executed_percent=percent_of(executed, modified) if percent is None else percent,
            cutoff_date=record.get("cutoff_date"),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class BudgetTotals:
    approved: Decimal
    modified: Decimal
    executed: Decimal
    executed_percent: Decimal | None


@dataclasses.dataclass(frozen=True, slots=True)
class TotalMismatch:
    """The source's total of a column differs from the sum of the programs read."""

    column: str
    source_total: Decimal
    hub_total: Decimal


@dataclasses.dataclass(frozen=True, slots=True)
class SkippedRow:
    """A program row that could not be read: left out of every sum, and said so."""

    row: int
    sheet: str | None
    field: str
    column: str
    cell: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class BudgetYear:
    fiscal_year: int
    cutoff_date: dt.date | None
    programs: tuple[BudgetProgram, ...]
    totals: BudgetTotals
    mismatches: tuple[TotalMismatch, ...]
    skipped: tuple[SkippedRow, ...]


@dataclasses.dataclass(slots=True)
class _Year:
    programs: list[BudgetProgram] = dataclasses.field(default_factory=list)
    source_totals: dict[str, Decimal] = dataclasses.field(default_factory=dict)
    skipped: list[SkippedRow] = dataclasses.field(default_factory=list)
    cutoffs: list[dt.date] = dataclasses.field(default_factory=list)


def _year_of(record: Record) -> int | None:
    year = record.get("fiscal_year")
    if year is not None:
        return int(year)
    cutoff = record.get("cutoff_date")
    return cutoff.year if isinstance(cutoff, dt.date) else None


def budget_years(records: Iterable[Record]) -> list[BudgetYear]:
    """The budgets in `records`, latest year first.

    A row with neither a year nor a cut-off date belongs to the latest year the rows name
    (a workbook holds one year); a marker with no year likewise.
    """
    years: dict[int, _Year] = {}
    homeless: list[Record] = []
    for record in records:
        year = _year_of(record)
        if year is None:
            homeless.append(record)
            continue
        _add(years.setdefault(year, _Year()), record)
    if homeless and years:
        latest = years[max(years)]
        for record in homeless:
            _add(latest, record)
    return [_finish(year, years[year]) for year in sorted(years, reverse=True)]


def _add(year: _Year, record: Record) -> None:
    kind = record.get(ROW_KIND)
    if kind == TOTAL_ROW:
        for column in AMOUNTS:
            value = record.get(column)
            if value is not None:
                year.source_totals[column] = year.source_totals.get(column, _ZERO) + value
        return
    if kind == SKIPPED_ROW:
        year.skipped.append(
            SkippedRow(
                row=int(record["row"]),
                sheet=record.get("sheet"),
                field=str(record["field"]),
                column=str(record["column"]),
                cell=record.get("cell"),
            )
        )
        return
    program = BudgetProgram.of(record)
    year.programs.append(program)
    if program.cutoff_date is not None:
        year.cutoffs.append(program.cutoff_date)


def _sum(programs: Sequence[BudgetProgram], column: str) -> Decimal:
    return sum((getattr(p, column) for p in programs), _ZERO)


def _finish(fiscal_year: int, year: _Year) -> BudgetYear:
    sums = {column: _sum(year.programs, column) for column in AMOUNTS}
    mismatches = tuple(
        TotalMismatch(column, source, sums[column])
        for column, source in year.source_totals.items()
        if source != sums[column]
    )
    totals = BudgetTotals(
        approved=sums["approved"],
        modified=sums["modified"],
        executed=sums["executed"],
        executed_percent=percent_of(sums["executed"], sums["modified"]),
    )
    return BudgetYear(
        fiscal_year=fiscal_year,
        cutoff_date=max(year.cutoffs, default=None),
        programs=tuple(year.programs),
        totals=totals,
        mismatches=mismatches,
        skipped=tuple(sorted(year.skipped, key=lambda s: s.row)),
    )


def marker(kind: str, **values: Any) -> dict[str, Any]:
    """A marker record (`TOTAL_ROW`, `SKIPPED_ROW`) as a connector returns it."""
    return {ROW_KIND: kind, **values}
