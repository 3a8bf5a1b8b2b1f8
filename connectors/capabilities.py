"""The fields each capability's records carry, as the schema expects them.

Bindings map a source's fields onto these names; `check-config` rejects a mapping onto a
field that does not exist here and a binding that leaves a required field unmapped (a
required field may take a binding's declared `default`, e.g. `category: {default: social}`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

from connectors.types import Capability

FieldType = Literal[
    "text", "int", "decimal", "money", "percent", "fraction", "date", "bool", "list"
]


@dataclasses.dataclass(frozen=True, slots=True)
class FieldDef:
    type: FieldType
    required: bool = False
    #: The values an enum field may take (after a binding's `map`), if it is an enum.
    choices: frozenset[str] | None = None
    default: Any = None
    #: The least and greatest value a number field may take, if it is bounded.
    bounds: tuple[int, int] | None = None


SERVICE_CATEGORIES = frozenset(
    {
        "urbanismo",
        "saneamiento",
        "tributos",
        "espacio_publico",
        "cementerios",
        "certificaciones",
        "mercados",
        "social",
    }
)
CHANNELS = frozenset({"presencial", "en_linea", "telefono"})
#: Where a public work stands; a binding maps its vendor's codes onto these (`map:`).
WORK_STATUSES = frozenset({"planned", "in_execution", "stopped", "finished", "cancelled"})
#: OCDS 1.1 closed codelists a procurement record's codes come from.
TENDER_STATUSES = frozenset(
    {"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"}
)
PROCUREMENT_METHODS = frozenset({"open", "selective", "limited", "direct"})
PROCUREMENT_CATEGORIES = frozenset({"goods", "works", "services"})
AWARD_STATUSES = frozenset({"pending", "active", "cancelled", "unsuccessful"})
CONTRACT_STATUSES = frozenset({"pending", "active", "cancelled", "terminated"})

CAPABILITY_FIELDS: Mapping[Capability, Mapping[str, FieldDef]] = {
    Capability.SERVICES: {
        "id": FieldDef("text", required=True),
        "name": FieldDef("text", required=True),
        "description": FieldDef("text", default=""),
        # Required, but a binding may declare it (`{default: tributos}`) when its source has
        # no categories, or map the vendor's codes with a fallback (`{from, map, default}`).
        "category": FieldDef("text", required=True, choices=SERVICE_CATEGORIES),
        "requirements": FieldDef("list", default=()),
        "fee_amount": FieldDef("money"),
        "fee_currency": FieldDef("text", default="DOP"),
        "duration_days": FieldDef("int"),
        "channels": FieldDef("list", choices=CHANNELS, default=("presencial",)),
        "legal_basis": FieldDef("text"),
        "department_id": FieldDef("text"),
        # An inactive service is hidden from citizens and Open311; its staff still see it.
        "active": FieldDef("bool", default=True),
    },
    Capability.DEPARTMENTS: {
        "id": FieldDef("text", required=True),
        "name": FieldDef("text", required=True),
        "head": FieldDef("text"),
        "phone": FieldDef("text"),
        "email": FieldDef("text"),
        "location": FieldDef("text"),
        "hours": FieldDef("text"),
    },
    # A public work (obra): where, who builds it, for how much, how far along, by when.
    Capability.WORKS: {
        "id": FieldDef("text", required=True),
        "name": FieldDef("text", required=True),
        "place": FieldDef("text"),
        "latitude": FieldDef("decimal"),
        "longitude": FieldDef("decimal"),
        "contractor": FieldDef("text"),
        "contract_amount": FieldDef("money"),
        "currency": FieldDef("text", default="DOP"),
        # Percentage points (45 for 45 %): a source that keeps a fraction (0.45) declares
        # `{from: AVANCE, type: fraction}`; a text such as "45 %" is read either way.
        "progress_percent": FieldDef("percent", bounds=(0, 100)),
        "start_date": FieldDef("date"),
        "expected_end_date": FieldDef("date"),
        "end_date": FieldDef("date"),
        "status": FieldDef("text", required=True, choices=WORK_STATUSES),
        # The procurement process it came from: its OCDS ocid and/or the process code.
        "procurement_ocid": FieldDef("text"),
        "procurement_code": FieldDef("text"),
    },
    # One contracting process as a flat record (one award, one contract): the hub makes it
    # an OCDS 1.1 release (`schema/procurement/ocds.py`). Codes are OCDS codelist values.
    Capability.PROCUREMENT: {
        "id": FieldDef("text", required=True),  # the process code: ocid = ocds-6550wx-<id>
        "title": FieldDef("text", required=True),
        "description": FieldDef("text"),
        "status": FieldDef("text", required=True, choices=TENDER_STATUSES),
        "method": FieldDef("text", choices=PROCUREMENT_METHODS),
        "category": FieldDef("text", choices=PROCUREMENT_CATEGORIES),
        "date": FieldDef("date", required=True),  # when the process was last published
        "tender_value": FieldDef("money"),
        "currency": FieldDef("text", default="DOP"),
        "tender_start": FieldDef("date"),
        "tender_end": FieldDef("date"),
        "supplier_id": FieldDef("text"),  # the supplier's RPE number
        "supplier_name": FieldDef("text"),
        "award_value": FieldDef("money"),
        "award_date": FieldDef("date"),
        "award_status": FieldDef("text", choices=AWARD_STATUSES),
        "contract_value": FieldDef("money"),
        "contract_date": FieldDef("date"),
        "contract_status": FieldDef("text", choices=CONTRACT_STATUSES),
    },
    # One program (line) of a fiscal year's budget and its execution, amounts in DOP.
    # `connectors.budget` puts the rows of a year together; a row without its year takes
    # the year of its cut-off date.
    Capability.BUDGET: {
        "fiscal_year": FieldDef("int"),
        "code": FieldDef("text", required=True),
        "name": FieldDef("text", required=True),
        # DIGEPRES classifications, where the source has them.
        "functional_class": FieldDef("text"),
        "object_class": FieldDef("text"),
        "approved": FieldDef("money", required=True),
        "modified": FieldDef("money"),
        "executed": FieldDef("money", required=True),
        # Percentage points (80.4); computed from executed / modified when the source has none.
        "executed_percent": FieldDef("percent"),
        "cutoff_date": FieldDef("date"),
    },
}


def fields_of(capability: Capability) -> Mapping[str, FieldDef]:
    return CAPABILITY_FIELDS.get(capability, {})
