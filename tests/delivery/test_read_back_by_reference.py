"""Status read-back from a vendor that knows requests by its own number.

SIGEM (the real spyne server on loopback) answers `ConsultarEstadoPorId` by its own id
for each request (what `RegistrarSolicitud` returned) and never names the hub's tracking
number; it takes at most 50 ids a call and answers newest first. The binding asks by
reference with `max_batch: 5`, so a dozen open requests take three calls."""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from demo.mail_sink import MailSink
from demo.sigem_requests import set_status
from demo.systems import DemoSystems
from store.requests import RequestStatus
from tests.delivery.support import World, clear_upstreams, open_world
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

MAX_BATCH = 5
OPEN_REQUESTS = 12


def by_reference(directory: Path, status: dict[str, object]) -> Path:
    """Santo Domingo Este's file with its status operation replaced by `status`."""
    directory.mkdir()
    raw = yaml.safe_load((DEMO_MUNICIPALITIES_DIR / "santo-domingo-este.yaml").read_text())
    raw["bindings"]["requests"]["status"] = status
    (directory / "santo-domingo-este.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    return directory


STATUS = {
    "operation": "ConsultarEstadoPorId",
    "by": "reference",
    "tracking_argument": "ids",
    "reference_field": "ID_SOLICITUD",
    "status_field": "ESTADO",
    "note_field": "OBSERVACION",
    "changed_at_field": "FECHA_ESTADO",
    "max_batch": MAX_BATCH,
    "map": {"RG": "RECIBIDA", "EV": "EN_REVISION", "ET": "EN_PROCESO", "CO": "RESUELTA"},
}


@pytest.fixture
async def changes(
    systems: DemoSystems, mail: MailSink, tmp_path: Path
) -> AsyncIterator[tuple[World, list[str]]]:
    heard: list[str] = []
    systems.sigem.resume()
    await clear_upstreams(systems)
    directory = by_reference(tmp_path / "municipalities", STATUS)
    async with open_world(tmp_path, mail, systems, directory, on_change=heard.append) as world:
        yield world, heard


async def test_a_status_changed_in_sigem_arrives_by_its_own_number(
    changes: tuple[World, list[str]],
) -> None:
    world, heard = changes
    await world.citizen()
    submitted = [await world.submit("santo-domingo-este") for _ in range(OPEN_REQUESTS)]
    await world.drain()
    rows = {row.NUMERO_SEGUIMIENTO: row for row in world.sigem()}
    for request in submitted:
        stored = await world.requests.by_id(request.id)
        assert stored.upstream_ref == str(rows[request.tracking_number].ID_SOLICITUD)

    # SIGEM's clerks move two requests on (one in each of the first and last batch).
    first, last = submitted[0], submitted[-1]
    register = world.systems.sigem.requests
    assert register is not None
    set_status(register.path, first.tracking_number, "EV", "Inspección programada")
    set_status(register.path, last.tracking_number, "ET", "En manos de Planeamiento")
    world.systems.sigem.calls.clear()
    heard.clear()

    assert await world.worker.read_back() == 2

    # Never more than max_batch ids a call: all twelve took three calls.
    assert world.systems.sigem.calls["ConsultarEstadoPorId"] == math.ceil(OPEN_REQUESTS / MAX_BATCH)
    moved = await world.requests.by_id(first.id)
    assert moved.status is RequestStatus.EN_REVISION
    assert (moved.history[-1].note, moved.history[-1].changed_by) == (
        "Inspección programada",
        "upstream",
    )
    assert (await world.requests.by_id(last.id)).status is RequestStatus.EN_PROCESO
    for request in submitted[1:-1]:
        assert (await world.requests.by_id(request.id)).status is RequestStatus.RECIBIDA
    # The change is announced (what the tracking page and the subscription follow) ...
    assert sorted(heard) == sorted([first.tracking_number, last.tracking_number])
    # ... and mailed to the citizen.
    await world.drain()
    subjects = [str(m["Subject"]) for m in world.emails()]
    assert any(first.tracking_number in s and "En revisión" in s for s in subjects)
    assert any(last.tracking_number in s and "En proceso" in s for s in subjects)
    assert await world.worker.read_back() == 0  # nothing new


async def test_a_failing_read_back_says_why_once_and_when_it_recovers(
    systems: DemoSystems, mail: MailSink, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    systems.sigem.resume()
    await clear_upstreams(systems)
    # Without max_batch the vendor's limit of 50 is exceeded: its fault is the reason.
    unbounded = {**STATUS, "max_batch": None}
    directory = by_reference(tmp_path / "municipalities", unbounded)
    async with open_world(tmp_path, mail, systems, directory) as world:
        await world.citizen()
        for _ in range(51):
            await world.submit("santo-domingo-este")
        await world.drain(within_seconds=60)
        caplog.set_level(logging.DEBUG, logger="planasmun.delivery")
        for _ in range(3):
            assert await world.worker.read_back() == 0
        warnings = [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING and "status read-back" in r.getMessage()
        ]
        [warning] = warnings  # said once, not every poll
        assert "santo-domingo-este" in warning
        assert "Client.LimiteExcedido" in warning
        assert "max_batch" in warning


async def test_a_read_back_that_fails_says_so_once_and_when_it_works_again(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.citizen()
    await world.submit("santo-domingo-este")
    await world.drain()
    caplog.set_level(logging.DEBUG, logger="planasmun.delivery")
    world.systems.sigem.pause()
    try:
        for _ in range(4):
            await world.worker.read_back()
    finally:
        world.systems.sigem.resume()
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "status read-back of santo-domingo-este failed: UPSTREAM_UNAVAILABLE" in (
        warning.getMessage()
    )
    assert "not answering" in warning.getMessage()
    caplog.clear()
    world.clock.now += 3600  # the circuit breaker lets a call through again
    await world.worker.read_back()
    await world.worker.read_back()
    [info] = [r for r in caplog.records if "works again" in r.getMessage()]
    assert info.levelno == logging.INFO
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
