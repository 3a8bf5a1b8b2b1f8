"""Public works from two kinds of source: SIGEM's SOAP operation (Santo Domingo Este, every
field a text) and SIMUVEGA's SQL table (La Vega, a fraction and real dates), through
GraphQL: conversions, filters, the summary, one call per source per level, outages."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import strawberry
import yaml

from connectors import Binding, Capability, Federation, load_directory
from demo import works
from demo.systems import DemoSystems
from gateway.probe import probe
from gateway.settings import Settings
from schema import HubContext
from schema.works.schedule import behind_schedule, today
from store.snapshots import HubSnapshots
from store.store import create_engine
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, FakeClock, demo_federation

WORK = """
  id name place coordinates { latitude longitude } contractor
  contractAmount { amount currency } progressPercent startDate expectedEndDate endDate
  status behindSchedule procurementCode
"""
SUMMARY = "worksSummary { byStatus { status count } behindSchedule total }"


async def _run(schema: strawberry.Schema, federation: Federation, query: str) -> Any:
    return await schema.execute(query, context_value=HubContext.create(federation))


def _of(municipality: str, selection: str) -> str:
    return f'{{ municipality(id: "{municipality}") {{ {selection} }} }}'


async def test_sigem_text_percent_dates_money_and_codes_become_typed_fields(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    result = await _run(hub_schema, demo, _of("santo-domingo-este", f"works {{ {WORK} }}"))
    assert result.errors is None, result.errors
    works = {w["id"]: w for w in result.data["municipality"]["works"]}
    assert len(works) == 6
    assert works["santo-domingo-este:OB-2025-004"] == {
        "id": "santo-domingo-este:OB-2025-004",
        "name": "Encauzamiento de la cañada de Villa Duarte",
        "place": "Villa Duarte, calle Principal",
        "coordinates": {"latitude": 18.479, "longitude": -69.875},
        "contractor": "Ingeniería Hídrica del Este, S.A.",
        # "RD$ 18.325.400,50", "62,5 %", "15/04/2025", "30/06/2026", "EJE"
        "contractAmount": {"amount": "18325400.50", "currency": "DOP"},
        "progressPercent": 62.5,
        "startDate": "2025-04-15",
        "expectedEndDate": "2026-06-30",
        "endDate": None,
        "status": "IN_EXECUTION",
        "behindSchedule": today() > dt.date(2026, 6, 30),
        "procurementCode": "ASDE-CCC-LPN-2025-0004",
    }
    finished = works["santo-domingo-este:OB-2024-012"]
    assert (finished["status"], finished["progressPercent"]) == ("FINISHED", 100.0)
    assert finished["endDate"] == "2025-12-20" and finished["behindSchedule"] is False
    planned = works["santo-domingo-este:OB-2026-007"]
    assert planned["coordinates"] is None and planned["contractAmount"] is None
    assert planned["startDate"] is None and planned["status"] == "PLANNED"
    assert {w["status"] for w in works.values()} == {
        "PLANNED",
        "IN_EXECUTION",
        "STOPPED",
        "FINISHED",
        "CANCELLED",
    }


async def test_simuvega_fraction_and_real_dates_from_sql(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    result = await _run(hub_schema, demo, _of("la-vega", f"works {{ {WORK} }}"))
    assert result.errors is None, result.errors
    works = {w["id"]: w for w in result.data["municipality"]["works"]}
    bridge = works["la-vega:LV-OB-01"]
    assert bridge["progressPercent"] == 45.0  # AVANCE 0.45, declared `type: fraction`
    assert (bridge["startDate"], bridge["expectedEndDate"]) == ("2025-09-01", "2027-03-31")
    assert bridge["contractAmount"] == {"amount": "28500000.00", "currency": "DOP"}
    assert bridge["coordinates"] == {"latitude": 19.2166, "longitude": -70.5233}
    assert works["la-vega:LV-OB-02"]["progressPercent"] == 100.0
    assert works["la-vega:LV-OB-03"]["status"] == "STOPPED"
    # Stopped with its expected end (31/05/2026) past: behind schedule for good.
    assert works["la-vega:LV-OB-03"]["behindSchedule"] is True


async def test_filters_and_summary_agree_with_the_rule_in_one_call_per_source(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems
) -> None:
    before = systems.sigem.calls.copy()
    result = await _run(
        hub_schema,
        demo,
        _of(
            "santo-domingo-este",
            "all: works { id status behindSchedule startDate expectedEndDate progressPercent }"
            " behind: works(behindSchedule: true) { id }"
            " running: works(status: IN_EXECUTION) { id status }"
            f" {SUMMARY}",
        ),
    )
    assert result.errors is None, result.errors
    made = systems.sigem.calls - before
    made.pop("wsdl", None)
    assert made == {"ListarObras": 1}, "one call for every works field of the level"
    data = result.data["municipality"]
    on = today()
    expected_behind = {
        w["id"]
        for w in data["all"]
        if behind_schedule(
            {
                "status": w["status"].lower(),
                "start_date": w["startDate"] and dt.date.fromisoformat(w["startDate"]),
                "expected_end_date": dt.date.fromisoformat(w["expectedEndDate"]),
                "progress_percent": Decimal(str(w["progressPercent"])),
            },
            on,
        )
    }
    assert {w["id"] for w in data["behind"]} == expected_behind
    # Past their expected end and not finished: behind for good. Five percent done after
    # half its time (10/01/2026 → 31/12/2027): clearly behind, by the progress rule.
    assert {
        "santo-domingo-este:OB-2024-009",
        "santo-domingo-este:OB-2026-002",
    } <= expected_behind
    assert not expected_behind & {
        "santo-domingo-este:OB-2024-012",  # finished
        "santo-domingo-este:OB-2025-011",  # cancelled
        "santo-domingo-este:OB-2026-007",  # planned, due in 2030
    }
    assert {w["status"] for w in data["running"]} == {"IN_EXECUTION"}
    assert len(data["running"]) == 2
    summary = data["worksSummary"]
    assert summary["total"] == 6
    assert summary["behindSchedule"] == len(expected_behind)
    assert summary["byStatus"] == [
        {"status": "PLANNED", "count": 1},
        {"status": "IN_EXECUTION", "count": 2},
        {"status": "STOPPED", "count": 1},
        {"status": "FINISHED", "count": 1},
        {"status": "CANCELLED", "count": 1},
    ]


async def test_every_government_one_call_per_source_and_null_where_none_is_bound(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    calls: list[tuple[str, int]] = []
    for municipality in ("santo-domingo-este", "la-vega"):
        served = demo.binding(municipality, Capability.WORKS)
        assert served is not None
        connector = served[0]
        real = connector.list_for

        async def spy(
            binding: Binding, keys: Sequence[str], real: Any = real, kind: str = connector.kind
        ) -> Any:
            calls.append((kind, len(keys)))
            return await real(binding, keys)

        setattr(connector, "list_for", spy)  # noqa: B010 - a spy in place of the method
    result = await _run(
        hub_schema,
        demo,
        f"{{ municipalities {{ id works {{ id }} {SUMMARY} }} }}",
    )
    assert result.errors is None, result.errors
    by_id = {m["id"]: m for m in result.data["municipalities"]}
    assert sorted(calls) == [("soap", 1), ("sql", 1)]
    assert by_id["santo-domingo-este"]["worksSummary"]["total"] == 6
    assert by_id["la-vega"]["worksSummary"]["total"] == 4
    # Not published yet: null without an error (as opposed to a source that failed).
    assert by_id["santiago"]["works"] is None and by_id["santiago"]["worksSummary"] is None


async def test_sigem_down_serves_last_known_works_marked_stale_else_null_with_the_source(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems, clock: FakeClock
) -> None:
    query = _of("santo-domingo-este", f"works {{ id progressPercent }} {SUMMARY}")
    fresh = await _run(hub_schema, demo, query)
    assert fresh.errors is None
    systems.sigem.pause()
    try:
        clock.now += 901  # past the binding's cache lifetime: a real read is needed
        stale = await _run(hub_schema, demo, query)
        # La Vega's works come from their own database: SIGEM's outage costs them nothing.
        la_vega = await _run(hub_schema, demo, _of("la-vega", "works { id }"))
    finally:
        systems.sigem.resume()
    assert stale.data == fresh.data
    notes = stale.errors or []
    assert {tuple(e.path) for e in notes} == {
        ("municipality", "works"),
        ("municipality", "worksSummary"),
    }
    for note in notes:
        assert note.extensions["stale"] is True
        assert note.extensions["source"] == "sigem"
        assert note.extensions["municipality"] == "santo-domingo-este"
        assert note.extensions["ageSeconds"] >= 901
    assert la_vega.errors is None and len(la_vega.data["municipality"]["works"]) == 4


async def test_down_with_nothing_kept_is_null_with_an_error_naming_the_source(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems
) -> None:
    systems.sigem.pause()
    try:
        result = await _run(
            hub_schema,
            demo,
            "{ municipalities { id works { id } worksSummary { total } } }",
        )
    finally:
        systems.sigem.resume()
    by_id = {m["id"]: m for m in result.data["municipalities"]}
    assert by_id["santo-domingo-este"]["works"] is None
    assert by_id["santo-domingo-este"]["worksSummary"] is None
    assert by_id["la-vega"]["worksSummary"] == {"total": 4}
    errors = result.errors or []
    assert {e.path[-1] for e in errors} == {"works", "worksSummary"}
    for error in errors:
        assert error.extensions["municipality"] == "santo-domingo-este"
        assert error.extensions["source"] == "sigem"
        assert error.extensions["code"] in {"UPSTREAM_UNAVAILABLE", "CIRCUIT_OPEN"}


async def test_a_status_code_the_binding_does_not_map_is_an_error_naming_field_and_value(
    demo: Federation, hub_schema: strawberry.Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGEM starts sending a code (SUS, suspendida) the binding's `map` does not list: the
    works are null with an error naming the source, the field and the value, never a 500
    and never a guessed status."""
    monkeypatch.setitem(works.SIGEM_ESTADO, "stopped", "SUS")
    result = await _run(hub_schema, demo, _of("santo-domingo-este", "works { id }"))
    assert result.data["municipality"]["works"] is None
    (error,) = result.errors or []
    assert error.extensions == {
        "code": "UPSTREAM_MAPPING",
        "municipality": "santo-domingo-este",
        "source": "sigem",
        "field": "status",
        "sourceField": "ESTADO",
        "value": "'SUS'",
    }
    assert "ESTADO" in error.message and "'SUS'" in error.message


