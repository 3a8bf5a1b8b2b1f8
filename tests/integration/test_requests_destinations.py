"""Where each demo municipality's requests go, through the Federation, and what the probe says.

SOAP (Santo Domingo Este → SIGEM), SQL (La Vega → SIMUVEGA), native (Jarabacoa: no
binding, the hub store). Assertions read the upstream systems' own state.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors import Federation, TransientError, load_directory
from connectors.federation import RequestDestination
from connectors.soap import SoapConnector
from connectors.sql import SqlConnector
from connectors.writes import OutgoingRequest
from demo import catalogue, legacy_sql
from demo.sigem_requests import read_solicitudes
from demo.systems import SIGEM_REQUESTS_FILE, DemoSystems
from gateway.probe import probe
from gateway.settings import Settings
from tests.fixtures import DEMO_MUNICIPALITIES_DIR


def outgoing(municipality_id: str, prefix: str) -> OutgoingRequest:
    return OutgoingRequest(
        tracking_number=f"{prefix}-2026-{uuid.uuid4().int % 1_000_000:06d}",
        municipality_id=municipality_id,
        service_id=catalogue.services(municipality_id)[0]["id"],
        submitted_at=dt.datetime.now(dt.UTC),
        description="Farola apagada en el parque",
    )


def destination(demo: Federation, municipality_id: str) -> RequestDestination:
    found = demo.request_writer(municipality_id)
    assert found is not None
    return found


async def test_requests_of_sde_reach_sigem_and_of_la_vega_reach_simuvega(
    demo: Federation, systems: DemoSystems
) -> None:
    sde = destination(demo, "santo-domingo-este")
    assert isinstance(sde.connector, SoapConnector) and sde.writer is sde.connector
    assert sde.source == "sigem"
    request = outgoing("santo-domingo-este", "SDE")
    receipt = await sde.writer.submit_request(sde.binding, request)
    held = read_solicitudes(systems.data_dir / SIGEM_REQUESTS_FILE, "SDE")
    ids = [(row.NUMERO_SEGUIMIENTO, row.ID_SOLICITUD) for row in held]
    assert ids.count((request.tracking_number, int(receipt.upstream_ref))) == 1

    la_vega = destination(demo, "la-vega")
    assert isinstance(la_vega.connector, SqlConnector) and la_vega.source == "simuvega"
    request = outgoing("la-vega", "LVG")
    receipt = await la_vega.writer.submit_request(la_vega.binding, request)
    rows = await legacy_sql.read_solicitudes(
        f"sqlite+aiosqlite:///{systems.data_dir / 'simuvega.db'}"
    )
    ids = [(row["NUM_SEGUIMIENTO"], row["ID_SOLICITUD"]) for row in rows]
    assert ids.count((request.tracking_number, int(receipt.upstream_ref))) == 1


def test_a_municipality_without_a_requests_binding_keeps_them_in_the_hub_store(
    demo: Federation,
) -> None:
    assert demo.request_writer("jarabacoa") is None
    assert demo.request_writer("cabarete") is None  # a spreadsheet is read-only
    assert demo.request_writer("no-such-place") is None


async def test_a_stopped_sigem_is_transient_and_its_health_shared_with_reads(
    demo: Federation, systems: DemoSystems
) -> None:
    sde = destination(demo, "santo-domingo-este")
    assert sde.health is demo.health_of(sde.connector)
    await sde.writer.find_request(sde.binding, "SDE-2026-000000")  # the WSDL is loaded
    systems.sigem.pause()
    try:
        with pytest.raises(TransientError):
            await sde.writer.submit_request(sde.binding, outgoing("santo-domingo-este", "SDE"))
    finally:
        systems.sigem.resume()


async def test_probe_reports_the_requests_bindings(systems: DemoSystems, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    lines, _healthy = await probe(load_directory(DEMO_MUNICIPALITIES_DIR), settings)
    requests = [line for line in lines if "bindings.requests" in line]
    assert len(requests) == 2, requests
    assert any(
        "bindings.requests -> sigem:" in line and "RegistrarSolicitud(" in line for line in requests
    )
    assert any(
        "bindings.requests -> simuvega:" in line and "table SOLICITUDES" in line
        for line in requests
    )


async def test_probe_names_the_file_and_what_is_missing(
    systems: DemoSystems, tmp_path: Path
) -> None:
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    changes: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
        ("santo-domingo-este", lambda b: b["find"].update(operation="BuscarSolicitud")),
        (
            "la-vega",
            lambda b: b.update(insert=b["insert"].replace('"CANAL"', '"CANAL_ORIGEN"')),
        ),
    ]
    for name, change in changes:
        path = directory / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data["bindings"]["requests"])
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    lines, healthy = await probe(load_directory(directory), settings)
    assert not healthy
    sde = next(line for line in lines if "santo-domingo-este.yaml: bindings.requests" in line)
    assert "operation 'BuscarSolicitud' is not in the WSDL" in sde
    la_vega = next(line for line in lines if "la-vega.yaml: bindings.requests" in line)
    assert "SOLICITUDES has no column CANAL_ORIGEN" in la_vega
