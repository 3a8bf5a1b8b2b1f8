"""A source that is down, and a process the hub cannot publish: reported, never a crash."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import strawberry

from connectors import load_directory
from demo.procurement import DGCP_FILE, SDE_UNIT
from demo.systems import DemoSystems
from gateway.probe import probe
from gateway.settings import Settings
from schema import HubContext
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, FakeClock, demo_federation
from tests.procurement.ocds_validation import problems

QUERY = """
query {
  sde: municipality(id: "santo-domingo-este") { name procurement { ocid } }
  lv: municipality(id: "la-vega") { name procurement { ocid supplier { id } } }
}
"""


@contextlib.contextmanager
def moved_away(path: Path) -> Iterator[None]:
    aside = path.with_suffix(".aside")
    path.rename(aside)
    try:
        yield
    finally:
        aside.rename(path)


@contextlib.contextmanager
def supplier_number(database: Path, code: str, value: str) -> Iterator[None]:
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        (old,) = db.execute(
            'SELECT "RPE_PROVEEDOR" FROM "PROCESOS_COMPRA" WHERE "COD_PROCESO" = ?', (code,)
        ).fetchone()
        db.execute(
            'UPDATE "PROCESOS_COMPRA" SET "RPE_PROVEEDOR" = ? WHERE "COD_PROCESO" = ?',
            (value, code),
        )
    try:
        yield
    finally:
        with contextlib.closing(sqlite3.connect(database)) as db, db:
            db.execute(
                'UPDATE "PROCESOS_COMPRA" SET "RPE_PROVEEDOR" = ? WHERE "COD_PROCESO" = ?',
                (old, code),
            )


async def test_a_source_down_nulls_only_its_field(
    systems: DemoSystems, client: httpx.AsyncClient
) -> None:
    with moved_away(systems.data_dir / DGCP_FILE):
        answer = (await client.post("/graphql", json={"query": QUERY})).json()
        package = await client.get("/datos/contrataciones/santo-domingo-este.json")
    assert answer["data"]["sde"] == {"name": "Santo Domingo Este", "procurement": None}
    assert answer["data"]["lv"]["procurement"], "La Vega's own source still answers"
    [error] = answer["errors"]
    assert error["path"] == ["sde", "procurement"]
    assert error["extensions"]["municipality"] == "santo-domingo-este"
    assert error["extensions"]["source"] == "dgcp"
    assert package.status_code == 503
    assert package.json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert "dgcp" in package.json()["error"]["message"]
    assert package.headers["retry-after"] == "60"


async def test_a_malformed_process_is_left_out_and_reported(
    systems: DemoSystems, client: httpx.AsyncClient
) -> None:
    code = "ALV-CCC-CP-2024-0002"
    with supplier_number(systems.data_dir / "simuvega.db", code, "RNC 1-01-00000-0"):
        answer = (await client.post("/graphql", json={"query": QUERY})).json()
        response = await client.get("/datos/contrataciones/la-vega.json")
    ocids = [p["ocid"] for p in answer["data"]["lv"]["procurement"]]
    assert f"ocds-6550wx-{code}" not in ocids
    assert len(ocids) == 3
    [error] = answer["errors"]
    assert error["path"] == ["lv", "procurement"]
    assert error["extensions"]["process"] == code
    assert error["extensions"]["municipality"] == "la-vega"
    assert error["extensions"]["source"] == "simuvega"
    assert code in error["message"]
    assert response.status_code == 200
    assert response.headers["x-processes-left-out"] == "1"
    package = response.json()
    assert problems(package) == []
    assert f"ocds-6550wx-{code}" not in [r["ocid"] for r in package["releases"]]


async def test_the_probe_counts_releases_and_names_a_process_left_out(
    systems: DemoSystems, tmp_path: Path
) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    report = "\n".join((await probe(load_directory(DEMO_MUNICIPALITIES_DIR), settings))[0])
    assert "bindings.procurement -> simuvega: 4 OCDS release(s)" in report
    assert "bindings.procurement -> dgcp: 3 OCDS release(s)" in report
    assert f"DO-UC-{SDE_UNIT}" in report  # the buyers the DGCP's package holds
    code = "ALV-CCC-CP-2024-0002"
    with supplier_number(systems.data_dir / "simuvega.db", code, "N/D"):
        lines, healthy = await probe(load_directory(DEMO_MUNICIPALITIES_DIR), settings)
    assert not healthy
    assert any(
        line.endswith(
            f"la-vega.yaml: bindings.procurement: process {code} left out: "
            "a supplier number that is not an RPE number"
        )
        for line in lines
    ), "\n".join(lines)


async def test_a_source_down_serves_the_last_known_processes_marked_stale(
    systems: DemoSystems, tmp_path: Path, hub_schema: strawberry.Schema
) -> None:
    clock = FakeClock()
    federation = await demo_federation(
        f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", DEMO_MUNICIPALITIES_DIR, clock=clock
    )
    query = '{ municipality(id: "santo-domingo-este") { procurement { ocid } } }'
    try:
        first = await hub_schema.execute(query, context_value=HubContext.create(federation))
        assert first.errors is None
        clock.now += 3601  # past the binding's cache_ttl_seconds
        with moved_away(systems.data_dir / DGCP_FILE):
            later = await hub_schema.execute(query, context_value=HubContext.create(federation))
    finally:
        await federation.close()
    assert later.data == first.data
    [error] = later.errors or []
    assert error.extensions is not None
    assert error.extensions["stale"] is True
    assert error.extensions["source"] == "dgcp"
    assert error.extensions["ageSeconds"] >= 3601
