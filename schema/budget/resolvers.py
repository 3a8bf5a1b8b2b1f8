"""Reading a government's budgets through the per-request loader."""

from __future__ import annotations

from connectors import BudgetYear, budget_years
from schema.context import Info
from schema.partial import note_if_stale

#: Fiscal years a government's source may hold, as listed at most.
YEARS_PER_MUNICIPALITY = 20


async def budgets_of(info: Info, municipality_id: str) -> list[BudgetYear]:
    """Every fiscal year's budget of the government, latest first; a failed source raises
    (the field becomes null with the error naming the source), a stale answer is noted."""
    loader = info.context.loaders.budget_by_municipality
    records = await loader.load(municipality_id)
    note_if_stale(info, loader, municipality_id)
    return budget_years(records)


def of_year(years: list[BudgetYear], year: int | None) -> BudgetYear | None:
    """The budget of `year`, or the latest one when no year is asked for."""
    if year is None:
        return years[0] if years else None
    return next((b for b in years if b.fiscal_year == year), None)
