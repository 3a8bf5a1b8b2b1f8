"""Works from a real .xlsx as an engineer's office keeps it: a title above the header,
progress in cells formatted as percentages (fractions of one), real date cells and
dd/mm/yyyy texts, money as text, status as the office's own words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest

from connectors import Binding, Capability, ConnectorEnvironment, MappingError
from connectors.spreadsheet import (
    SpreadsheetBindingConfig,
    SpreadsheetConnector,
    SpreadsheetSourceConfig,
)

HEADER = ["Código", "Obra", "Sector", "Contratista", "Monto", "Avance", "Inicio", "Fin", "Estado"]
ROWS: list[list[object]] = [
    ["O-1", "Cancha de Pueblo Nuevo", "Pueblo Nuevo", "Obras del Este", "RD$ 1.234.567,50",
     0.45, dt.datetime(2026, 2, 3), "30/06/2027", "En ejecución"],
    ["O-2", "Acera de la calle Duarte", None, None, 980000, 1, "15/01/2025", "31/05/2025",
     "Terminada"],
]  # fmt: skip
BINDING = {
    "source": "obras",
    "sheet": "Obras",
    "header_contains": "Código",
    "fields": {
        "id": "Código",
        "name": "Obra",
        "place": "Sector",
        "contractor": "Contratista",
        "contract_amount": "Monto",
        "progress_percent": {"from": "Avance", "type": "fraction"},
        "start_date": {"from": "Inicio", "day_first": True},
        "expected_end_date": {"from": "Fin", "day_first": True},
        "status": {
            "from": "Estado",
            "map": {"En ejecución": "in_execution", "Terminada": "finished"},
        },
    },
}


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Obras"
    sheet.append(["Ayuntamiento de prueba — Obras en ejecución 2026"])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
        sheet.cell(sheet.max_row, 6).number_format = "0%"
        sheet.cell(sheet.max_row, 7).number_format = "dd/mm/yyyy"
    book.save(path)
    return path


async def _read(tmp_path: Path, rows: list[list[object]]) -> list[dict[str, object]]:
    path = _workbook(tmp_path / "obras.xlsx", rows)
    connector = SpreadsheetConnector(
        SpreadsheetSourceConfig.model_validate({"connector": "spreadsheet", "path": path}),
        ConnectorEnvironment(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", tmp_path),
    )
    binding = Binding("prueba", Capability.WORKS, SpreadsheetBindingConfig.model_validate(BINDING))
    try:
        (listed,) = await connector.list_for(binding, ["prueba"])
    finally:
        await connector.close()
    return [dict(r) for r in listed]


async def test_percent_cells_date_cells_and_text_dates_become_typed_works(
    tmp_path: Path,
) -> None:
    first, second = await _read(tmp_path, ROWS)
    assert first["progress_percent"] == Decimal(45)
    assert first["start_date"] == dt.date(2026, 2, 3)
    assert first["expected_end_date"] == dt.date(2027, 6, 30)
    assert first["contract_amount"] == Decimal("1234567.50")
    assert first["status"] == "in_execution"
    assert second["progress_percent"] == Decimal(100)
    assert (second["start_date"], second["expected_end_date"]) == (
        dt.date(2025, 1, 15),
        dt.date(2025, 5, 31),
    )
    assert second["status"] == "finished" and second["place"] is None


async def test_an_unmapped_status_names_field_value_and_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [ROWS[0], [*ROWS[1][:8], "Paralizada"]]
    with pytest.raises(MappingError) as caught:
        await _read(tmp_path, rows)
    error = caught.value
    assert (error.field, error.value) == ("status", "'Paralizada'")
    assert "row 5" in error.internal_message and "Obras" in error.internal_message
