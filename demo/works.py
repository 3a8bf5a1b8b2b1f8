"""The demo's public works (obras), in the hub's own terms, for the systems that keep them.

- Santo Domingo Este keeps its works in SIGEM (SOAP, ``ListarObras``): everything as
  text, progress as "62,5 %", dates as dd/mm/yyyy, amounts as "RD$ 45.780.250,00" and a
  three-letter status code (`SIGEM_ESTADO`).
- La Vega keeps them in SIMUVEGA (SQL, table ``OBRAS``): progress as a fraction of one
  (0.45), real DATE columns, the amount as a NUMERIC and a one-letter status code
  (`SIMUVEGA_ESTATUS`).

Dates are fixed, so a work's schedule is judged against today by the hub: the works whose
expected end has long passed are behind schedule for good. Demo data only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["SIGEM_ESTADO", "SIMUVEGA_ESTATUS", "sigem_obras", "simuvega_obras", "works"]

D = dt.date

#: The hub's statuses as SIGEM codes them.
SIGEM_ESTADO = {
    "planned": "PLA",
    "in_execution": "EJE",
    "stopped": "PAR",
    "finished": "TER",
    "cancelled": "CAN",
}
#: The hub's statuses as SIMUVEGA codes them.
SIMUVEGA_ESTATUS = {
    "planned": "L",
    "in_execution": "E",
    "stopped": "P",
    "finished": "T",
    "cancelled": "C",
}

_WORKS: dict[str, list[dict[str, Any]]] = {
    "santo-domingo-este": [
        {
            "id": "OB-2024-012",
            "name": "Asfaltado de la avenida San Vicente de Paúl (tramo Los Mina)",
            "place": "Av. San Vicente de Paúl, Los Mina",
            "latitude": Decimal("18.4921"),
            "longitude": Decimal("-69.8532"),
            "contractor": "Constructora Ozama, S.R.L.",
            "contract_amount": Decimal("45780250.00"),
            "progress_percent": Decimal("100"),
            "start_date": D(2025, 2, 3),
            "expected_end_date": D(2025, 11, 30),
            "end_date": D(2025, 12, 20),
            "status": "finished",
            "procurement_code": "ASDE-CCC-LPN-2024-0012",
        },
        {
            "id": "OB-2025-004",
            "name": "Encauzamiento de la cañada de Villa Duarte",
            "place": "Villa Duarte, calle Principal",
            "latitude": Decimal("18.4790"),
            "longitude": Decimal("-69.8750"),
            "contractor": "Ingeniería Hídrica del Este, S.A.",
            "contract_amount": Decimal("18325400.50"),
            "progress_percent": Decimal("62.5"),
            "start_date": D(2025, 4, 15),
            "expected_end_date": D(2026, 6, 30),
            "status": "in_execution",
            "procurement_code": "ASDE-CCC-LPN-2025-0004",
        },
        {
            "id": "OB-2026-002",
            "name": "Remozamiento del parque Las Américas",
            "place": "Ensanche Las Américas",
            "latitude": None,
            "longitude": None,
            "contractor": "Paisajismo Caribe, S.R.L.",
            "contract_amount": Decimal("6240000.00"),
            "progress_percent": Decimal("5"),
            "start_date": D(2026, 1, 10),
            "expected_end_date": D(2027, 12, 31),
            "status": "in_execution",
            "procurement_code": "ASDE-CCC-CP-2025-0031",
        },
        {
            "id": "OB-2024-009",
            "name": "Aceras y contenes de la calle Respaldo Los Mina",
            "place": "Calle Respaldo Los Mina",
            "latitude": Decimal("18.4950"),
            "longitude": Decimal("-69.8480"),
            "contractor": "Obras Civiles Duarte, S.R.L.",
            "contract_amount": Decimal("3150000.00"),
            "progress_percent": Decimal("30"),
            "start_date": D(2024, 8, 1),
            "expected_end_date": D(2025, 3, 31),
            "status": "stopped",
            "procurement_code": "ASDE-CCC-CP-2024-0019",
        },
        {
            "id": "OB-2026-007",
            "name": "Techado del mercado de Los Mina",
            "place": "Mercado de Los Mina",
            "latitude": None,
            "longitude": None,
            "contractor": None,
            "contract_amount": None,
            "progress_percent": Decimal("0"),
            "start_date": None,
            "expected_end_date": D(2030, 12, 31),
            "status": "planned",
            "procurement_code": None,
        },
        {
            "id": "OB-2025-011",
            "name": "Puente peatonal de la autopista de San Isidro",
            "place": "Autopista de San Isidro, km 3",
            "latitude": None,
            "longitude": None,
            "contractor": None,
            "contract_amount": None,
            "progress_percent": Decimal("0"),
            "start_date": None,
            "expected_end_date": D(2026, 3, 31),
            "status": "cancelled",
            "procurement_code": "ASDE-CCC-LPN-2025-0011",
        },
    ],
    "la-vega": [
        {
            "id": "LV-OB-01",
            "name": "Reconstrucción del puente sobre el río Camú",
            "place": "Río Camú, entrada de Villa Francisca",
            "latitude": Decimal("19.2166"),
            "longitude": Decimal("-70.5233"),
            "contractor": "Ingeniería Cibao, S.A.",
            "contract_amount": Decimal("28500000.00"),
            "progress_percent": Decimal("45"),
            "start_date": D(2025, 9, 1),
            "expected_end_date": D(2027, 3, 31),
            "status": "in_execution",
            "procurement_code": "ALV-CCC-LPN-2025-0004",
        },
        {
            "id": "LV-OB-02",
            "name": "Pavimentación de calles del sector Villa Francisca",
            "place": "Villa Francisca",
            "latitude": None,
            "longitude": None,
            "contractor": "Asfaltos del Norte, S.R.L.",
            "contract_amount": Decimal("12750000.00"),
            "progress_percent": Decimal("100"),
            "start_date": D(2024, 3, 4),
            "expected_end_date": D(2024, 10, 31),
            "end_date": D(2024, 10, 25),
            "status": "finished",
            "procurement_code": "ALV-CCC-CP-2024-0002",
        },
        {
            "id": "LV-OB-03",
            "name": "Cancha techada del barrio Las Carolinas",
            "place": "Las Carolinas",
            "latitude": Decimal("19.2301"),
            "longitude": Decimal("-70.5302"),
            "contractor": "Construcciones Vegana, S.R.L.",
            "contract_amount": Decimal("4980000.00"),
            "progress_percent": Decimal("20"),
            "start_date": D(2025, 11, 3),
            "expected_end_date": D(2026, 5, 31),
            "status": "stopped",
            "procurement_code": None,
        },
        {
            "id": "LV-OB-04",
            "name": "Nuevas naves del mercado municipal",
            "place": "Mercado municipal, calle Padre Adolfo",
            "latitude": None,
            "longitude": None,
            "contractor": None,
            "contract_amount": None,
            "progress_percent": Decimal("0"),
            "start_date": D(2030, 2, 1),
            "expected_end_date": D(2031, 12, 31),
            "status": "planned",
            "procurement_code": None,
        },
    ],
}


def works(municipality_id: str) -> list[dict[str, Any]]:
    """The works of one municipality (a copy), in the hub's terms."""
    return [dict(w) for w in _WORKS.get(municipality_id, [])]


