"""Demo spreadsheets: the catalogue as three small governments really keep it.

Generated from `demo.catalogue`, so the `spreadsheet` connector, mapped back,
serves exactly the demo data. Each file has the quirks of a real one:

- **Verón-Punta Cana** (`.xlsx`, sheet "Catálogo de servicios 2026"): a merged title, a
  merged subtitle with a date and a blank row above the header on row 4; area codes
  (URB, CER…); requirements one per line inside the cell; fees as Spanish-style text
  ("RD$ 8.000,00"); "Sí"/"No" flags; the update date sometimes a date cell, sometimes a
  bare Excel serial; two blank rows and a "Preparado por: Tesorería" line at the bottom.
  A second sheet "Dependencias" lists the departments, header on row 1.
- **Cabarete** (`.csv`, `;`-separated, latin-1 as Excel on Windows saves it): a title
  line, the header on line 2, categories as full words, fees English-style
  ("RD$ 8,000.00" or "2,500.00"), dates dd/mm/yyyy, "Si"/"No" without accent, a blank
  line and a total line at the end.
- **La Vega** (`.xlsx`, "Directorio de dependencias"): a cover sheet first, then sheet
  "Directorio" with a title block of uneven height, so its bindings find the header by
  `header_contains: CODIGO`; served as `departments` while La Vega's services stay in the
  hub store.

- **Verón-Punta Cana's budget** (`.xlsx`, written by `demo.budgets`): the execution of
  fiscal year 2026, a workbook of its own.

Files are written atomically (a temporary file, then a rename), so a running hub never
reads half a workbook. Demo data only; `python -m demo.workbooks [DIR]`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped,unused-ignore]

from demo import budgets, catalogue
from gateway.settings import CONFIG_DIR

#: Where `main()` writes by default; municipality files name these paths relative to config/.
DEMO_WORKBOOKS_DIR = CONFIG_DIR / "demo" / "workbooks"

VERON_FILE = "veron-punta-cana-catalogo-2026.xlsx"
VERON_SERVICES_SHEET = "Catálogo de servicios 2026"
VERON_DEPARTMENTS_SHEET = "Dependencias"
CABARETE_FILE = "cabarete-servicios-tasas-2026.csv"
CABARETE_ENCODING = "latin-1"
LA_VEGA_FILE = "la-vega-directorio-dependencias.xlsx"
LA_VEGA_SHEET = "Directorio"

#: The day the demo files say they were prepared; fixed so the files are reproducible.
AS_OF = dt.date(2026, 1, 15)

#: Verón-Punta Cana's area codes (column "Área") for the schema's categories.
VERON_AREA_CODES = {
    "urbanismo": "URB",
    "saneamiento": "SAN",
    "tributos": "TRI",
    "espacio_publico": "EPU",
    "cementerios": "CEM",
    "certificaciones": "CER",
    "mercados": "MER",
    "social": "SOC",
}
#: Cabarete's categories as written out in full (column "CATEGORIA").
CABARETE_CATEGORY_WORDS = {
    "urbanismo": "Urbanismo",
    "saneamiento": "Saneamiento",
    "tributos": "Tributos",
    "espacio_publico": "Espacio público",
    "cementerios": "Cementerios",
    "certificaciones": "Certificaciones",
    "mercados": "Mercados",
    "social": "Asistencia social",
}

VERON_HEADERS = [
    "Código",
    "Servicio",
    "Descripción",
    "Área",
    "Requisitos",
    "Tarifa\n(RD$)",  # a line break inside the header cell: the connector collapses it
    "Días",
    "En línea",
    "Por teléfono",
    "Base legal",
    "Dependencia",
    "Actualizado",
]
CABARETE_HEADERS = [
    "CODIGO",
    "SERVICIO",
    "DESCRIPCION",
    "CATEGORIA",
    "REQUISITOS",
    "COSTO",
    "DIAS",
    "EN LINEA",
    "POR TELEFONO",
    "BASE LEGAL",
    "DEPARTAMENTO",
    "FECHA ACTUALIZACION",
]
DEPARTMENT_HEADERS = ["Código", "Nombre", "Encargado", "Teléfono", "Correo", "Ubicación", "Horario"]
LA_VEGA_HEADERS = [
    "CÓDIGO",
    "DEPENDENCIA",
    "ENCARGADO(A)",
    "TELÉFONO",
    "CORREO ELECTRÓNICO",
    "UBICACIÓN",
    "HORARIO DE\nATENCIÓN",
]

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

Services = Sequence[dict[str, Any]]


def updated_on(index: int) -> dt.date:
    """The "last updated" date the demo writes on the service at `index` (0-based)."""
    return AS_OF - dt.timedelta(days=11 * index + 3)


def excel_serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


def spanish_money(amount: Decimal) -> str:
    """'RD$ 1.234.567,50': dots group thousands, a comma marks the cents."""
    english = f"{amount:,.2f}"
    return "RD$ " + english.replace(",", "\0").replace(".", ",").replace("\0", ".")


def english_money(amount: Decimal, with_symbol: bool) -> str:
    """'RD$ 1,234,567.50' or '1,234,567.50'."""
    return ("RD$ " if with_symbol else "") + f"{amount:,.2f}"


def _yes_no(flag: bool, accent: bool = True) -> str:
    return ("Sí" if accent else "Si") if flag else "No"


def write_veron_punta_cana(path: Path, services: Services, departments: Services) -> Path:
    """The junta's catalogue workbook: services sheet and "Dependencias" sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = VERON_SERVICES_SHEET
    last = openpyxl.utils.get_column_letter(len(VERON_HEADERS))
    sheet["A1"] = "JUNTA DE DISTRITO MUNICIPAL VERÓN-PUNTA CANA"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = f"Catálogo de servicios y tasas — actualizado al {AS_OF:%d/%m/%Y}"
    sheet.merge_cells(f"A2:{last}2")
    # Row 3 stays blank; the header is on row 4.
    sheet.append([])
    sheet.append(VERON_HEADERS)
    for cell in sheet[4]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    for index, service in enumerate(services):
        fee = service["fee_amount"]
        channels = service["channels"]
        sheet.append(
            [
                service["id"],
                service["name"],
                service["description"],
                VERON_AREA_CODES[service["category"]],
                "\n".join(service["requirements"]),
                "" if fee is None else spanish_money(fee),
                service["duration_days"],
                _yes_no("en_linea" in channels),
                _yes_no("telefono" in channels),
                service["legal_basis"],
                service["department_id"],
                None,
            ]
        )
        updated = sheet.cell(row=sheet.max_row, column=len(VERON_HEADERS))
        if index % 2 == 0:
            updated.value = updated_on(index)
            updated.number_format = "dd/mm/yyyy"
        else:  # pasted as a value: the bare serial number Excel keeps underneath
            updated.value = excel_serial(updated_on(index))
        for cell in sheet[sheet.max_row]:
            cell.alignment = _WRAP
    sheet.append([])
    sheet.append([])
    sheet.append(["Preparado por: Tesorería"])
    for letter, width in (("B", 40), ("C", 60), ("E", 50), ("J", 40)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B5"

    directory = workbook.create_sheet(VERON_DEPARTMENTS_SHEET)
    directory.append(DEPARTMENT_HEADERS)
    for cell in directory[1]:
        cell.font = _BOLD
    for department in departments:
        directory.append(
            [
                department["id"],
                department["name"],
                department["head"],
                department["phone"],
                department["email"],
                department["location"],
                department["hours"],
            ]
        )
    return _save(path, workbook.save)


def write_cabarete(path: Path, services: Services) -> Path:
    """The junta's services as Excel on Windows exports CSV: `;`, latin-1, CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    empty = [""] * (len(CABARETE_HEADERS) - 1)
    writer.writerow(["JUNTA DE DISTRITO MUNICIPAL DE CABARETE - SERVICIOS Y TASAS 2026", *empty])
    writer.writerow(CABARETE_HEADERS)
    for index, service in enumerate(services):
        fee = service["fee_amount"]
        channels = service["channels"]
        duration = service["duration_days"]
        writer.writerow(
            [
                service["id"],
                service["name"],
                service["description"],
                CABARETE_CATEGORY_WORDS[service["category"]],
                "; ".join(service["requirements"]),
                "" if fee is None else english_money(fee, with_symbol=index % 2 == 0),
                "" if duration is None else str(duration),
                _yes_no("en_linea" in channels, accent=False),
                _yes_no("telefono" in channels, accent=False),
                service["legal_basis"] or "",
                service["department_id"],
                f"{updated_on(index):%d/%m/%Y}",
            ]
        )
    writer.writerow(["", *empty])
    writer.writerow([f"Total de servicios: {len(services)}", *empty])
    data = buffer.getvalue().encode(CABARETE_ENCODING)
    return _save(path, lambda target: Path(target).write_bytes(data))


def write_la_vega_directory(path: Path, departments: Services) -> Path:
    """The ayuntamiento's directory of departments: a cover sheet, then "Directorio"."""
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Portada"
    cover["A1"] = "Ayuntamiento del Municipio de La Vega"
    cover["A2"] = "Directorio de dependencias"
    cover["A4"] = "Uso interno. Actualizar cada trimestre."

    sheet = workbook.create_sheet(LA_VEGA_SHEET)
    last = openpyxl.utils.get_column_letter(len(LA_VEGA_HEADERS))
    sheet["A1"] = "AYUNTAMIENTO DEL MUNICIPIO DE LA VEGA"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = "Directorio de dependencias"
    sheet.merge_cells(f"A2:{last}2")
    sheet["A3"] = f"Actualizado al {AS_OF:%d/%m/%Y}"
    # Rows 4 and 5 blank: the header is on row 6, found by `header_contains: CODIGO`.
    sheet.append([])
    sheet.append([])
    sheet.append(LA_VEGA_HEADERS)
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    for department in departments:
        sheet.append(
            [
                department["id"],
                department["name"],
                department["head"],
                department["phone"],
                department["email"],
                department["location"],
                department["hours"],
            ]
        )
    sheet.append([])
    sheet.append([f"TOTAL DE DEPENDENCIAS: {len(departments)}"])
    return _save(path, workbook.save)


def write_demo_workbooks(directory: Path) -> dict[str, Path]:
    """Write the three demo files into `directory`; returns {municipality id: file}."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "veron-punta-cana": write_veron_punta_cana(
            directory / VERON_FILE,
            catalogue.services("veron-punta-cana"),
            catalogue.departments("veron-punta-cana"),
        ),
        "cabarete": write_cabarete(directory / CABARETE_FILE, catalogue.services("cabarete")),
        "la-vega": write_la_vega_directory(
            directory / LA_VEGA_FILE, catalogue.departments("la-vega")
        ),
        # The junta's budget execution, a workbook of its own (`demo.budgets`).
        "veron-punta-cana/budget": _save(
            directory / budgets.VERON_BUDGET_FILE, budgets.write_veron_budget
        ),
    }


def _save(path: Path, write: Callable[[Path], object]) -> Path:
    """Write beside the target, then rename over it: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        write(partial)
        partial.chmod(0o644)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.workbooks",
        description="Write the demo spreadsheets (Verón-Punta Cana, Cabarete, La Vega).",
    )
    parser.add_argument(
        "directory", nargs="?", type=Path, default=DEMO_WORKBOOKS_DIR, help="target directory"
    )
    args = parser.parse_args(argv)
    for municipality_id, path in write_demo_workbooks(args.directory).items():
        print(f"{municipality_id}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
