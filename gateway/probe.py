"""`planasmun check-config --probe`: ask every source what it offers and try every binding.

Prints, per municipality, each source's `check()` result with its details (a WSDL's
operations, a table's columns, a sheet's headers) so an integrator can write the mapping,
and reads each binding once so that a mapping error shows up here, as
`file: bindings.<capability>[.fields.<field>]: message`, before a citizen meets it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from connectors import (
    ConnectorEnvironment,
    Federation,
    HealthReport,
    MappingError,
    Municipality,
)
from gateway.settings import CONFIG_DIR, Settings


def _details(details: Mapping[str, object]) -> list[str]:
    lines = []
    for key, value in details.items():
        text = json.dumps(value, ensure_ascii=False, default=str)
        lines.append(f"      {key}: {text if len(text) <= 400 else text[:397] + '...'}")
    return lines


async def probe(
    municipalities: Mapping[str, Municipality], settings: Settings
) -> tuple[list[str], bool]:
    """Returns the report's lines and whether every source and binding worked."""
    environment = ConnectorEnvironment(settings.database_url, CONFIG_DIR)
    federation = Federation(municipalities, environment)
    reports: dict[int, HealthReport] = {}
    lines: list[str] = []
    healthy = True
    try:
        for municipality_id in sorted(municipalities):
            municipality = municipalities[municipality_id]
            lines.append(f"{municipality_id} ({municipality.path}):")
            for placed in federation.sources_of(municipality_id):
                connector = placed.connector
                if id(connector) not in reports:
                    reports[id(connector)] = await connector.check()
                report = reports[id(connector)]
                healthy &= report.ok
                state = "ok" if report.ok else "FAILED"
                lines.append(
                    f"  source {placed.name} ({connector.kind}): {state}: {report.message}"
                )
                lines.extend(_details(report.details))
            for capability, binding in municipality.bindings.items():
                (outcome,) = await federation.dispatcher.list_for(capability, [municipality_id])
                key = f"bindings.{capability.value}"
                if outcome.error is None:
                    lines.append(f"  {key} -> {binding.source}: {len(outcome.value)} record(s)")
                    continue
                healthy = False
                error = outcome.error
                if isinstance(error, MappingError) and error.field:
                    key = f"{key}.fields.{error.field}"
                lines.append(f"  {municipality.path}: {key}: {error.internal_message}")
    finally:
        await federation.close()
    return lines, healthy
