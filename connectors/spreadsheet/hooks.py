"""Hooks for treasurers' workbooks, registered by name for a binding's `hook` key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors import convert
from connectors.errors import MappingError
from connectors.hooks import record_hook
from connectors.spreadsheet.tables import blank
from connectors.text import fold

__all__ = ["channels_from_online_flag"]

#: The columns the hook reads, as their names fold (`fold`: case and accents ignored).
_ONLINE = "en linea"
_PHONE = "por telefono"


@record_hook("channels_from_online_flag")
def channels_from_online_flag(raw: Mapping[str, Any], record: dict[str, Any]) -> Mapping[str, Any]:
    """Channels from Sí/No columns: always `presencial`; `en_linea` when "En línea" says Sí,
    `telefono` when an optional "Por teléfono" column says Sí.

    Column names are matched ignoring case and accents ("EN LINEA", "En línea").
    """
    columns = {fold(str(name)): name for name in raw}
    online = columns.get(_ONLINE)
    if online is None:
        raise MappingError(
            "field 'channels' (hook channels_from_online_flag): expected a column "
            f"'{_ONLINE}' ({convert.YES_NO}, case and accents ignored), "
            f"found only {sorted(map(str, raw))}",
            field="channels",
            source_field=_ONLINE,
        )
    channels = ["presencial"]
    for column, channel in ((online, "en_linea"), (columns.get(_PHONE), "telefono")):
        if column is None or blank(raw[column]):
            continue
        try:
            if convert.to_bool(raw[column]):
                channels.append(channel)
        except ValueError:
            shown = repr(raw[column])[:60]
            raise MappingError(
                f"field 'channels' from '{column}': expected {convert.YES_NO}, found {shown}",
                field="channels",
                source_field=str(column),
                value=shown,
            ) from None
    record["channels"] = channels
    return record