async def test_probe_reads_each_works_binding_and_names_an_unmapped_code(
    systems: DemoSystems, tmp_path: Path
) -> None:
    """`check-config --probe`: La Vega's map forgets E (en ejecución), which its table has."""
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    path = directory / "la-vega.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["bindings"]["works"]["fields"]["status"]["map"]["E"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    lines, _ = await probe(load_directory(directory), settings)
    report = "\n".join(lines)
    assert "bindings.works -> sigem: 6 record(s)" in report
    assert "ListarObras(municipio)" in report  # the WSDL's operations
    (la_vega,) = [line for line in lines if "la-vega.yaml: bindings.works" in line]
    assert "la-vega.yaml: bindings.works.fields.status: la-vega/simuvega" in la_vega
    assert "from 'ESTATUS'" in la_vega and "found 'E'" in la_vega


async def test_a_hub_restarted_during_an_outage_shows_the_last_known_works_marked_stale(
    systems: DemoSystems, hub_schema: strawberry.Schema, tmp_path: Path
) -> None:
    """Works are public: their last good answer is kept in the hub store (snapshots), with
    exact amounts, percents and dates, for the next start to fall back on."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    engine = create_engine(url)
    query = _of("santo-domingo-este", f"works {{ {WORK} }}")
    try:
        before = await demo_federation(url, DEMO_MUNICIPALITIES_DIR, snapshots=HubSnapshots(engine))
        warm = await _run(hub_schema, before, query)
        assert warm.errors is None
        await before.close()  # waits for the snapshots being kept
        systems.sigem.pause()
        try:
            after = await demo_federation(
                url, DEMO_MUNICIPALITIES_DIR, snapshots=HubSnapshots(engine)
            )
            shown = await _run(hub_schema, after, query)
            await after.close()
        finally:
            systems.sigem.resume()
    finally:
        await engine.dispose()
    assert shown.data == warm.data
    (stale,) = shown.errors or []
    assert stale.extensions["stale"] is True and stale.extensions["source"] == "sigem"
    assert stale.path == ["municipality", "works"]
