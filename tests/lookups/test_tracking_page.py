"""The tracking page shows a request held in a municipality's own system."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from demo.systems import DemoSystems
from gateway.app import create_app
from gateway.hub import Hub
from gateway.settings import Settings
from tests.fixtures import DEMO_MUNICIPALITIES_DIR


@pytest.fixture
async def hub(systems: DemoSystems, tmp_path: Path) -> AsyncIterator[Hub]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=DEMO_MUNICIPALITIES_DIR,
    )
    running = Hub(settings)
    await running.start()
    try:
        yield running
    finally:
        await running.close()


async def test_the_page_tracks_an_archived_and_a_counter_filed_request(hub: Hub) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(hub=hub)),
        base_url="http://testserver",
        headers={"Accept": "text/html"},
    ) as client:
        archived = await client.get("/seguimiento/SOL-2023-0097")
        assert archived.status_code == 200, archived.text[:500]
        assert "SOL-2023-0097" in archived.text
        assert "Licencia entregada." in archived.text
        counter = await client.get("/seguimiento", params={"numero": "sgm-2026-00041"})
        assert counter.status_code == 303
        assert counter.headers["location"] == "/seguimiento/SGM-2026-00041"
        page = await client.get("/seguimiento/SGM-2026-00041")
        assert page.status_code == 200
        assert "Planos revisados" in page.text
        unknown = await client.get("/seguimiento/SOL-2099-0001", follow_redirects=True)
        assert unknown.status_code == 404
