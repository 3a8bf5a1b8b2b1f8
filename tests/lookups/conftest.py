"""The demo federation on its simulated systems (SIGEM with its counter-filed requests,
GESMUN with its archive), with the hub's real stores on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import strawberry

from demo.systems import DemoSystems
from gateway.events import LocalEvents
from store.audit import AuditLog
from store.citizens import CitizenStore
from store.requests import RequestStore
from store.store import create_engine
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, demo_federation
from tests.requests.support import Env
from tests.support import exported_demo_systems


@pytest.fixture(scope="module")
def systems(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSystems]:
    with exported_demo_systems(tmp_path_factory.mktemp("demo-systems")) as running:
        running.file_counter_requests()
        yield running


@pytest.fixture
async def env(
    systems: DemoSystems, tmp_path: Path, hub_schema: strawberry.Schema
) -> AsyncIterator[Env]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    federation = await demo_federation(url, DEMO_MUNICIPALITIES_DIR)
    engine = create_engine(url)
    try:
        yield Env(
            schema=hub_schema,
            federation=federation,
            audit_log=AuditLog(engine),
            citizens=CitizenStore(engine),
            requests=RequestStore(engine),
            events=LocalEvents(),
        )
    finally:
        await asyncio.sleep(0)
        await engine.dispose()
        await federation.close()
