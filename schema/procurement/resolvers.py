"""Reading a municipality's contracting processes as OCDS releases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors import Capability, Municipality
from schema.context import Info
from schema.errors import PublicError
from schema.partial import add_partial_failure, note_if_stale
from schema.procurement.ocds import Buyer, MalformedProcess, Releases, releases_of
from schema.procurement.types import ProcurementProcess
from words import Message


def buyer_of(municipality: Municipality) -> Buyer:
    unit = municipality.file.procurement_unit
    assert unit is not None  # the file is refused when `procurement` is bound without it
    return Buyer(name=municipality.file.name, unit=unit)


def publishes_procurement(info: Info, municipality_id: str) -> bool:
    return info.context.federation.binding(municipality_id, Capability.PROCUREMENT) is not None


def malformed_error(municipality_id: str, source: str, problem: MalformedProcess) -> PublicError:
    """What a client reads about a process left out (its code; never a person's data)."""
    return PublicError(
        Message(
            "schema",
            "Process %(process)s was left out: the municipality's system sent %(reason)s.",
            {"process": problem.process_id, "reason": problem.reason.es},
        ),
        code="UPSTREAM_MAPPING",
        municipality=municipality_id,
        source=source,
        process=problem.process_id,
    )


def source_of(info: Info, municipality_id: str) -> str:
    bound = info.context.federation.binding(municipality_id, Capability.PROCUREMENT)
    return "" if bound is None else bound[1].config.source


async def procurement_of(
    info: Info, municipality: Municipality, search: str | None = None
) -> list[ProcurementProcess]:
    loader = info.context.loaders.procurement_by_municipality
    records: Sequence[Mapping[str, Any]] = await loader.load(municipality.id)
    note_if_stale(info, loader, municipality.id)
    made: Releases = releases_of(records, buyer_of(municipality))
    source = source_of(info, municipality.id)
    for problem in made.malformed:
        add_partial_failure(info, malformed_error(municipality.id, source, problem))
    releases = made.releases
    if search:
        folded = search.casefold()
        releases = [
            r for r in releases if folded in r["tender"]["title"].casefold() or folded in r["ocid"]
        ]
    return [ProcurementProcess(release=r) for r in releases]
