"""The demo data set every simulated municipal system serves, in the hub's own terms.

Simulators turn these records into their vendor's legacy shape (Spanish column names,
codes, number formats); the hub's bindings map them back. Demo data only.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.native.seed import read_catalogue
from gateway.settings import CONFIG_DIR

CATALOGUE_DIR = CONFIG_DIR / "demo" / "catalogue"

#: The department (dependencia) responsible for each service category.
DEPARTMENT_OF_CATEGORY = {
    "urbanismo": "planeamiento-urbano",
    "saneamiento": "gestion-ambiental",
    "tributos": "tesoreria",
    "espacio_publico": "servicios-publicos",
    "cementerios": "servicios-publicos",
    "mercados": "servicios-publicos",
    "certificaciones": "secretaria-general",
    "social": "desarrollo-social",
}

_DEPARTMENT_NAMES = {
    "planeamiento-urbano": "Dirección de Planeamiento Urbano",
    "gestion-ambiental": "Dirección de Gestión Ambiental y Saneamiento",
    "tesoreria": "Tesorería Municipal",
    "servicios-publicos": "Dirección de Servicios Públicos",
    "secretaria-general": "Secretaría General",
    "desarrollo-social": "Dirección de Desarrollo Social",
}


@functools.cache
def services(municipality_id: str, directory: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    """The municipality's demo services as plain records (fee_amount as Decimal or None)."""
    catalogue = read_catalogue(directory / f"{municipality_id}.yaml")
    return [
        {
            "id": s.id,
            "name": s.name,
            "description": s.description,
            "category": s.category,
            "requirements": list(s.requirements),
            "fee_amount": None if s.fee is None else Decimal(s.fee.amount),
            "fee_currency": "DOP",
            "duration_days": s.duration_days,
            "channels": list(s.channels),
            "legal_basis": s.legal_basis,
            "department_id": DEPARTMENT_OF_CATEGORY[s.category],
            "active": True,
        }
        for s in catalogue.services
    ]


def departments(municipality_id: str) -> list[dict[str, Any]]:
    """The departments the municipality's services refer to (fictitious contact data)."""
    used = sorted({s["department_id"] for s in services(municipality_id)})
    return [
        {
            "id": department_id,
            "name": _DEPARTMENT_NAMES[department_id],
            "head": None,
            "phone": f"+1 809-555-{1000 + index:04d}",
            "email": f"{department_id}@{municipality_id}.demo.planasmun.do",
            "location": "Palacio Municipal",
            "hours": "Lunes a viernes, 8:00 a. m. – 3:00 p. m.",
        }
        for index, department_id in enumerate(used)
    ]
