"""Builders for an initialised hub store, shared by connector and schema tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from connectors import ConnectorEnvironment, Federation, load_directory
from connectors.native.seed import seed_catalogues
from demo.launch import register_hooks
from store.migrate import upgrade_async
from tests.support import PROJECT_ROOT

#: The pilot governments with every capability on the hub store: fast, no outside systems.
MUNICIPALITIES_DIR = PROJECT_ROOT / "tests" / "data" / "native-municipalities"
#: The demo as `planasmun serve` runs it, on the simulated municipal systems.
DEMO_MUNICIPALITIES_DIR = PROJECT_ROOT / "config" / "municipalities"
CATALOGUE_DIR = PROJECT_ROOT / "config" / "demo" / "catalogue"

# The demo's files name the demo's hooks: register them as `planasmun serve` does in demo
# mode, for every test that loads those files in-process (tests/conftest.py imports this).
register_hooks()

#: `execute(query, **variables)`: runs a query in-process against the demo federation.
Execute = Callable[..., Awaitable[Any]]


async def prepare_store(database_url: str) -> None:
    await upgrade_async(database_url)
    await seed_catalogues(database_url, CATALOGUE_DIR)


async def demo_federation(
    database_url: str, directory: Path = MUNICIPALITIES_DIR, **options: Any
) -> Federation:
    await prepare_store(database_url)
    environment = ConnectorEnvironment(
        hub_database_url=database_url, config_dir=PROJECT_ROOT / "config"
    )
    return Federation(load_directory(directory), environment, **options)


class FakeClock:
    """A monotonic clock the test moves by hand (cache lifetimes, circuit resets)."""

    def __init__(self, now: float = 10_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
