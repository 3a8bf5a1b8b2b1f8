"""End to end: a request Santo Domingo Este's SIGEM (the real SOAP simulator) could not
take is kept FAILED; once the mapping is fixed, its supervisor retries it through the
schema's `retryDelivery`, and the delivery worker delivers it: exactly one request in
SIGEM, looked up there first (the earlier attempt is counted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from demo.mail_sink import MailSink
from demo.systems import DemoSystems
from schema import HubContext, build_schema
from schema.principal import Principal, PrincipalKind, StaffRole
from store.audit import AuditLog
from store.outbox import OutboxKind, OutboxState
from store.requests import DeliveryState, service_requests
from tests.delivery.support import clear_upstreams, open_world
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

SDE = "santo-domingo-este"
PEDRO = Principal(
    "demo-supervisor-sde", "Pedro", PrincipalKind.STAFF, {SDE: [StaffRole.SUPERVISOR]}
)

RETRY = """
mutation Retry($m: ID!, $id: ID!) {
  retryDelivery(municipalityId: $m, id: $id) { id kind trackingNumber attempts }
}
"""


def _strict_sde(tmp_path: Path) -> Path:
    """The demo files, with SIGEM's extra data sent as a required number: a request whose
    answer is a word cannot be mapped (as a vendor's stricter field would refuse it)."""
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    sde = directory / f"{SDE}.yaml"
    text = sde.read_text()
    assert "        DATOS_ADICIONALES: answers\n" in text
    sde.write_text(
        text.replace(
            "        DATOS_ADICIONALES: answers\n",
            "        DATOS_ADICIONALES: {from: answers.superficie, type: number, required: true}\n",
        )
    )
    return directory


async def test_a_failed_request_retried_by_its_supervisor_reaches_sigem_once(
    systems: DemoSystems, mail: MailSink, tmp_path: Path
) -> None:
    systems.sigem.resume()
    await clear_upstreams(systems)
    async with open_world(tmp_path, mail, systems, _strict_sde(tmp_path)) as world:
        await world.citizen()
        request = await world.submit(SDE)
        async with world.requests.engine.begin() as connection:
            await connection.execute(
                sa.update(service_requests)
                .where(service_requests.c.id == request.id)
                .values(answers={"superficie": "doscientos"})
            )
        await world.drain()
        [failed] = await world.outbox.failed(SDE)
        assert (failed.kind, failed.request_id, failed.last_error, failed.attempts) == (
            OutboxKind.DELIVER_REQUEST,
            request.id,
            "UPSTREAM_MAPPING",
            1,
        )
        assert world.sigem() == []

    # The municipality's file is fixed (the demo's own again); the hub restarts with it.
    async with open_world(tmp_path, mail, systems) as world:
        audit_log = AuditLog(world.requests.engine)
        context = HubContext.create(
            world.federation,
            principal=PEDRO,
            audit_log=audit_log,
            requests=world.requests,
            outbox=world.outbox,
        )
        result = await build_schema().execute(
            RETRY, variable_values={"m": SDE, "id": failed.id}, context_value=context
        )
        assert result.errors is None, result.errors
        assert result.data == {
            "retryDelivery": {
                "id": failed.id,
                "kind": "REQUEST_TO_SYSTEM",
                "trackingNumber": request.tracking_number,
                "attempts": 1,
            }
        }

        await world.drain()
        await world.drain()  # nothing left: nothing is sent twice

        [row] = world.sigem()
        assert request.tracking_number == row.NUMERO_SEGUIMIENTO
        assert world.systems.sigem.calls["ConsultarSolicitud"] == 1  # asked first
        assert world.systems.sigem.calls["RegistrarSolicitud"] == 1
        delivered = await world.requests.by_id(request.id)
        assert delivered.delivery is DeliveryState.DELIVERED
        done = await world.outbox.item(failed.id)
        assert done is not None and (done.state, done.attempts) == (OutboxState.DONE, 2)
        [entry] = await audit_log.entries(municipality_id=SDE)
        assert (entry.action, entry.record_id, entry.actor) == (
            "delivery_retried",
            failed.id,
            PEDRO.subject,
        )
