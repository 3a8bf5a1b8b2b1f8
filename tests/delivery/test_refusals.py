"""A request the municipality's system refuses as it is is given up at once, with the
system's reason, and the citizen is told; a failure for now keeps being retried.

Real parts: SIGEM's spyne server on loopback (its faults are real SOAP faults), SIMUVEGA's
SQLite file (a real trigger refuses the INSERT), a real SMTP server, and the hub's own
tracking page over its ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.refusals import SoapRejects
from demo.systems import DemoSystems
from gateway.app import create_app
from gateway.hub import Hub
from gateway.outbox_delivery.settings import DeliverySettings
from gateway.settings import Settings
from store.outbox import OutboxKind, OutboxState
from store.requests import DeliveryState, ServiceRequest
from tests.delivery.support import MARIA_EMAIL, SERVICE, World, open_world, simuvega_url
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.web.conftest import asgi_client

REASON = f"Trámite inactivo: '{SERVICE}' no admite solicitudes nuevas."


@contextlib.contextmanager
def inactive_in_sigem(systems: DemoSystems, service_id: str) -> Iterator[None]:
    """SIGEM's clerks mark a procedure inactive (for this test only)."""
    systems.sigem.state.inactive_services.add(service_id)
    try:
        yield
    finally:
        systems.sigem.state.inactive_services.discard(service_id)


@contextlib.contextmanager
def trigger_in_simuvega(systems: DemoSystems, service_id: str) -> Iterator[None]:
    """SIMUVEGA's database refuses new requests for a procedure (a real trigger)."""
    path = simuvega_url(systems).removeprefix("sqlite+aiosqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TRIGGER tramite_inactivo BEFORE INSERT ON SOLICITUDES "
            f"WHEN NEW.COD_TRAMITE = '{service_id}' "
            "BEGIN SELECT RAISE(ABORT, 'Trámite inactivo en SIMUVEGA'); END"
        )
    try:
        yield
    finally:
        with contextlib.closing(sqlite3.connect(path)) as db, db:
            db.execute("DROP TRIGGER IF EXISTS tramite_inactivo")


async def _tracking_page(world: World, tmp_path: Path, number: str) -> str:
    """The citizen's tracking page, from a hub over the world's store."""
    settings = Settings(
        database_url=world.url,
        municipalities_dir=DEMO_MUNICIPALITIES_DIR,
        delivery=DeliverySettings(enabled=False),
    )
    hub = Hub(settings)
    await hub.start()
    try:
        async with asgi_client(create_app(hub=hub)) as client:
            page = await client.get(f"/seguimiento/{number}")
    finally:
        await hub.close()
    assert page.status_code == 200, page.text[:500]
    return page.text


async def _failed_at_once(world: World, request: ServiceRequest) -> None:
    await world.worker.run_once()  # one attempt, no waiting out a backoff
    [item] = await world.outbox.items(kind=OutboxKind.DELIVER_REQUEST)
    assert item.state is OutboxState.FAILED
    assert item.attempts == 1
    assert item.last_error == "UPSTREAM_REFUSED"
    refused = await world.requests.by_id(request.id)
    assert refused.delivery is DeliveryState.REFUSED


async def test_an_inactive_procedure_in_sigem_is_given_up_at_once_and_the_citizen_told(
    world: World, tmp_path: Path
) -> None:
    await world.citizen()
    request = await world.submit("santo-domingo-este")
    with inactive_in_sigem(world.systems, SERVICE):
        await _failed_at_once(world, request)
    assert world.sigem() == []

    # The supervisors' failed deliveries hold SIGEM's reason, free of personal data.
    [failed] = await world.outbox.failed("santo-domingo-este")
    assert failed.reason == REASON
    refused = await world.requests.by_id(request.id)
    assert refused.refusal_reason == REASON

    # The citizen gets an e-mail saying the system refused it, why and what to do.
    await world.drain()
    [message] = [m for m in world.emails() if "no fue aceptada" in str(m["Subject"])]
    assert str(message["To"]) == MARIA_EMAIL
    assert request.tracking_number in str(message["Subject"])
    body = message.get_content()
    assert f"Lo que dijo su sistema: {REASON}" in body
    assert "Qué puede hacer: revise los requisitos del servicio" in body
    assert "What you can do:" in body

    # The tracking page says so too.
    page = await _tracking_page(world, tmp_path, request.tracking_number)
    assert "El sistema del ayuntamiento no aceptó esta solicitud" in page
    assert REASON.replace("'", "&#39;") in page
    assert "Qué puede hacer" in page
    assert "No: su sistema no la aceptó" in page


