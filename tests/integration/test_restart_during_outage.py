"""A hub restarted while a government's system is down still shows its catalogue and takes
its citizens' requests: the last known catalogue is in the hub store, marked stale.

Santo Domingo Este's catalogue lives in SIGEM (a real spyne SOAP server on 127.0.0.1),
which is paused for the outage; each "start" is a new federation on the same hub store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import Federation
from demo.systems import DemoSystems
from gateway.events import LocalEvents
from store.audit import AuditLog
from store.citizens import CitizenStore
from store.requests import RequestStore
from store.snapshots import HubSnapshots
from store.store import create_engine
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, demo_federation
from tests.requests.support import MARIA, MUNICIPALITY, SERVICE, Env

CATALOGUE = '{ municipality(id: "santo-domingo-este") { services { id name } } }'


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[tuple[str, AsyncEngine]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    engine = create_engine(url)
    yield url, engine
    await engine.dispose()


async def start(url: str, engine: AsyncEngine, *, snapshots: bool = True) -> Federation:
    return await demo_federation(
        url, DEMO_MUNICIPALITIES_DIR, snapshots=HubSnapshots(engine) if snapshots else None
    )


def env(schema: strawberry.Schema, federation: Federation, engine: AsyncEngine) -> Env:
    return Env(
        schema=schema,
        federation=federation,
        audit_log=AuditLog(engine),
        citizens=CitizenStore(engine),
        requests=RequestStore(engine),
        events=LocalEvents(),
    )


async def test_a_restart_during_an_outage_keeps_the_catalogue_and_takes_requests(
    systems: DemoSystems, hub_schema: strawberry.Schema, store: tuple[str, AsyncEngine]
) -> None:
    url, engine = store
    before = await start(url, engine)
    warm = await env(hub_schema, before, engine).run(CATALOGUE, MARIA)
    assert warm.errors is None
    catalogue = warm.data["municipality"]["services"]
    assert f"{MUNICIPALITY}:{SERVICE}" in {s["id"] for s in catalogue}
    await before.close()

    systems.sigem.pause()
    try:
        after = await start(url, engine)
        hub = env(hub_schema, after, engine)
        shown = await hub.run(CATALOGUE, MARIA)
        assert shown.data["municipality"]["services"] == catalogue
        (stale,) = shown.errors or []
        assert stale.extensions["stale"] is True and stale.extensions["source"] == "sigem"

        submitted = await hub.submit()
        assert submitted["created"] is True
        assert submitted["request"]["municipality"]["id"] == MUNICIPALITY
        assert submitted["request"]["serviceId"] == SERVICE
        # Not yet in SIGEM: the outbox delivers it when SIGEM answers again.
        assert submitted["request"]["deliveredToMunicipality"] is False
        await after.close()
    finally:
        systems.sigem.resume()


async def test_without_the_kept_catalogue_the_restarted_hub_cannot_check_the_service(
    systems: DemoSystems, hub_schema: strawberry.Schema, store: tuple[str, AsyncEngine]
) -> None:
    """What the snapshot store changes: the same outage, the same restart, nothing kept."""
    url, engine = store
    before = await start(url, engine, snapshots=False)
    assert (await env(hub_schema, before, engine).run(CATALOGUE, MARIA)).errors is None
    await before.close()
    systems.sigem.pause()
    try:
        after = await start(url, engine, snapshots=False)
        result = await env(hub_schema, after, engine).run(CATALOGUE, MARIA)
        assert result.data["municipality"]["services"] is None
        await after.close()
    finally:
        systems.sigem.resume()
