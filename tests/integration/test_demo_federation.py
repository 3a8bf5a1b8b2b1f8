"""The ten pilot governments on their simulated systems: batching, outages, staleness."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import strawberry

from connectors import Binding, Capability, Connector, Federation, Record, SourceStatus
from demo.systems import DemoSystems
from schema import HubContext
from tests.fixtures import FakeClock

#: Every government's whole catalogue (each has fewer than 50 services): cost 3021 of 5000.
ALL = "{ municipalities { id services(first: 50) { id name fee { amount } department { name } } } }"


async def _run(schema: strawberry.Schema, federation: Federation, query: str) -> Any:
    return await schema.execute(query, context_value=HubContext.create(federation))


async def test_every_government_answers_from_its_own_system(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    result = await _run(hub_schema, demo, ALL)
    assert result.errors is None, result.errors
    by_id = {m["id"]: m for m in result.data["municipalities"]}
    assert len(by_id) == 10
    for municipality_id, municipality in by_id.items():
        assert len(municipality["services"]) >= 8, municipality_id
    kinds = {p.connector.kind for m in by_id for p in demo.sources_of(m)}
    assert kinds == {"soap", "rest", "spreadsheet", "sql", "native", "ocds"}
    licence = next(
        s for s in by_id["santiago"]["services"] if s["id"].endswith("licencia-construccion")
    )
    assert licence["department"]["name"] == "Dirección de Planeamiento Urbano"


async def test_five_records_with_related_records_cost_one_call_per_source_per_level(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems
) -> None:
    before = systems.sigem.calls.copy()
    result = await _run(
        hub_schema,
        demo,
        '{ municipality(id: "santo-domingo-este") {'
        "  services(first: 6) { id department { name } } } }",
    )
    assert result.errors is None
    services = result.data["municipality"]["services"]
    assert len(services) == 6 and all(s["department"]["name"] for s in services)
    made = systems.sigem.calls - before
    made.pop("wsdl", None)  # loaded once per connector, not per query
    assert made == {"ListarServicios": 1, "ObtenerDependencias": 1}


async def test_without_a_batch_operation_single_calls_run_concurrently(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems
) -> None:
    before = systems.munisoft.calls.copy()
    result = await _run(
        hub_schema, demo, '{ municipality(id: "santiago") { services { department { id } } } }'
    )
    assert result.errors is None
    departments = {s["department"]["id"] for s in result.data["municipality"]["services"]}
    made = systems.munisoft.calls - before
    assert made["ConsultarCatalogo"] == 1
    assert made["ConsultarOficina"] == len(departments), "one call per distinct key, no N+1"


async def test_one_system_down_the_other_nine_complete_and_the_circuit_cycles(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems, clock: FakeClock
) -> None:
    warm = await _run(hub_schema, demo, ALL)
    assert warm.errors is None
    santiago = warm.data["municipalities"]
    systems.munisoft.pause()
    try:
        clock.now += 301  # past the services binding's cache lifetime: a real read is needed
        result = await _run(hub_schema, demo, ALL)
        by_id = {m["id"]: m for m in result.data["municipalities"]}
        assert all(by_id[m]["services"] for m in by_id if m != "santiago")
        # Santiago's catalogue is served from cache, marked stale with its age.
        assert (
            by_id["santiago"]["services"]
            == next(m for m in santiago if m["id"] == "santiago")["services"]
        )
        stale = [e for e in result.errors or [] if e.extensions.get("stale")]
        assert stale and {e.extensions["municipality"] for e in stale} == {"santiago"}
        assert stale[0].extensions["source"] == "munisoft"
        assert stale[0].extensions["code"] == "UPSTREAM_UNAVAILABLE"
        assert stale[0].extensions["ageSeconds"] >= 301

        connector = _connector(demo, "santiago")
        health = demo.health_of(connector)
        for _ in range(connector.config.circuit_failure_threshold):
            await demo.dispatcher.list_for(Capability.SERVICES, ["santiago"])
        assert health.status is SourceStatus.CIRCUIT_OPEN
        calls = sum(systems.munisoft.calls.values())
        await demo.dispatcher.list_for(Capability.SERVICES, ["santiago"])
        assert sum(systems.munisoft.calls.values()) == calls, "open circuit: no call made"
    finally:
        systems.munisoft.resume()
    clock.now += connector.config.circuit_reset_seconds + 1
    (outcome,) = await demo.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert outcome.error is None and outcome.value
    assert health.status is SourceStatus.OK


async def test_down_without_cache_is_null_with_the_error_naming_where(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems
) -> None:
    systems.portal.fail_with(503, "mantenimiento")
    try:
        result = await _run(hub_schema, demo, "{ municipalities { id services { id } } }")
    finally:
        systems.portal.heal()
    by_id = {m["id"]: m for m in result.data["municipalities"]}
    assert by_id["puerto-plata"]["services"] is None
    assert all(by_id[m]["services"] for m in by_id if m != "puerto-plata")
    (error,) = result.errors or []
    assert error.extensions == {
        "code": "UPSTREAM_UNAVAILABLE",
        "municipality": "puerto-plata",
        "source": "portal",
    }
    index = [m["id"] for m in result.data["municipalities"]].index("puerto-plata")
    assert error.path == ["municipalities", index, "services"]


async def test_a_hanging_source_costs_only_its_timeout(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    connector = _connector(demo, "santiago")

    async def never(binding: Binding, ids: Sequence[str]) -> list[list[Record]]:
        import asyncio

        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    connector.list_for = never  # type: ignore[method-assign]
    started = time.monotonic()
    result = await _run(hub_schema, demo, "{ municipalities { id services { id } } }")
    elapsed = time.monotonic() - started
    assert elapsed < connector.config.timeout_seconds + 1.5
    errors = result.errors or []
    assert [e.extensions["code"] for e in errors] == ["UPSTREAM_TIMEOUT"]
    assert sum(1 for m in result.data["municipalities"] if m["services"]) == 9


def _connector(federation: Federation, municipality_id: str) -> Connector:
    served = federation.binding(municipality_id, Capability.SERVICES)
    assert served is not None
    return served[0]


async def test_related_records_from_another_source_cost_one_call_per_source(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    """La Vega: services from its SQL database, departments from a workbook."""
    services_source = _connector(demo, "la-vega")
    served = demo.binding("la-vega", Capability.DEPARTMENTS)
    assert served is not None
    departments_source = served[0]
    assert (services_source.kind, departments_source.kind) == ("sql", "spreadsheet")
    calls: list[tuple[str, str, int]] = []
    for connector in (services_source, departments_source):
        for method in ("list_for", "fetch_many"):
            real = getattr(connector, method)

            async def spy(
                binding: Binding,
                keys: Sequence[Any],
                real: Any = real,
                kind: str = connector.kind,
                method: str = method,
            ) -> Any:
                calls.append((kind, method, len(keys)))
                return await real(binding, keys)

            setattr(connector, method, spy)
    result = await _run(
        hub_schema,
        demo,
        '{ municipality(id: "la-vega") { services(first: 6) { id department { name } } } }',
    )
    assert result.errors is None
    services = result.data["municipality"]["services"]
    assert len(services) == 6 and all(s["department"]["name"] for s in services)
    distinct = len({s["department"]["name"] for s in services})
    assert calls == [("sql", "list_for", 1), ("spreadsheet", "fetch_many", distinct)]
