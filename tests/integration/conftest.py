"""The demo's simulated municipal systems, on free loopback ports, for the whole session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from connectors import Federation
from demo.systems import DemoSystems
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, FakeClock, demo_federation
from tests.support import exported_demo_systems


@pytest.fixture(scope="session")
def systems(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSystems]:
    with exported_demo_systems(tmp_path_factory.mktemp("demo-systems")) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def demo(systems: DemoSystems, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Federation]:
    """The demo federation as `planasmun serve` builds it, with a clock the test controls."""
    federation = await demo_federation(
        f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", DEMO_MUNICIPALITIES_DIR, clock=clock
    )
    yield federation
    await federation.close()
