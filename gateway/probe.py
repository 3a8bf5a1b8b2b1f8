"""`planasmun check-config --probe`: ask every source what it offers and try every binding.

Prints, per municipality, each source's `check()` result with its details (a WSDL's
operations, a table's columns, a sheet's headers) so an integrator can write the mapping,
and reads each binding once so that a mapping error shows up here, as
`file: bindings.<capability>[.fields.<field>]: message`, before a citizen meets it. Each
read-only request source (`bindings.request_lookups`) runs its query or operation and looks
up the `probe_numbers` it lists, showing how their statuses and dates map.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from connectors import (
    Binding,
    Capability,
    ConnectorEnvironment,
    ConnectorError,
    Federation,
    HealthReport,
    MappingError,
    Municipality,
    Record,
    budget_years,
)
from connectors.reads import ExternalRequest, RequestReader
from connectors.request_lookup import RequestLookupConfig
from gateway.settings import CONFIG_DIR, Settings
from schema.procurement.ocds import releases_of
from schema.procurement.resolvers import buyer_of


def _details(details: Mapping[str, object]) -> list[str]:
    lines = []
    for key, value in details.items():
        text = json.dumps(value, ensure_ascii=False, default=str)
        lines.append(f"      {key}: {text if len(text) <= 400 else text[:397] + '...'}")
    return lines


def _budget_lines(key: str, source: str, records: Sequence[Record]) -> list[str]:
    """Each fiscal year read: its programs, the rows skipped, a total that disagrees."""
    lines = []
    for year in budget_years(records):
        lines.append(
            f"  {key} -> {source}: {year.fiscal_year}: {len(year.programs)} program(s), "
            f"cut-off {year.cutoff_date or 'not given'}"
        )
        lines.extend(
            f"    row {s.row} skipped ({s.sheet}, cell {s.cell or '?'}): field '{s.field}' "
            f"from '{s.column}'"
            for s in year.skipped
        )
        lines.extend(
            f"    the source's total of {m.column} is {m.source_total}, the programs add up "
            f"to {m.hub_total}"
            for m in year.mismatches
        )
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


def _mapped(config: RequestLookupConfig, request: ExternalRequest) -> str:
    """`estado 'P' -> EN_PROCESO; fecha '20230314' -> 2023-03-14T04:00:00+00:00 (...)`."""
    fields = config.fields
    parts = [f"{fields.status} {request.raw.get(fields.status)!r} -> {request.status}"]
    for name, field, value in (
        ("submitted_at", fields.submitted_at, request.submitted_at),
        ("changed_at", fields.changed_at, request.changed_at),
    ):
        if field is not None:
            shown = config.dates.get(name, "ISO 8601")
            parts.append(f"{field} {request.raw.get(field)!r} ({shown}) -> {value.isoformat()}")
    return "; ".join(parts)


async def _probe_lookups(
    federation: Federation, municipality: Municipality
) -> tuple[bool, list[str]]:
    """Each read-only request source: its query or operation, then the `probe_numbers` it
    declares, looked up, with how their statuses and dates map. Nothing is written."""
    healthy = True
    lines: list[str] = []
    connectors = {p.name: p.connector for p in federation.sources_of(municipality.id)}
    for index, config in enumerate(municipality.request_lookups):
        key = f"bindings.request_lookups[{index}]"
        if not isinstance(config, RequestLookupConfig):
            continue
        connector = connectors.get(config.source)
        if not isinstance(connector, RequestReader):
            healthy = False
            lines.append(f"  {municipality.path}: {key}: no source that can look requests up")
            continue
        binding = Binding(municipality.id, Capability.REQUESTS, config)
        report = await connector.check_lookup(binding)
        if not report.ok:
            healthy = False
            lines.append(f"  {municipality.path}: {key}: {report.message}")
            continue
        lines.append(f"  {key} -> {config.source}: {report.message}")
        if not config.probe_numbers:
            lines.append("      (list some of its numbers in `probe_numbers` to see them mapped)")
            continue
        try:
            found = await connector.lookup_requests(binding, config.probe_numbers)
        except ConnectorError as exc:
            healthy = False
            key = (
                f"{key}.fields.{exc.field}" if isinstance(exc, MappingError) and exc.field else key
            )
            lines.append(f"  {municipality.path}: {key}: {exc.internal_message}")
            continue
        for number in config.probe_numbers:
            request = found.get(number.strip().upper())
            mapped = "not found" if request is None else _mapped(config, request)
            lines.append(f"      {number}: {mapped}")
    return healthy, lines


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
                if outcome.error is None and capability is Capability.BUDGET:
                    lines.extend(_budget_lines(key, binding.source, outcome.value))
                    continue
                if outcome.error is None and capability is Capability.PROCUREMENT:
                    made = releases_of(outcome.value, buyer_of(municipality))
                    healthy &= not made.malformed
                    lines.append(
                        f"  {key} -> {binding.source}: {len(made.releases)} OCDS release(s)"
                    )
                    lines.extend(
                        f"  {municipality.path}: {key}: process {p.process_id} left out: "
                        f"{p.reason.id}"
                        for p in made.malformed
                    )
                    continue
                if outcome.error is None:
                    lines.append(f"  {key} -> {binding.source}: {len(outcome.value)} record(s)")
                    continue
                healthy = False
                error = outcome.error
                if isinstance(error, MappingError) and error.field:
                    key = f"{key}.fields.{error.field}"
                lines.append(f"  {municipality.path}: {key}: {error.internal_message}")
            ok, lookup_lines = await _probe_lookups(federation, municipality)
            healthy &= ok
            lines.extend(lookup_lines)
    finally:
        await federation.close()
    return lines, healthy
