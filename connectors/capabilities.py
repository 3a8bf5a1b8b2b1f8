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

FieldType = Literal["text", "int", "decimal", "money", "date", "bool", "list"]


@dataclasses.dataclass(frozen=True, slots=True)
class FieldDef:
    type: FieldType
    required: bool = False
    #: The values an enum field may take (after a binding's `map`), if it is an enum.
    choices: frozenset[str] | None = None
    default: Any = None


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
}


def fields_of(capability: Capability) -> Mapping[str, FieldDef]:
    return CAPABILITY_FIELDS.get(capability, {})
