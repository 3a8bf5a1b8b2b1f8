"""Fixtures for the audit log: a migrated store on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.native.audit import AuditLog
from connectors.native.migrate import upgrade_async
from connectors.native.store import create_engine
from tests.support import fresh_postgres_database


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


@pytest.fixture
async def engine(store_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(store_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def log(engine: AsyncEngine) -> AuditLog:
    return AuditLog(engine)
