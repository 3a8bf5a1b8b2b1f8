"""A hub store and a delivery worker over the demo federation, with the upstreams' own
state read back for the assertions (SIGEM's register, SIMUVEGA's table, the mail server)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connectors.federation import Federation
from demo import legacy_sql
from demo.catalogue import services
from demo.mail_sink import MailSink
from demo.sigem_requests import Solicitud, read_solicitudes
from demo.systems import DemoSystems
from gateway.outbox_delivery.settings import DeliverySettings, SmtpSettings
from gateway.outbox_delivery.worker import DeliveryWorker
from store.citizens import CitizenStore, ProfileChanges
from store.outbox import Outbox, OutboxState
from store.requests import NewRequest, RequestStore, ServiceRequest
from store.store import create_engine
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, FakeClock, demo_federation

#: A demo citizen (fictitious) and the address their e-mails go to.
MARIA = "demo-ciudadana-0001"
MARIA_EMAIL = "maria.perez@example.org"
SHORT_CODES = {"santo-domingo-este": "SDE", "la-vega": "LVG", "jarabacoa": "JAR"}
SERVICE = "certificado-uso-suelo"

SETTINGS = DeliverySettings(
    poll_seconds=0.2,
    lease_seconds=10,
    first_backoff_seconds=0.05,
    max_backoff_seconds=0.4,
    status_poll_seconds=3600,
)


def smtp_for(mail: MailSink) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=mail.port,
        security="none",
        from_address="PLANASMUN <no-responder@planasmun.test>",
    )


@dataclasses.dataclass
class World:
    url: str
    federation: Federation
    requests: RequestStore
    citizens: CitizenStore
    outbox: Outbox
    worker: DeliveryWorker
    mail: MailSink
    systems: DemoSystems
    #: The federation's monotonic clock (circuit breakers): tests move it by hand.
    clock: FakeClock

    async def citizen(self, subject: str = MARIA, email: str | None = MARIA_EMAIL) -> None:
        profile = await self.citizens.ensure_profile(subject)
        await self.citizens.update_profile(
            profile.id,
            ProfileChanges(
                municipality_id="santo-domingo-este",
                name="María Altagracia Pérez",
                cedula="00112345678",
                phone="8095550101",
                email=email,
            ),
        )

    async def submit(
        self,
        municipality_id: str,
        *,
        subject: str = MARIA,
        service_id: str = SERVICE,
        description: str = "Necesito el certificado para el solar de la calle 5",
        key: str | None = None,
    ) -> ServiceRequest:
        service = next(s for s in services(municipality_id) if s["id"] == service_id)
        submitted = await self.requests.submit(
            NewRequest(
                municipality_id=municipality_id,
                short_code=SHORT_CODES[municipality_id],
                service_id=service_id,
                service_name=service["name"],
                citizen_subject=subject,
                description=description,
                idempotency_key=key,
                address="Calle 5 núm. 12",
                latitude=18.49,
                longitude=-69.85,
                answers={"superficie": "200"},
                duration_days=service.get("duration_days"),
                deliver=self.federation.request_writer(municipality_id) is not None,
            )
        )
        return submitted.request

    async def drain(self, within_seconds: float = 15.0) -> None:
        """Run the worker until nothing is pending (waiting out backoffs)."""
        deadline = time.monotonic() + within_seconds
        while await self.outbox.pending_count():
            if time.monotonic() > deadline:
                pending = await self.outbox.items(state=OutboxState.PENDING)
                raise AssertionError(f"still pending after {within_seconds}s: {pending}")
            if not await self.worker.run_once():
                await asyncio.sleep(0.05)

    def sigem(self) -> list[Solicitud]:
        register = self.systems.sigem.requests
        assert register is not None
        return read_solicitudes(register.path)

    async def simuvega(self) -> list[dict[str, Any]]:
        return await legacy_sql.read_solicitudes(simuvega_url(self.systems))

    def emails(self) -> list[EmailMessage]:
        return self.mail.messages()


def simuvega_url(systems: DemoSystems) -> str:
    return f"sqlite+aiosqlite:///{systems.data_dir / legacy_sql.DEMO_FILES['simuvega']}"


async def clear_upstreams(systems: DemoSystems) -> None:
    """Empty SIGEM's register and SIMUVEGA's table of requests (between tests)."""
    register = systems.sigem.requests
    assert register is not None
    with contextlib.closing(sqlite3.connect(register.path)) as sigem, sigem:
        sigem.execute("DELETE FROM SOLICITUDES")
    engine = create_engine(simuvega_url(systems))
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.delete(legacy_sql.SOLICITUDES))
    finally:
        await engine.dispose()
    systems.sigem.calls.clear()


@contextlib.asynccontextmanager
async def open_world(
    tmp_path: Path,
    mail: MailSink,
    systems: DemoSystems,
    directory: Path = DEMO_MUNICIPALITIES_DIR,
    on_change: Callable[[str], None] | None = None,
) -> AsyncIterator[World]:
    """`on_change` hears every committed change of a request (what feeds the hub's events:
    the tracking page and the `requestStatusChanged` subscription)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    clock = FakeClock()
    federation = await demo_federation(url, directory, clock=clock)
    engine = create_engine(url)
    worker: DeliveryWorker | None = None
    try:
        requests = RequestStore(engine, on_change=on_change)
        citizens = CitizenStore(engine)
        outbox = Outbox(
            engine,
            first_backoff_seconds=SETTINGS.first_backoff_seconds,
            max_backoff_seconds=SETTINGS.max_backoff_seconds,
        )
        worker = DeliveryWorker(
            outbox=outbox,
            requests=requests,
            citizens=citizens,
            federation=federation,
            settings=SETTINGS,
            smtp=smtp_for(mail),
            public_base_url="https://planasmun.test",
            changed=requests.announce,
            worker="test-worker",
        )
        yield World(url, federation, requests, citizens, outbox, worker, mail, systems, clock)
    finally:
        if worker is not None:
            await worker.stop()
        await federation.close()
        await engine.dispose()
