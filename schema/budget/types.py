"""GraphQL types of a fiscal year's budget, its programs and what its source said of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from connectors import BudgetProgram as ProgramRecord
from connectors import BudgetYear, SkippedRow, TotalMismatch
from schema.paging import list_size

#: Programs (account lines) of one year: a junta has a handful, a city a few hundred.
PROGRAMS_PER_BUDGET = 300
#: Rows a source could not read, as reported at most.
SKIPPED_ROWS_PER_BUDGET = 50


@strawberry.type(description="One program (account line) of a budget; amounts in DOP.")
class BudgetProgram:
    program: strawberry.Private[ProgramRecord]

    @strawberry.field(description="The account or program code as the government keeps it.")
    def code(self) -> str:
        return self.program.code

    @strawberry.field
    def name(self) -> str:
        return self.program.name

    @strawberry.field(
        description="The DIGEPRES functional classification, where the source has it."
    )
    def functional_class(self) -> str | None:
        return self.program.functional_class

    @strawberry.field(
        description="The DIGEPRES object-of-expenditure classification, where the source has it."
    )
    def object_class(self) -> str | None:
        return self.program.object_class

    @strawberry.field(description="The approved budget (presupuesto aprobado), in DOP.")
    def approved(self) -> Decimal:
        return self.program.approved

    @strawberry.field(
        description="The modified budget (presupuesto modificado), in DOP; the approved one "
        "where the source records no modification."
    )
    def modified(self) -> Decimal:
        return self.program.modified

    @strawberry.field(description="What has been executed (ejecutado) by the cut-off date, in DOP.")
    def executed(self) -> Decimal:
        return self.program.executed

    @strawberry.field(
        description="Percent executed (points, e.g. 80.4), as the source gives it or computed "
        "from executed / modified; null when the modified budget is 0."
    )
    def executed_percent(self) -> Decimal | None:
        return self.program.executed_percent

    @strawberry.field(description="The date the figures are as of, where the source says.")
    def cutoff_date(self) -> dt.date | None:
        return self.program.cutoff_date


@strawberry.type(description="The sums of a budget's programs as the hub read them, in DOP.")
class BudgetTotals:
    approved: Decimal
    modified: Decimal
    executed: Decimal
    executed_percent: Decimal | None = strawberry.field(
        description="Executed as percent of the modified budget; null when that is 0."
    )


@strawberry.type(
    description="The source's own total of a column (a TOTAL GENERAL row) differs from the "
    "sum of the programs the hub read: shown, never hidden."
)
class BudgetTotalMismatch:
    column: str = strawberry.field(description="approved, modified or executed.")
    source_total: Decimal = strawberry.field(description="The total the source states.")
    hub_total: Decimal = strawberry.field(description="The sum of the programs the hub read.")

    @classmethod
    def of(cls, mismatch: TotalMismatch) -> BudgetTotalMismatch:
        return cls(
            column=mismatch.column,
            source_total=mismatch.source_total,
            hub_total=mismatch.hub_total,
        )


@strawberry.type(
    description="A row of the source that could not be read: left out of every sum, and said."
)
class BudgetSkippedRow:
    row: int = strawberry.field(description="The row number as the source's file shows it.")
    sheet: str | None
    field: str = strawberry.field(description="The budget field that could not be read.")
    column: str = strawberry.field(description="The source's column it was read from.")
    cell: str | None = strawberry.field(description="The cell, e.g. G9, where known.")

    @classmethod
    def of(cls, skipped: SkippedRow) -> BudgetSkippedRow:
        return cls(
            row=skipped.row,
            sheet=skipped.sheet,
            field=skipped.field,
            column=skipped.column,
            cell=skipped.cell,
        )


@strawberry.type(description="A local government's budget of one fiscal year and its execution.")
class Budget:
    year: strawberry.Private[BudgetYear]

    @strawberry.field
    def fiscal_year(self) -> int:
        return self.year.fiscal_year

    @strawberry.field(description="The latest date the figures are as of, where the source says.")
    def cutoff_date(self) -> dt.date | None:
        return self.year.cutoff_date

    @strawberry.field(description="The currency of every amount: DOP.")
    def currency(self) -> str:
        return "DOP"

    @strawberry.field(
        description="Its programs (account lines), in the source's order.",
        directives=[list_size(PROGRAMS_PER_BUDGET)],
    )
    def programs(self) -> list[BudgetProgram]:
        return [BudgetProgram(program=p) for p in self.year.programs]

    @strawberry.field(description="The sums of the programs read.")
    def totals(self) -> BudgetTotals:
        t = self.year.totals
        return BudgetTotals(
            approved=t.approved,
            modified=t.modified,
            executed=t.executed,
            executed_percent=t.executed_percent,
        )

    @strawberry.field(
        description="Each column whose total, as the source states it, differs from the sum "
        "of the programs read (empty when they agree or the source states none).",
        directives=[list_size(3)],
    )
    def totals_mismatch(self) -> list[BudgetTotalMismatch]:
        return [BudgetTotalMismatch.of(m) for m in self.year.mismatches]

    @strawberry.field(
        description="Rows of the source that could not be read, left out of the sums.",
        directives=[list_size(SKIPPED_ROWS_PER_BUDGET)],
    )
    def skipped_rows(self) -> list[BudgetSkippedRow]:
        return [BudgetSkippedRow.of(s) for s in self.year.skipped[:SKIPPED_ROWS_PER_BUDGET]]
