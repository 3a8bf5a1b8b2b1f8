"""A treasurer's budget workbook read by the `spreadsheet` kind: real .xlsx files written
with openpyxl, every oddity of item 1 of issue 13, the total compared, bad rows reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from connectors import (
    Binding,
    Capability,
    ConnectorEnvironment,
    InvalidConfiguration,
    MappingError,
    budget_years,
    load_directory,
)
from connectors.budget import ROW_KIND, SKIPPED_ROW
from connectors.convert import to_fraction_percent, to_money, to_percent
from connectors.snapshots import decode, encode
from connectors.spreadsheet import SpreadsheetConnector
from connectors.spreadsheet.config import SpreadsheetBudgetBindingConfig, SpreadsheetSourceConfig
from connectors.types import Record
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

HEADERS = ["CUENTA", "DESCRIPCIÓN", "APROBADO", "MODIFICADO", "EJECUTADO", "% EJEC."]
FIELDS: dict[str, Any] = {
    "code": "CUENTA",
    "name": "DESCRIPCIÓN",
    "approved": "APROBADO",
    "modified": "MODIFICADO",
    "executed": "EJECUTADO",
    "executed_percent": {"from": "% EJEC.", "type": "fraction"},
}
SHEET = "Ejecución"


def _write(
    path: Path,
    rows: Sequence[Sequence[Any]],
    cutoff: Any = 46295,  # 30/09/2026 as an Excel serial
    date_format: bool = True,
    title_rows: int = 4,
) -> Path:
    """Title and subtitle merged across the table, the cut-off in B3, the header below."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet["A1"] = "AYUNTAMIENTO MUNICIPAL DE PRUEBA"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "EJECUCIÓN PRESUPUESTARIA 2026"
    sheet.merge_cells("A2:F2")
    sheet["A3"] = "Fecha de corte:"
    sheet["B3"] = cutoff
    if date_format:
        sheet["B3"].number_format = "dd/mm/yyyy"
    for _ in range(title_rows - 3):
        sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


ROWS: list[list[Any]] = [
    ["01", "Administración", 1000000, "  1.200.000,50  ", "RD$ 900.000,00", 0.75],
    ["02", "Aseo urbano", "RD$ 500.000,00", "500.000,00", "-", "0 %"],
    [],
    ["03", "Alumbrado", "1.000,00", 1000, "RD$ 804,00", "80,4 %"],
    [],
    ["TOTAL GENERAL", None, "RD$ 1.501.000,00", "RD$ 1.701.000,50", "RD$ 900.804,00", None],
    [],
    ["Preparado por: Tesorería"],
]


def _connector(path: Path) -> SpreadsheetConnector:
    return SpreadsheetConnector(
        SpreadsheetSourceConfig(path=path),
        ConnectorEnvironment(f"sqlite+aiosqlite:///{path.parent / 'hub.db'}", path.parent),
    )


def _binding(**settings: Any) -> Binding:
    raw: dict[str, Any] = {
        "source": "presupuesto",
        "sheet": SHEET,
        "header_row": 5,
        "cutoff_cell": "B3",
        "stop_at_blank": False,
        "skip_rows_where": {"DESCRIPCIÓN": ""},
        "total_rows_where": {"CUENTA": "Total General"},
        "fields": FIELDS,
    }
    raw.update(settings)
    return Binding("prueba", Capability.BUDGET, SpreadsheetBudgetBindingConfig.model_validate(raw))


async def _records(path: Path, binding: Binding | None = None) -> list[Record]:
    connector = _connector(path)
    try:
        [records] = await connector.list_for(binding or _binding(), ["prueba"])
    finally:
        await connector.close()
    return records


async def test_every_oddity_of_a_treasurers_workbook(tmp_path: Path) -> None:
    records = await _records(_write(tmp_path / "p.xlsx", ROWS))
    [year] = budget_years(records)
    assert year.fiscal_year == 2026  # the cut-off's year: no row names one
    assert year.cutoff_date == dt.date(2026, 9, 30)
    first, second, third = year.programs
    assert (first.approved, first.modified, first.executed) == (
        Decimal("1000000.00"),
        Decimal("1200000.50"),
        Decimal("900000.00"),
    )
    assert first.executed_percent == Decimal("75.00")  # a fraction formatted as percent
    assert (second.approved, second.executed, second.executed_percent) == (
        Decimal("500000.00"),
        Decimal("0.00"),  # "-"
        Decimal("0"),
    )
    assert (third.approved, third.executed_percent) == (Decimal("1000.00"), Decimal("80.4"))
    assert all(p.cutoff_date == dt.date(2026, 9, 30) for p in year.programs)
    # Blank rows between programs, the total row and the footer are not programs.
    assert [p.code for p in year.programs] == ["01", "02", "03"]
    assert year.totals.executed == Decimal("900804.00")
    assert year.totals.executed_percent == Decimal("53.0")
    assert year.mismatches == () and year.skipped == ()


@pytest.mark.parametrize(
    ("cutoff", "date_format"),
    [
        (46295, False),  # a bare serial, no date format
        (dt.datetime(2026, 9, 30), True),
        ("Al 30/09/2026", False),
    ],
)
async def test_the_cutoff_cell_as_serial_date_or_text(
    tmp_path: Path, cutoff: Any, date_format: bool
) -> None:
    path = _write(tmp_path / "p.xlsx", ROWS, cutoff=cutoff, date_format=date_format)
    [year] = budget_years(await _records(path))
    assert year.cutoff_date == dt.date(2026, 9, 30)


