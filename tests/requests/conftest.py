from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import strawberry

from gateway.events import LocalEvents
from store.audit import AuditLog
from store.citizens import CitizenStore
from store.requests import RequestStore
from store.store import create_engine
from tests.fixtures import demo_federation
from tests.requests.support import Env


@pytest.fixture
async def env(tmp_path: Path, hub_schema: strawberry.Schema) -> AsyncIterator[Env]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    federation = await demo_federation(url)
    engine = create_engine(url)
    events = LocalEvents()
    pending: set[asyncio.Task[None]] = set()

    def changed(number: str) -> None:
        task = asyncio.get_running_loop().create_task(events.publish(number))
        pending.add(task)
        task.add_done_callback(pending.discard)

    try:
        yield Env(
            schema=hub_schema,
            federation=federation,
            audit_log=AuditLog(engine),
            citizens=CitizenStore(engine),
            requests=RequestStore(engine, on_change=changed),
            events=events,
        )
    finally:
        await asyncio.gather(*pending, return_exceptions=True)
        await engine.dispose()
        await federation.close()
