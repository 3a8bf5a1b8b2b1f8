"""Demo budgets: a junta's messy treasurer's workbook and a municipality's SQL view.

- **Verón-Punta Cana** (`.xlsx`, sheet "Ejecución 2026"): a merged title and a merged
  subtitle, "Fecha de corte:" with the date in B3 as an Excel serial formatted as a date,
  a blank row, the header on row 5; amounts as numbers, as text ("RD$ 1.234.567,50",
  "  1.234.567,50  "), "-" for nothing executed; the percent executed as a number
  formatted 0.0 % (a fraction) or as text ("80,4 %"); a blank row, a `TOTAL GENERAL`
  row, a blank row and "Preparado por: Tesorería".
- **San Francisco de Macorís** (GESMUN, SQL): table `ejecucion_presupuestaria` read through
  the view `v_ejecucion_presupuestaria`, two fiscal years, DIGEPRES classifications.

Demo data only: the amounts are invented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import sqlalchemy as sa
from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = [
    "GESMUN_BUDGET_VIEW",
    "VERON_BUDGET_CUTOFF",
    "VERON_BUDGET_FILE",
    "VERON_BUDGET_HEADERS",
    "VERON_BUDGET_SHEET",
    "DemoProgram",
    "build_gesmun_budget",
    "gesmun_programs",
    "sigem_partidas",
    "veron_programs",
    "write_veron_budget",
]

VERON_BUDGET_FILE = "veron-punta-cana-presupuesto-2026.xlsx"
VERON_BUDGET_SHEET = "Ejecución 2026"
VERON_BUDGET_CUTOFF = dt.date(2026, 9, 30)
VERON_BUDGET_HEADERS = [
    "Cuenta",
    "Programa",
    "Clasificación funcional",
    "Objeto del gasto",
    "Presupuesto aprobado",
    "Presupuesto modificado",
    "Ejecutado",
    "% Ejecución",
]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclasses.dataclass(frozen=True, slots=True)
class DemoProgram:
    code: str
    name: str
    functional_class: str
    object_class: str
    approved: Decimal
    modified: Decimal
    executed: Decimal


def _d(text: str) -> Decimal:
    return Decimal(text)


def veron_programs() -> list[DemoProgram]:
    return [
        DemoProgram(
            "01",
            "Administración general",
            "1.1 Administración general",
            "2.1 Remuneraciones y contribuciones",
            _d("18500000.00"),
            _d("19200000.00"),
            _d("14750320.50"),
        ),
        DemoProgram(
            "02",
            "Recogida de residuos sólidos",
            "2.5 Protección del medio ambiente",
            "2.2 Contratación de servicios",
            _d("9800000.00"),
            _d("9800000.00"),
            _d("7879200.00"),
        ),
        DemoProgram(
            "03",
            "Alumbrado público",
            "2.4 Vivienda y servicios comunitarios",
            "2.3 Materiales y suministros",
            _d("3250000.00"),
            _d("3600000.00"),
            _d("1234567.50"),
        ),
        DemoProgram(
            "04",
            "Mantenimiento de calles y aceras",
            "2.4 Vivienda y servicios comunitarios",
            "2.7 Obras",
            _d("12000000.00"),
            _d("11400000.00"),
            _d("0.00"),
        ),
        DemoProgram(
            "05",
            "Programas sociales y deportes",
            "2.3 Protección social",
            "2.4 Transferencias corrientes",
            _d("2450000.00"),
            _d("2450000.00"),
            _d("1969800.00"),
        ),
    ]


def gesmun_programs(year: int) -> list[DemoProgram]:
    """San Francisco de Macorís' programs of `year` (2025 fully executed, 2026 under way)."""
    share = Decimal("0.97") if year == 2025 else Decimal("0.62")
    rows = [
        ("11", "Gestión administrativa", "1.1 Administración general", "2.1 Remuneraciones"),
        ("21", "Aseo urbano", "2.5 Protección del medio ambiente", "2.2 Servicios"),
        ("22", "Mercados y mataderos", "2.4 Servicios comunitarios", "2.2 Servicios"),
        ("31", "Obras municipales", "2.4 Servicios comunitarios", "2.7 Obras"),
    ]
    programs = []
    for index, (code, name, functional, objective) in enumerate(rows):
        approved = Decimal(40_000_000 - index * 7_500_000) + Decimal(year - 2025) * 1_000_000
        modified = approved + Decimal(250_000 * index)
        executed = (modified * share).quantize(Decimal("0.01"))
        programs.append(
            DemoProgram(code, name, functional, objective, approved, modified, executed)
        )
    return programs


def sigem_partidas(municipality_id: str) -> list[dict[str, str]]:
    """SIGEM's budget lines of 2026, every field a text: "RD$ 1.234.567,50", "80,4 %",
    the cut-off as dd/mm/yyyy. Santo Domingo Este only; other tenants have none."""
    if municipality_id != "santo-domingo-este":
        return []
    lines = [
        ("0101", "Dirección y coordinación", "2.1", "125000000.00", "131500000.00", "96320450.75"),
        (
            "0201",
            "Gestión integral de residuos",
            "2.2",
            "210000000.00",
            "215000000.00",
            "172860000.00",
        ),
        ("0301", "Infraestructura vial", "2.7", "180000000.00", "176250000.00", "88125000.00"),
    ]
    partidas = []
    for code, name, objective, approved, modified, executed in lines:
        share = Decimal(executed) * 100 / Decimal(modified)
        partidas.append(
            {
                "ANIO": "2026",
                "CUENTA": code,
                "DESCRIPCION": name,
                "OBJETO_GASTO": objective,
                "APROBADO": "RD$ " + _spanish(Decimal(approved)),
                "MODIFICADO": "RD$ " + _spanish(Decimal(modified)),
                "EJECUTADO": "RD$ " + _spanish(Decimal(executed)),
                "PORC_EJECUCION": _spanish(share.quantize(Decimal("0.1")))[:-1] + " %",
                "FECHA_CORTE": "31/10/2026",
            }
        )
    return partidas


