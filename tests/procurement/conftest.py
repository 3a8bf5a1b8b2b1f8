"""The demo's systems and a started hub over the demo's municipality files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from demo.systems import DemoSystems
from gateway.app import create_app
from gateway.hub import Hub
from gateway.outbox_delivery.settings import DeliverySettings
from gateway.settings import Settings
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.support import exported_demo_systems


@pytest.fixture(scope="module")
def systems(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSystems]:
    with exported_demo_systems(tmp_path_factory.mktemp("demo-systems")) as running:
        yield running


@pytest.fixture
async def hub(systems: DemoSystems, tmp_path: Path) -> AsyncIterator[Hub]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=DEMO_MUNICIPALITIES_DIR,
        delivery=DeliverySettings(enabled=False),
    )
    started = Hub(settings)
    await started.start()
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
async def client(hub: Hub) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://testserver"
    ) as http:
        yield http
