"""The demo's contracting processes (compras y contrataciones), for the systems that keep them.

- La Vega keeps its processes in SIMUVEGA (SQL, table ``PROCESOS_COMPRA``): a status code
  (``ESTADO``: ABI abierto, ADJ adjudicado, CAN cancelado, DES desierto), a modality code
  (``MODALIDAD``: LPN licitación pública nacional, CP comparación de precios, CM compra
  menor, SO sorteo de obras, EXC excepción), a category letter (``RUBRO``: B bienes,
  O obras, S servicios), amounts as NUMERIC, dates as dd/mm/yyyy text and the winner by
  its RPE number (Registro de Proveedores del Estado).
- Santo Domingo Este's processes are read from the release package the Dirección General
  de Contrataciones Públicas (DGCP) publishes, in OCDS 1.1 (`dgcp_package`): releases of
  several buyers (the hub keeps the ones of SDE's unidad de compras), and two releases of
  one process (the tender, then its award). `dgcp_api` serves the same package as a
  paginated API.

The La Vega processes of works are the ones its works name (`demo.works`). Demo data only:
the suppliers, numbers and amounts are made up.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = [
    "DGCP_FILE",
    "PROCESOS_COMPRA",
    "SDE_UNIT",
    "dgcp_package",
    "simuvega_processes",
    "write_dgcp_package",
]

#: The unidades de compras of the pilots that publish processes (as in their YAML).
LA_VEGA_UNIT = "3301"
SDE_UNIT = "3318"
#: A buyer on the DGCP's package that is not on the hub.
OTHER_UNIT = "0101"
#: Where `write_dgcp_package` puts the package under the demo's data directory.
DGCP_FILE = "dgcp/releases-municipios.json"

procesos = sa.MetaData()

PROCESOS_COMPRA = sa.Table(
    "PROCESOS_COMPRA",
    procesos,
    sa.Column("COD_PROCESO", sa.String(40), primary_key=True),
    sa.Column("DESCRIPCION", sa.String(200), nullable=False),
    sa.Column("OBJETO", sa.Text),
    sa.Column("ESTADO", sa.String(3), nullable=False),
    sa.Column("MODALIDAD", sa.String(3), nullable=False),
    sa.Column("RUBRO", sa.String(1), nullable=False),
    sa.Column("FECHA_PUBLICACION", sa.String(10), nullable=False),
    sa.Column("FECHA_APERTURA", sa.String(10)),
    sa.Column("FECHA_CIERRE", sa.String(10)),
    sa.Column("MONTO_ESTIMADO", sa.Numeric(14, 2)),
    sa.Column("RPE_PROVEEDOR", sa.String(12)),
    sa.Column("NOMBRE_PROVEEDOR", sa.String(200)),
    sa.Column("MONTO_ADJUDICADO", sa.Numeric(14, 2)),
    sa.Column("FECHA_ADJUDICACION", sa.String(10)),
    sa.Column("MONTO_CONTRATO", sa.Numeric(14, 2)),
    sa.Column("FECHA_CONTRATO", sa.String(10)),
)


def _row(**values: Any) -> dict[str, Any]:
    return {column.name: values.get(column.name) for column in PROCESOS_COMPRA.columns}


def simuvega_processes() -> list[dict[str, Any]]:
    """La Vega's processes as SIMUVEGA's rows."""
    return [
        _row(
            COD_PROCESO="ALV-CCC-LPN-2025-0004",
            DESCRIPCION="Reconstrucción del puente sobre el río Camú",
            OBJETO="Obra civil: demolición y reconstrucción del puente vehicular.",
            ESTADO="ADJ",
            MODALIDAD="LPN",
            RUBRO="O",
            FECHA_PUBLICACION="12/05/2025",
            FECHA_APERTURA="12/05/2025",
            FECHA_CIERRE="16/06/2025",
            MONTO_ESTIMADO=Decimal("29000000.00"),
            RPE_PROVEEDOR="40517",
            NOMBRE_PROVEEDOR="Ingeniería Cibao, S.A.",
            MONTO_ADJUDICADO=Decimal("28500000.00"),
            FECHA_ADJUDICACION="28/07/2025",
            MONTO_CONTRATO=Decimal("28500000.00"),
            FECHA_CONTRATO="11/08/2025",
        ),
        _row(
            COD_PROCESO="ALV-CCC-CP-2024-0002",
            DESCRIPCION="Pavimentación de calles del sector Villa Francisca",
            ESTADO="ADJ",
            MODALIDAD="CP",
            RUBRO="O",
            FECHA_PUBLICACION="15/01/2024",
            FECHA_APERTURA="15/01/2024",
            FECHA_CIERRE="02/02/2024",
            MONTO_ESTIMADO=Decimal("13000000.00"),
            RPE_PROVEEDOR="22981",
            NOMBRE_PROVEEDOR="Asfaltos del Norte, S.R.L.",
            MONTO_ADJUDICADO=Decimal("12750000.00"),
            FECHA_ADJUDICACION="19/02/2024",
            MONTO_CONTRATO=Decimal("12750000.00"),
            FECHA_CONTRATO="26/02/2024",
        ),
        _row(
            COD_PROCESO="ALV-DAF-CM-2026-0011",
            DESCRIPCION="Adquisición de uniformes para el personal de aseo urbano",
            ESTADO="ABI",
            MODALIDAD="CM",
            RUBRO="B",
            FECHA_PUBLICACION="03/11/2026",
            FECHA_APERTURA="03/11/2026",
            FECHA_CIERRE="20/11/2026",
            MONTO_ESTIMADO=Decimal("845000.00"),
        ),
        _row(
            COD_PROCESO="ALV-DAF-CM-2026-0007",
            DESCRIPCION="Servicio de mantenimiento de los camiones compactadores",
            ESTADO="DES",
            MODALIDAD="CM",
            RUBRO="S",
            FECHA_PUBLICACION="02/06/2026",
            FECHA_APERTURA="02/06/2026",
            FECHA_CIERRE="16/06/2026",
            MONTO_ESTIMADO=Decimal("1250000.00"),
        ),
    ]


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T10:00:00-04:00"


def _buyer(unit: str, name: str) -> dict[str, Any]:
    return {"id": f"DO-UC-{unit}", "name": name}


def _release(
    code: str,
    day: dt.date,
    unit: str,
    buyer_name: str,
    tender: dict[str, Any],
    award: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ocid = f"ocds-6550wx-{code}"
    buyer = _buyer(unit, buyer_name)
    parties: list[dict[str, Any]] = [
        {
            **buyer,
            "identifier": {"scheme": "DO-UC", "id": unit, "legalName": buyer_name},
            "roles": ["buyer", "procuringEntity"],
        }
    ]
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{day.isoformat()}",
        "date": _stamp(day),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "es",
        "buyer": buyer,
        "tender": {"id": code, **tender, "procuringEntity": buyer},
    }
    if award is not None:
        supplier = award.pop("supplier")
        parties.append(
            {
                **supplier,
                "identifier": {
                    "scheme": "DO-RPE",
                    "id": supplier["id"].removeprefix("DO-RPE-"),
                    "legalName": supplier["name"],
                },
                "roles": ["supplier"],
            }
        )
        release["tag"] = ["award", "contract"]
        release["awards"] = [
            {"id": f"{code}-1", "status": "active", "suppliers": [supplier], **award}
        ]
        release["contracts"] = [
            {
                "id": f"{code}-1",
                "awardID": f"{code}-1",
                "status": "active",
                "value": award["value"],
                "dateSigned": award["date"],
            }
        ]
    release["parties"] = parties
    return release


def _dop(amount: str) -> dict[str, Any]:
    return {"amount": float(Decimal(amount)), "currency": "DOP"}


def dgcp_releases() -> list[dict[str, Any]]:
    """The DGCP's releases of several buyers, oldest first."""
    sde = "Ayuntamiento de Santo Domingo Este"
    villa = {
        "title": "Encauzamiento de la cañada de Villa Duarte",
        "status": "active",
        "procurementMethod": "open",
        "mainProcurementCategory": "works",
        "value": _dop("18900000.00"),
        "tenderPeriod": {
            "startDate": _stamp(dt.date(2025, 1, 13)),
            "endDate": _stamp(dt.date(2025, 2, 24)),
        },
    }
    return [
        _release(
            "ASDE-CCC-LPN-2024-0012",
            dt.date(2024, 12, 9),
            SDE_UNIT,
            sde,
            {
                "title": "Asfaltado de la avenida San Vicente de Paúl (tramo Los Mina)",
                "status": "complete",
                "procurementMethod": "open",
                "mainProcurementCategory": "works",
                "value": _dop("46000000.00"),
            },
            {
                "supplier": {"id": "DO-RPE-18044", "name": "Constructora Ozama, S.R.L."},
                "value": _dop("45780250.00"),
                "date": _stamp(dt.date(2025, 1, 20)),
            },
        ),
        _release("ASDE-CCC-LPN-2025-0004", dt.date(2025, 1, 13), SDE_UNIT, sde, villa),
        _release(
            "ASDE-CCC-LPN-2025-0004",
            dt.date(2025, 3, 24),
            SDE_UNIT,
            sde,
            {**villa, "status": "complete"},
            {
                "supplier": {"id": "DO-RPE-30912", "name": "Ingeniería Hídrica del Este, S.A."},
                "value": _dop("18325400.50"),
                "date": _stamp(dt.date(2025, 3, 24)),
            },
        ),
        _release(
            "ASDE-DAF-CP-2026-0031",
            dt.date(2026, 9, 7),
            SDE_UNIT,
            sde,
            {
                "title": "Adquisición de contenedores para residuos sólidos",
                "status": "active",
                "procurementMethod": "open",
                "mainProcurementCategory": "goods",
                "value": _dop("3480000.00"),
            },
        ),
        _release(
            "ADN-DAF-CP-2026-0102",
            dt.date(2026, 8, 3),
            OTHER_UNIT,
            "Ayuntamiento del Distrito Nacional",
            {
                "title": "Servicio de poda de árboles en avenidas principales",
                "status": "active",
                "procurementMethod": "open",
                "mainProcurementCategory": "services",
                "value": _dop("2200000.00"),
            },
        ),
    ]


def dgcp_package(releases: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A release package as the DGCP publishes one."""
    return {
        "uri": "https://datosabiertos.dgcp.gob.do/api-dgcp/v1/releases",
        "version": "1.1",
        "publishedDate": "2026-11-30T06:00:00-04:00",
        "publisher": {"name": "Dirección General de Contrataciones Públicas"},
        "releases": dgcp_releases() if releases is None else releases,
    }


def write_dgcp_package(data_dir: Path) -> Path:
    """Write the DGCP's package under the demo's data directory; returns its path."""
    path = data_dir / DGCP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dgcp_package(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
