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
    Capability,
    ConnectorEnvironment,
    ConnectorError,
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


async def _probe_requests(
    federation: Federation, municipality: Municipality
) -> tuple[bool, list[str]]:
    """A `requests` binding is written, never read here: its operations (or its table and
    queries) must exist upstream. Nothing is submitted."""
    key = "bindings.requests"
    try:
        destination = federation.request_writer(municipality.id)
        assert destination is not None  # the binding is there
        report = await destination.writer.check_requests(destination.binding)
    except ConnectorError as exc:
        return False, [f"  {municipality.path}: {key}: {exc.internal_message}"]
    if not report.ok:
        return False, [f"  {municipality.path}: {key}: {report.message}", *_details(report.details)]
    return True, [f"  {key} -> {destination.source}: {report.message}"]


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
                key = f"bindings.{capability.value}"
                if capability is Capability.REQUESTS:
                    ok, request_lines = await _probe_requests(federation, municipality)
                    healthy &= ok
                    lines.extend(request_lines)
                    continue
                (outcome,) = await federation.dispatcher.list_for(capability, [municipality_id])
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