async def test_a_retry_after_the_procedure_is_active_again_delivers_it(world: World) -> None:
    await world.citizen()
    request = await world.submit("santo-domingo-este")
    with inactive_in_sigem(world.systems, SERVICE):
        await _failed_at_once(world, request)
    [failed] = await world.outbox.failed("santo-domingo-este")
    assert await world.outbox.retry(failed.id, "santo-domingo-este")
    await world.drain()
    [row] = world.sigem()
    delivered = await world.requests.by_id(request.id)
    assert delivered.delivery is DeliveryState.DELIVERED
    assert delivered.upstream_ref == str(row.ID_SOLICITUD)
    assert delivered.refusal_reason is None


async def test_a_server_fault_is_retried_with_backoff(world: World) -> None:
    await world.citizen()
    world.systems.sigem.state.registration_fault = (
        "Server.NoDisponible",
        "El registro de solicitudes no está disponible.",
    )
    try:
        request = await world.submit("santo-domingo-este")
        for _ in range(3):
            await world.worker.run_once()
            await asyncio.sleep(0.06)
        [item] = await world.outbox.items(kind=OutboxKind.DELIVER_REQUEST)
        assert item.state is OutboxState.PENDING
        assert item.attempts >= 2
        assert item.last_error in {"UPSTREAM_ERROR", "UPSTREAM_CIRCUIT_OPEN"}
        assert item.reason is None
        assert (await world.requests.by_id(request.id)).delivery is DeliveryState.PENDING
    finally:
        world.systems.sigem.state.registration_fault = None
    world.clock.now += 3600  # the circuit breaker rests, then lets a call through
    await world.drain()
    assert [row.NUMERO_SEGUIMIENTO for row in world.sigem()] == [request.tracking_number]


async def test_an_sql_constraint_refusing_the_request_is_given_up(world: World) -> None:
    await world.citizen()
    request = await world.submit("la-vega")
    with trigger_in_simuvega(world.systems, SERVICE):
        await _failed_at_once(world, request)
    assert await world.simuvega() == []
    [failed] = await world.outbox.failed("la-vega")
    assert failed.reason == "Trámite inactivo en SIMUVEGA"
    await world.drain()
    assert any("no fue aceptada" in str(m["Subject"]) for m in world.emails())


async def test_an_sql_connection_error_is_retried(
    systems: DemoSystems, world: World, tmp_path: Path
) -> None:
    directory = tmp_path / "municipalities"
    directory.mkdir()
    text = (DEMO_MUNICIPALITIES_DIR / "la-vega.yaml").read_text(encoding="utf-8")
    gone = text.replace("${PLANASMUN_DEMO_DATA_DIR}/simuvega.db", str(tmp_path / "gone.db"))
    assert gone != text
    (directory / "la-vega.yaml").write_text(gone, encoding="utf-8")
    (tmp_path / "other").mkdir()
    async with open_world(tmp_path / "other", world.mail, systems, directory) as cut_off:
        await cut_off.citizen()
        request = await cut_off.submit("la-vega")
        for _ in range(3):
            await cut_off.worker.run_once()
            await asyncio.sleep(0.06)
        [item] = await cut_off.outbox.items(kind=OutboxKind.DELIVER_REQUEST)
        assert item.state is OutboxState.PENDING
        assert item.attempts >= 2
        assert item.last_error in {"UPSTREAM_UNAVAILABLE", "UPSTREAM_CIRCUIT_OPEN"}
        assert (await cut_off.requests.by_id(request.id)).delivery is DeliveryState.PENDING


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        ("Client.TramiteInactivo", True),
        ("Client", True),
        ("Sender.ValorNoValido", True),
        ("Client.Autenticacion", False),
        ("Server.NoDisponible", False),
    ],
)
def test_default_rules_refuse_client_faults_but_not_credentials(code: str, refused: bool) -> None:
    assert SoapRejects().refuses(code, "texto") is refused