def _money_text(amount: Decimal | None) -> str:
    """45780250 → "RD$ 45.780.250,00"; none → an empty text."""
    if amount is None:
        return ""
    grouped = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"RD$ {grouped}"


def _percent_text(value: Decimal) -> str:
    """62.5 → "62,5 %", 100 → "100 %"."""
    text = format(value.normalize(), "f")
    return f"{text.replace('.', ',')} %"


def _day_text(value: dt.date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def sigem_obras(municipality_id: str) -> list[dict[str, str]]:
    """The works as SIGEM's ``ListarObras`` sends them: every field a text."""
    return [
        {
            "CODIGO_OBRA": w["id"],
            "DESCRIPCION": w["name"],
            "UBICACION": w["place"] or "",
            "LATITUD": "" if w["latitude"] is None else str(w["latitude"]),
            "LONGITUD": "" if w["longitude"] is None else str(w["longitude"]),
            "CONTRATISTA": w["contractor"] or "",
            "MONTO_CONTRATADO": _money_text(w["contract_amount"]),
            "AVANCE_FISICO": _percent_text(w["progress_percent"]),
            "FECHA_INICIO": _day_text(w["start_date"]),
            "FECHA_FIN_PREVISTA": _day_text(w["expected_end_date"]),
            "FECHA_FIN_REAL": _day_text(w.get("end_date")),
            "ESTADO": SIGEM_ESTADO[w["status"]],
            "PROCESO_COMPRA": w["procurement_code"] or "",
        }
        for w in works(municipality_id)
    ]


def simuvega_obras() -> list[dict[str, Any]]:
    """La Vega's works as rows of SIMUVEGA's ``OBRAS`` table (progress a fraction of one)."""
    return [
        {
            "COD_OBRA": w["id"],
            "NOMBRE_OBRA": w["name"],
            "SECTOR": w["place"],
            "LATITUD": None if w["latitude"] is None else float(w["latitude"]),
            "LONGITUD": None if w["longitude"] is None else float(w["longitude"]),
            "CONTRATISTA": w["contractor"],
            "MONTO_CONTRATO": w["contract_amount"],
            "AVANCE": float(w["progress_percent"] / 100),
            "FECHA_INICIO": w["start_date"],
            "FECHA_FIN_PREV": w["expected_end_date"],
            "FECHA_FIN_REAL": w.get("end_date"),
            "ESTATUS": SIMUVEGA_ESTATUS[w["status"]],
            "COD_PROCESO": w["procurement_code"],
        }
        for w in works("la-vega")
    ]