# ------------------------------------------------------------------ the treasurer's workbook


def _spanish(amount: Decimal) -> str:
    english = f"{amount:,.2f}"
    return english.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _percent_text(executed: Decimal, modified: Decimal) -> str:
    return _spanish((executed * 100 / modified).quantize(Decimal("0.1")))[:-1] + " %"


def write_veron_budget(path: Path) -> Path:
    """Write the junta's budget workbook at `path` (the caller saves it atomically)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = VERON_BUDGET_SHEET
    sheet["A1"] = "JUNTA DE DISTRITO MUNICIPAL VERÓN-PUNTA CANA"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Ejecución presupuestaria del año fiscal 2026 (valores en RD$)"
    sheet.merge_cells("A2:H2")
    sheet["A3"] = "Fecha de corte:"
    sheet["B3"] = (VERON_BUDGET_CUTOFF - _EXCEL_EPOCH).days
    sheet["B3"].number_format = "dd/mm/yyyy"
    sheet.append([])
    sheet.append(VERON_BUDGET_HEADERS)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for index, p in enumerate(veron_programs()):
        approved: object = float(p.approved) if index % 2 == 0 else "RD$ " + _spanish(p.approved)
        modified: object = f"  {_spanish(p.modified)}  " if index % 2 == 0 else float(p.modified)
        executed: object = "-" if p.executed == 0 else "RD$ " + _spanish(p.executed)
        sheet.append([p.code, p.name, p.functional_class, p.object_class, approved, modified])
        row = sheet.max_row
        sheet.cell(row, 7, executed)
        if index % 2 == 0:
            sheet.cell(row, 8, float(p.executed / p.modified))
            sheet.cell(row, 8).number_format = "0.0%"
        else:
            sheet.cell(row, 8, _percent_text(p.executed, p.modified))
    sheet.append([])
    total = veron_programs()
    sheet.append(
        [
            "TOTAL GENERAL",
            None,
            None,
            None,
            "RD$ " + _spanish(sum((p.approved for p in total), Decimal(0))),
            "RD$ " + _spanish(sum((p.modified for p in total), Decimal(0))),
            "RD$ " + _spanish(sum((p.executed for p in total), Decimal(0))),
        ]
    )
    sheet.append([])
    sheet.append(["Preparado por: Tesorería"])
    workbook.save(path)
    return path


# ------------------------------------------------------------------------- GESMUN's view

gesmun_budget = sa.MetaData()

EJECUCION = sa.Table(
    "ejecucion_presupuestaria",
    gesmun_budget,
    sa.Column("anio", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cod_municipio", sa.String(4), primary_key=True),
    sa.Column("cuenta", sa.String(12), primary_key=True),
    sa.Column("programa", sa.String(200), nullable=False),
    sa.Column("clasif_funcional", sa.String(80)),
    sa.Column("objeto_gasto", sa.String(80)),
    sa.Column("aprobado", sa.Numeric(16, 2), nullable=False),
    sa.Column("modificado", sa.Numeric(16, 2)),
    sa.Column("ejecutado", sa.Numeric(16, 2), nullable=False),
    sa.Column("fecha_corte", sa.String(10), nullable=False),
)

GESMUN_BUDGET_VIEW = "v_ejecucion_presupuestaria"
_CREATE_VIEW = """
CREATE VIEW v_ejecucion_presupuestaria AS
SELECT anio, cod_municipio, cuenta, programa, clasif_funcional, objeto_gasto,
       aprobado, modificado, ejecutado, fecha_corte
FROM ejecucion_presupuestaria
"""
#: The cut-off GESMUN records for each year, as yyyy-mm-dd text.
GESMUN_CUTOFFS = {2025: "2025-12-31", 2026: "2026-10-31"}


async def build_gesmun_budget(connection: AsyncConnection, municipio: str) -> None:
    """(Re)create GESMUN's budget table and view with the demo years."""
    await connection.execute(sa.text("DROP VIEW IF EXISTS v_ejecucion_presupuestaria"))
    await connection.run_sync(gesmun_budget.drop_all)
    await connection.run_sync(gesmun_budget.create_all)
    await connection.execute(sa.text(_CREATE_VIEW))
    rows = [
        {
            "anio": year,
            "cod_municipio": municipio,
            "cuenta": p.code,
            "programa": p.name,
            "clasif_funcional": p.functional_class,
            "objeto_gasto": p.object_class,
            "aprobado": p.approved,
            "modificado": p.modified,
            "ejecutado": p.executed,
            "fecha_corte": cutoff,
        }
        for year, cutoff in GESMUN_CUTOFFS.items()
        for p in gesmun_programs(year)
    ]
    await connection.execute(sa.insert(EJECUCION), rows)
