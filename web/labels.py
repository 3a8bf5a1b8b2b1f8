"""Citizen-facing names of the schema's enum values, as catalogue message ids.

The schema sends `URBANISMO`, `EN_LINEA`…; a citizen reads "Urbanismo", "En línea" or
their English translation. `N_` only marks a string for extraction; the page translates
it when it renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def N_(message: str) -> str:
    return message


KIND: Mapping[str, str] = MappingProxyType(
    {
        "AYUNTAMIENTO": N_("Municipal council"),
        "JUNTA_DISTRITO": N_("Municipal district board"),
    }
)

CATEGORY: Mapping[str, str] = MappingProxyType(
    {
        "URBANISMO": N_("Urban planning and building"),
        "SANEAMIENTO": N_("Waste and sanitation"),
        "TRIBUTOS": N_("Local taxes and fees"),
        "ESPACIO_PUBLICO": N_("Use of public space"),
        "CEMENTERIOS": N_("Cemeteries"),
        "CERTIFICACIONES": N_("Certificates"),
        "MERCADOS": N_("Markets"),
        "SOCIAL": N_("Social assistance"),
    }
)

CHANNEL: Mapping[str, str] = MappingProxyType(
    {
        "PRESENCIAL": N_("In person at the municipal offices"),
        "EN_LINEA": N_("Online"),
        "TELEFONO": N_("By phone"),
    }
)

LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"kind": KIND, "category": CATEGORY, "channel": CHANNEL}
)
