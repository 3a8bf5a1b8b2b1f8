"""A treasurer's budget sheet as budget rows: programs, the total row, the rows skipped.

Above the header: a merged title, a subtitle, the cut-off date in a cell the binding names
(`cutoff_cell: B3`, a date, an Excel serial or "Al 30/09/2026"). Below it: one row per
program, blank rows, a `TOTAL GENERAL` row the binding names (`total_rows_where`). A
program row that cannot be read is skipped and reported with its row and cell
(`connectors.budget.SKIPPED_ROW`), never dropped silently; the total row is kept as the
workbook's own total (`TOTAL_ROW`) for the hub to compare with its sum.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from connectors import convert
from connectors.base import Binding
from connectors.budget import AMOUNTS, SKIPPED_ROW, TOTAL_ROW, marker
from connectors.errors import MappingError
from connectors.mapping import FieldSpec, RecordMapper, invalid_value
from connectors.spreadsheet.config import SpreadsheetBudgetBindingConfig
from connectors.spreadsheet.files import Version
from connectors.spreadsheet.records import Mapped, Problem, cell_of, place_of
from connectors.spreadsheet.tables import Cell, Table, blank, folded
from connectors.types import Record

__all__ = ["map_budget"]

_DATE_IN_TEXT = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}")


def map_budget(
    binding: Binding,
    config: SpreadsheetBudgetBindingConfig,
    cells: Sequence[Sequence[Cell]],
    table: Table,
    version: Version,
    file_name: str,
) -> Mapped:
    """The sheet's programs, its total row(s) and its skipped rows, as budget records."""
    where = f"{binding.municipality_id}/{binding.config.source}"
    cutoff = _cutoff(config, cells, table.sheet, file_name, where)
    total_numbers, totals = _total_rows(binding, config, cells, table, file_name, where)
    mapper = RecordMapper(binding)
    programs: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, raw in table.rows:
        if number in total_numbers:
            continue
        try:
            record = mapper.map(raw)
        except MappingError as exc:
            problems.append(_problem(exc, table, number, file_name, where))
            continue
        if record.get("cutoff_date") is None:
            record["cutoff_date"] = cutoff
        programs.append(record)
    year = _sheet_year(programs, cutoff)
    for record in programs:
        if record.get("fiscal_year") is None and year is not None:
            record["fiscal_year"] = year
    skipped = [
        marker(
            SKIPPED_ROW,
            fiscal_year=year,
            row=p.row,
            sheet=table.sheet,
            field=p.field,
            column=p.source_field,
            cell=cell_of(table, p.source_field, p.row),
        )
        for p in problems
    ]
    for total in totals:
        total["fiscal_year"] = year
    records: tuple[Record, ...] = (*programs, *totals, *skipped)
    return Mapped(version, table, records, tuple(problems))


def _sheet_year(programs: Sequence[Record], cutoff: dt.date | None) -> int | None:
    years = [int(r["fiscal_year"]) for r in programs if r.get("fiscal_year") is not None]
    if years:
        return max(years)
    return None if cutoff is None else cutoff.year


def _problem(exc: MappingError, table: Table, number: int, file_name: str, where: str) -> Problem:
    message = exc.internal_message
    if not message.startswith(f"{where}:"):
        message = f"{where}: {message}"
    key = f"bindings.budget.fields.{exc.field}"
    return Problem(
        f"{message}; {key} ({place_of(table, number, exc.source_field, file_name)})",
        exc.message,
        exc.field,
        exc.source_field,
        exc.value,
        number,
    )


def _cutoff(
    config: SpreadsheetBudgetBindingConfig,
    cells: Sequence[Sequence[Cell]],
    sheet: str,
    file_name: str,
    where: str,
) -> dt.date | None:
    if config.cutoff_cell is None:
        return None
    letters, row = coordinate_from_string(config.cutoff_cell.upper())
    column = column_index_from_string(letters) - 1
    value = cells[row - 1][column] if row <= len(cells) and column < len(cells[row - 1]) else None
    if blank(value):
        return None
    if isinstance(value, str):
        found = _DATE_IN_TEXT.search(value)
        value = found.group(0) if found else value
    try:
        return convert.to_date(value)
    except ValueError as exc:
        shown = repr(value)[:60]
        raise MappingError(
            f"{where}: bindings.budget.cutoff_cell: {exc}, found {shown} "
            f"(file {file_name}, sheet '{sheet}', cell {config.cutoff_cell.upper()})",
            message=invalid_value(
                config.source, where.split("/")[0], config.cutoff_cell, "cutoff_date", shown
            ),
            field="cutoff_date",
            source_field=config.cutoff_cell,
            value=shown,
        ) from None


def _total_rows(
    binding: Binding,
    config: SpreadsheetBudgetBindingConfig,
    cells: Sequence[Sequence[Cell]],
    table: Table,
    file_name: str,
    where: str,
) -> tuple[set[int], list[dict[str, Any]]]:
    """The rows the binding's `total_rows_where` names, anywhere below the header."""
    if not config.total_rows_where:
        return set(), []
    rule = {
        name: {folded(v) for v in (values if isinstance(values, list) else [values])}
        for name, values in config.total_rows_where.items()
    }
    columns = [(i, name) for i, name in enumerate(table.headers) if name]
    sources = _amount_columns(config)
    numbers: set[int] = set()
    totals: list[dict[str, Any]] = []
    for number, row in enumerate(cells[table.header_row :], start=table.header_row + 1):
        raw: Mapping[str, Cell] = {name: (row[i] if i < len(row) else None) for i, name in columns}
        if not all(folded(raw.get(name)) in values for name, values in rule.items()):
            continue
        numbers.add(number)
        total: dict[str, Any] = marker(TOTAL_ROW, row=number, sheet=table.sheet)
        for target, column in sources.items():
            value = raw.get(column)
            if blank(value):
                continue
            try:
                total[target] = convert.to_money(value)
            except ValueError as exc:
                cell = cell_of(table, column, number)
                shown = repr(value)[:60]
                raise MappingError(
                    f"{where}: bindings.budget.total_rows_where: the total of '{column}' {exc}, "
                    f"found {shown} (file {file_name}, sheet '{table.sheet}', row {number}, "
                    f"cell {cell})",
                    message=invalid_value(
                        binding.config.source, binding.municipality_id, column, target, shown
                    ),
                    field=target,
                    source_field=column,
                    value=shown,
                ) from None
        totals.append(total)
    return numbers, totals


def _amount_columns(config: SpreadsheetBudgetBindingConfig) -> dict[str, str]:
    """The column each money field reads (a same-named column where it is not mapped)."""
    columns: dict[str, str] = {}
    for target in AMOUNTS:
        ref = config.fields.get(target, target)
        spec = FieldSpec(source=ref) if isinstance(ref, str) else ref
        if spec.source is not None:
            columns[target] = spec.source
    return columns
