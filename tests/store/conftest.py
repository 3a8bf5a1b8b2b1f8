from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from store.store import create_engine


@pytest.fixture
async def engine(store_url: str) -> AsyncIterator[AsyncEngine]:
    """The hub store at the Alembic head, on SQLite and on PostgreSQL."""
    engine = create_engine(store_url)
    yield engine
    await engine.dispose()
