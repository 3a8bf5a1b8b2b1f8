from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import strawberry

from connectors import Federation
from gateway.limits import schema_extensions
from gateway.settings import Settings
from schema import HubContext, build_schema
from tests.fixtures import demo_federation

Execute = Callable[..., Awaitable[Any]]


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