async def test_a_total_that_disagrees_is_exposed_not_hidden(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[5][4] = "RD$ 901.000,00"  # the treasurer's executed total is off by 196
    [year] = budget_years(await _records(_write(tmp_path / "p.xlsx", rows)))
    [mismatch] = year.mismatches
    assert mismatch.column == "executed"
    assert (mismatch.source_total, mismatch.hub_total) == (
        Decimal("901000.00"),
        Decimal("900804.00"),
    )


async def test_a_malformed_row_is_skipped_and_reported_with_its_row_and_cell(
    tmp_path: Path,
) -> None:
    rows = [list(r) for r in ROWS]
    rows[3][4] = "ochocientos"  # program 03's executed amount, sheet row 9, column E
    path = _write(tmp_path / "p.xlsx", rows)
    records = await _records(path)
    [year] = budget_years(records)
    assert [p.code for p in year.programs] == ["01", "02"]
    [skipped] = year.skipped
    assert (skipped.row, skipped.sheet, skipped.field, skipped.column, skipped.cell) == (
        9,
        SHEET,
        "executed",
        "EJECUTADO",
        "E9",
    )
    # The total no longer agrees with what was read: said, never silently changed.
    assert {m.column for m in year.mismatches} == {"approved", "modified", "executed"}
    assert next(r for r in records if r.get(ROW_KIND) == SKIPPED_ROW)["row"] == 9
    # The probe names the file, the key, the sheet, the row and the cell.
    connector = _connector(path)
    try:
        report = await connector.check_binding(_binding())
    finally:
        await connector.close()
    assert not report.ok
    for part in ("p.xlsx", "bindings.budget.fields.executed", f"sheet '{SHEET}'", "row 9", "E9"):
        assert part in report.message, (part, report.message)


async def test_the_header_found_by_its_text_under_a_title_block_of_any_height(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "p.xlsx", ROWS, title_rows=7)
    binding = _binding(header_row=None, header_contains="cuenta")
    [year] = budget_years(await _records(path, binding))
    assert [p.code for p in year.programs] == ["01", "02", "03"]
    assert year.mismatches == ()


async def test_a_total_row_right_after_the_programs_with_stop_at_blank(tmp_path: Path) -> None:
    # Programs 01-03 with no blank rows, then TOTAL GENERAL: the first blank ends nothing.
    rows = [*[r for r in ROWS if r][:3], ROWS[5]]
    binding = _binding(stop_at_blank=True, skip_rows_where={})
    [year] = budget_years(await _records(_write(tmp_path / "p.xlsx", rows), binding))
    assert [p.code for p in year.programs] == ["01", "02", "03"]
    assert year.mismatches == ()


async def test_an_unreadable_cutoff_cell_names_the_file_key_sheet_and_cell(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "p.xlsx", ROWS, cutoff="pendiente", date_format=False)
    with pytest.raises(MappingError) as caught:
        await _records(path)
    message = caught.value.internal_message
    for part in ("p.xlsx", "bindings.budget.cutoff_cell", f"sheet '{SHEET}'", "cell B3"):
        assert part in message, (part, message)


async def test_a_fiscal_year_column_wins_over_the_cutoff(tmp_path: Path) -> None:
    binding = _binding(fields={**FIELDS, "fiscal_year": {"value": 2025}})
    [year] = budget_years(await _records(_write(tmp_path / "p.xlsx", ROWS), binding))
    assert year.fiscal_year == 2025 and year.cutoff_date == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("RD$ 1.234.567,50", "1234567.50"),
        ("  1.234.567,50  ", "1234567.50"),
        (1234567.5, "1234567.50"),
        ("-", "0.00"),
        ("RD$ -", "0.00"),
        (" – ", "0.00"),
        ("(1.500,00)", "-1500.00"),
    ],
)
def test_money_as_treasurers_write_it(text: Any, amount: str) -> None:
    assert to_money(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("value", "percent", "as_fraction"),
    [
        ("80,4 %", "80.4", "80.4"),
        ("80.4%", "80.4", "80.4"),
        (80.4, "80.4", "8040.00"),
        (0.804, "0.804", "80.40"),
        ("100 %", "100", "100"),
    ],
)
def test_percent_as_points_or_as_a_fraction_of_one(
    value: Any, percent: str, as_fraction: str
) -> None:
    assert to_percent(value) == Decimal(percent)
    assert to_fraction_percent(value) == Decimal(as_fraction)


def test_a_percent_that_is_no_number_says_so() -> None:
    with pytest.raises(ValueError, match="expected a number"):
        to_percent("ochenta %")


async def test_the_rows_of_a_budget_are_kept_as_they_were(tmp_path: Path) -> None:
    """Programs, the total and the skipped rows survive the last-known store's encoding."""
    rows = [list(r) for r in ROWS]
    rows[3][4] = "ochocientos"
    records = await _records(_write(tmp_path / "p.xlsx", rows))
    kept = decode(encode(records))
    assert kept == records
    assert budget_years(kept) == budget_years(records)


def test_a_budget_key_in_the_wrong_place_or_form_is_named(tmp_path: Path) -> None:
    directory = tmp_path / "municipalities"
    directory.mkdir()
    data = yaml.safe_load((DEMO_MUNICIPALITIES_DIR / "veron-punta-cana.yaml").read_text("utf-8"))
    data["bindings"]["budget"]["cutoff_cell"] = "3B"
    data["bindings"]["services"]["total_rows_where"] = {"Código": "TOTAL"}
    path = directory / "veron-punta-cana.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidConfiguration) as caught:
        load_directory(directory)
    problems = sorted(str(p) for p in caught.value.problems)
    assert problems[0].startswith(f"{path}: bindings.budget.cutoff_cell: expected ")
    assert problems[0].endswith("found '3B'")
    assert problems[1].startswith(f"{path}: bindings.services.total_rows_where: expected one of")
