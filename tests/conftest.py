from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import strawberry

from connectors import Federation
from gateway.limits import schema_extensions
from gateway.settings import Settings
from schema import HubContext, build_schema
from store.migrate import upgrade_async
from tests.fixtures import Execute, demo_federation
from tests.privacy.logscan import PersonalDataLogScan, capture_logs
from tests.support import CHROMIUM, CHROMIUM_ARGS, fresh_postgres_database, require, running_hub


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last, and the scan of the run's logs after everything.

    Playwright's sync API keeps an event loop in the main thread for the whole session;
    once the browser is up, pytest-asyncio can no longer start loops for async tests.
    """
    items.sort(
        key=lambda item: (
            item.get_closest_marker("log_scan") is not None,
            "chromium" in getattr(item, "fixturenames", ()),
        )
    )


@pytest.fixture(scope="session", autouse=True)
def personal_data_log_scan(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PersonalDataLogScan]:
    """Every log record of the run, and the log files of the hubs tests start (under the
    run's temporary directory), for the last test to scan for personal data."""
    with capture_logs(tmp_path_factory.getbasetemp()) as scan:
        yield scan


@pytest.fixture(scope="session")
def live_hub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the live hub keeps its files: its store is `hub.db` there."""
    return tmp_path_factory.mktemp("live-hub")


@pytest.fixture(scope="session")
def live_hub(live_hub_dir: Path) -> Iterator[str]:
    """The demo hub over real HTTP on 127.0.0.1, shared by the session's browser tests."""
    with running_hub(live_hub_dir) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, with no browser download."""
    require(CHROMIUM.exists(), "Debian's Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
async def federation(tmp_path: Path) -> AsyncIterator[Federation]:
    federation = await demo_federation(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    yield federation
    await federation.close()


@pytest.fixture(scope="session")
def hub_schema() -> strawberry.Schema:
    """The schema with the gateway's production extensions (limits, masking)."""
    return build_schema(schema_extensions(Settings()))


@pytest.fixture
def execute(federation: Federation, hub_schema: strawberry.Schema) -> Execute:
    async def run(query: str, **variables: Any) -> Any:
        return await hub_schema.execute(
            query, variable_values=variables or None, context_value=HubContext.create(federation)
        )

    return run


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A hub store at the Alembic head, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
        await upgrade_async(url)
        yield url
        return
    async with fresh_postgres_database() as url:
        await upgrade_async(url)
        yield url
