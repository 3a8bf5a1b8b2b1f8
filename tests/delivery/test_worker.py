"""The delivery worker against real systems: the demo's SIGEM (SOAP) and SIMUVEGA (SQL)
simulators, the hub store as the native system of record, and a real SMTP server on
loopback. Every assertion about delivery reads the upstream's own state."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import time
from pathlib import Path

import sqlalchemy as sa
from prometheus_client import REGISTRY, generate_latest

from connectors.resilience import CircuitState
from demo.mail_sink import MailSink
from demo.sigem_requests import set_status
from demo.systems import DemoSystems
from gateway import metrics
from store.outbox import OutboxKind, OutboxState
from store.requests import DeliveryState, RequestStatus, service_requests
from tests.delivery.support import MARIA, MARIA_EMAIL, World, clear_upstreams, open_world
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

JUAN = "demo-ciudadano-0002"


def _confirmations(world: World, number: str) -> list[str]:
    return [
        str(m["Message-ID"])
        for m in world.emails()
        if number in str(m["Subject"]) and "recibida" in str(m["Subject"])
    ]


async def test_a_native_request_sends_one_confirmation_and_nothing_upstream(world: World) -> None:
    await world.citizen()
    request = await world.submit("jarabacoa")
    assert request.delivery is DeliveryState.NATIVE

    await world.drain()
    await world.drain()  # nothing left to do: nothing is sent twice

    [message] = world.emails()
    assert world.mail.recipients() == [[MARIA_EMAIL]]
    assert str(message["To"]) == MARIA_EMAIL
    assert request.tracking_number in str(message["Subject"])
    [item] = await world.outbox.items(kind=OutboxKind.EMAIL)
    assert item.state is OutboxState.DONE
    assert str(message["Message-ID"]) == f"<outbox-{item.id}@planasmun.test>"
    body = message.get_content()
    assert f"https://planasmun.test/seguimiento/{request.tracking_number}" in body
    assert world.sigem() == []
    assert await world.simuvega() == []


async def test_a_soap_request_arrives_in_sigem_once(world: World) -> None:
    await world.citizen()
    request = await world.submit("santo-domingo-este")
    assert request.delivery is DeliveryState.PENDING

    await world.drain()
    await world.drain()

    [row] = world.sigem()
    assert request.tracking_number == row.NUMERO_SEGUIMIENTO
    assert row.MUNICIPIO == "SDE"
    assert row.CODIGO_SERVICIO == "certificado-uso-suelo"
    assert row.DESCRIPCION == "Necesito el certificado para el solar de la calle 5"
    assert row.SOLICITANTE == "María Altagracia Pérez"
    assert row.CORREO == MARIA_EMAIL
    assert world.systems.sigem.calls["RegistrarSolicitud"] == 1
    delivered = await world.requests.by_id(request.id)
    assert delivered.delivery is DeliveryState.DELIVERED
    assert delivered.upstream_ref == str(row.ID_SOLICITUD)
    assert len(_confirmations(world, request.tracking_number)) == 1


async def test_a_sql_request_arrives_in_simuvega_once(world: World) -> None:
    await world.citizen()
    request = await world.submit("la-vega")

    await world.drain()
    await world.drain()

    [row] = await world.simuvega()
    assert row["NUM_SEGUIMIENTO"] == request.tracking_number
    assert row["COD_TRAMITE"] == "certificado-uso-suelo"
    assert row["CEDULA"] == "00112345678"
    delivered = await world.requests.by_id(request.id)
    assert delivered.delivery is DeliveryState.DELIVERED
    assert delivered.upstream_ref == str(row["ID_SOLICITUD"])
    assert world.sigem() == []


async def test_upstream_down_keeps_requests_pending_and_retries_when_it_returns(
    world: World,
) -> None:
    await world.citizen()
    world.systems.sigem.pause()
    submitted = [await world.submit("santo-domingo-este") for _ in range(3)]

    # Several rounds while SIGEM is down: each attempt fails, nothing is lost.
    for _ in range(8):
        await world.worker.run_once()
        await asyncio.sleep(0.06)
    pending = await world.outbox.items(kind=OutboxKind.DELIVER_REQUEST)
    assert [i.state for i in pending] == [OutboxState.PENDING] * 3
    assert all(i.attempts >= 2 for i in pending)
    assert {i.last_error for i in pending} <= {
        "UPSTREAM_UNAVAILABLE",
        "UPSTREAM_TIMEOUT",
        "UPSTREAM_CIRCUIT_OPEN",
    }
    # The backoff spaces the attempts out instead of hammering a dead system.
    assert all(
        i.next_attempt_at > dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1) for i in pending
    )
    destination = world.federation.request_writer("santo-domingo-este")
    assert destination is not None
    assert destination.health.breaker.state is CircuitState.OPEN
    # Only the e-mails went out; the requests wait.
    assert len(world.emails()) == 3

    world.systems.sigem.resume()
    world.clock.now += 60  # the circuit lets a trial call through
    await world.drain()

    rows = world.sigem()
    assert sorted(r.NUMERO_SEGUIMIENTO for r in rows) == sorted(
        r.tracking_number for r in submitted
    )
    assert world.systems.sigem.calls["RegistrarSolicitud"] == 3
    for request in submitted:
        assert (await world.requests.by_id(request.id)).delivery is DeliveryState.DELIVERED


async def test_a_lost_reply_is_found_upstream_and_not_sent_again(world: World) -> None:
    """The upstream got the request, but the worker died before recording it."""
    await world.citizen()
    request = await world.submit("santo-domingo-este")
    [claimed] = await world.outbox.claim(
        "worker-that-dies", kinds=[OutboxKind.DELIVER_REQUEST], lease_seconds=0.2
    )
    destination = world.federation.request_writer("santo-domingo-este")
    assert destination is not None
    outgoing = await world.worker._outgoing(await world.requests.by_id(request.id))
    receipt = await destination.writer.submit_request(destination.binding, outgoing)
    # … and the process is gone: no completion. Its lease runs out.
    assert claimed.attempts == 1
    await asyncio.sleep(0.3)

    await world.drain()

    [row] = world.sigem()
    assert request.tracking_number == row.NUMERO_SEGUIMIENTO
    assert world.systems.sigem.calls["RegistrarSolicitud"] == 1  # the dead worker's only
    assert world.systems.sigem.calls["ConsultarSolicitud"] == 1  # asked before resending
    delivered = await world.requests.by_id(request.id)
    assert delivered.delivery is DeliveryState.DELIVERED
    assert delivered.upstream_ref == receipt.upstream_ref
    [item] = await world.outbox.items(kind=OutboxKind.DELIVER_REQUEST)
    assert (item.state, item.attempts) == (OutboxState.DONE, 2)


async def test_a_request_that_never_arrived_is_sent_after_the_lookup(world: World) -> None:
    """The worker died before the upstream got anything: the lookup finds nothing."""
    await world.citizen()
    request = await world.submit("santo-domingo-este")
    await world.outbox.claim(
        "worker-that-dies", kinds=[OutboxKind.DELIVER_REQUEST], lease_seconds=0.2
    )
    await asyncio.sleep(0.3)

    await world.drain()

    assert [r.NUMERO_SEGUIMIENTO for r in world.sigem()] == [request.tracking_number]
    assert world.systems.sigem.calls["ConsultarSolicitud"] == 1
    assert world.systems.sigem.calls["RegistrarSolicitud"] == 1


async def test_smtp_down_keeps_emails_pending_until_it_returns(world: World) -> None:
    await world.citizen()
    world.mail.pause()
    request = await world.submit("jarabacoa")
    for _ in range(4):
        await world.worker.run_once()
        await asyncio.sleep(0.06)
    [item] = await world.outbox.items(kind=OutboxKind.EMAIL)
    assert item.state is OutboxState.PENDING
    assert item.last_error == "SMTP_UNAVAILABLE"
    assert item.attempts >= 2

    world.mail.resume()
    await world.drain()

    assert len(_confirmations(world, request.tracking_number)) == 1
    assert len(world.emails()) == 1


async def test_no_address_in_the_profile_completes_without_sending(world: World) -> None:
    await world.citizen(JUAN, email=None)
    await world.submit("jarabacoa", subject=JUAN)
    await world.drain()
    assert world.emails() == []
    [item] = await world.outbox.items(kind=OutboxKind.EMAIL)
    assert item.state is OutboxState.DONE


async def test_a_status_changed_upstream_is_read_back_and_mailed(world: World) -> None:
    await world.citizen()
    request = await world.submit("santo-domingo-este")
    await world.drain()
    register = world.systems.sigem.requests
    assert register is not None
    set_status(register.path, request.tracking_number, "EV", "Inspección programada")

    assert await world.worker.read_back() == 1
    assert await world.worker.read_back() == 0  # nothing new

    changed = await world.requests.by_id(request.id)
    assert changed.status is RequestStatus.EN_REVISION
    last = changed.history[-1]
    assert (last.status, last.note, last.changed_by) == (
        RequestStatus.EN_REVISION,
        "Inspección programada",
        "upstream",
    )
    await world.drain()
    [message] = [m for m in world.emails() if "En revisión" in str(m["Subject"])]
    body = message.get_content()
    assert "Estado: En revisión" in body
    assert "Status: Under review" in body
    assert "Inspección programada" in body


async def test_the_worker_wakes_up_at_once_after_a_submit(world: World) -> None:
    await world.citizen()
    slow = world.worker
    slow.settings = slow.settings.model_copy(update={"poll_seconds": 30.0})
    world.requests._on_change = slow.wake
    slow.start()
    await asyncio.sleep(0.2)  # the worker is now waiting (30 s poll)
    started = time.monotonic()
    request = await world.submit("santo-domingo-este")
    while len(world.sigem()) < 1 or not _confirmations(world, request.tracking_number):
        assert time.monotonic() - started < 5, "the worker did not wake up"
        await asyncio.sleep(0.05)
    await slow.stop()
    assert await world.outbox.pending_count() == 0


def _sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_metrics_count_pending_and_delivered_items(world: World) -> None:
    metrics.install()
    await world.citizen()
    world.mail.pause()
    before = _sample("planasmun_outbox_delivered_total", kind="email", municipality="jarabacoa")
    await world.submit("jarabacoa")
    await world.worker.run_once()
    await world.worker.refresh_gauges()
    assert _sample("planasmun_outbox_pending", kind="email", municipality="jarabacoa") == 1
    assert (
        _sample("planasmun_outbox_retried_total", kind="email", municipality="jarabacoa") or 0
    ) >= 1

    world.mail.resume()
    await world.drain()
    await world.worker.refresh_gauges()
    assert _sample("planasmun_outbox_pending", kind="email", municipality="jarabacoa") == 0
    after = _sample("planasmun_outbox_delivered_total", kind="email", municipality="jarabacoa")
    assert (after or 0) - (before or 0) == 1
    exposition = generate_latest(REGISTRY).decode()
    assert MARIA not in exposition
    assert MARIA_EMAIL not in exposition


async def test_a_request_the_upstream_cannot_map_is_kept_failed_for_a_person(
    systems: DemoSystems, mail: MailSink, tmp_path: Path
) -> None:
    """La Vega's binding requires a numeric answer; a request with a word there can never
    be sent as configured: not retried, kept as FAILED, nothing reaches SIMUVEGA."""
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    la_vega = directory / "la-vega.yaml"
    text = la_vega.read_text()
    assert "      datos: answers\n" in text
    la_vega.write_text(
        text.replace(
            "      datos: answers\n",
            "      datos: {from: answers.superficie, type: number, required: true}\n",
        )
    )
    await clear_upstreams(systems)
    async with open_world(tmp_path, mail, systems, directory) as world:
        await world.citizen()
        request = await world.submit("la-vega")  # answers: superficie = "200"
        good = await world.submit("la-vega", key="second")
        async with world.requests.engine.begin() as connection:
            await connection.execute(
                sa.update(service_requests)
                .where(service_requests.c.id == request.id)
                .values(answers={"superficie": "doscientos"})
            )
        await world.drain()

        items = {i.request_id: i for i in await world.outbox.items(kind=OutboxKind.DELIVER_REQUEST)}
        failed = items[request.id]
        assert (failed.state, failed.last_error, failed.attempts) == (
            OutboxState.FAILED,
            "UPSTREAM_MAPPING",
            1,
        )
        assert items[good.id].state is OutboxState.DONE
        assert [r["NUM_SEGUIMIENTO"] for r in await world.simuvega()] == [good.tracking_number]
        assert (await world.requests.by_id(request.id)).delivery is DeliveryState.PENDING
