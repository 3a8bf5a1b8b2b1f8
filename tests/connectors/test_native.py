"""The `native` connector passes the conformance suite on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from connectors import Binding, BindingConfig, Capability, ConnectorEnvironment, RecordKey
from connectors.native import NativeConnector, NativeSourceConfig
from store.store import metadata
from tests.connectors.conformance import ConnectorConformance
from tests.fixtures import prepare_store
from tests.support import PROJECT_ROOT, fresh_postgres_database

KNOWN_KEYS: list[RecordKey] = [
    ("santo-domingo-este", "licencia-construccion"),
    ("jarabacoa", "licencia-construccion"),
    ("higuey", "licencia-construccion"),
]


def _connector(url: str) -> NativeConnector:
    return NativeConnector(NativeSourceConfig(), ConnectorEnvironment(url, PROJECT_ROOT / "config"))


class NativeFixtures:
    @pytest.fixture
    def binding(self) -> Binding:
        return Binding("santo-domingo-este", Capability.SERVICES, BindingConfig(source="hub"))

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return list(KNOWN_KEYS)

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return ["cabarete", "santiago", "manabao"]


class TestNativeOnSqlite(NativeFixtures, ConnectorConformance):
    @pytest.fixture
    async def connector(self, tmp_path: Path) -> AsyncIterator[NativeConnector]:
        url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
        await prepare_store(url)
        connector = _connector(url)
        yield connector
        await connector.close()

    @pytest.fixture
    async def broken_connector(self, tmp_path: Path) -> AsyncIterator[NativeConnector]:
        connector = _connector(f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'hub.db'}")
        yield connector
        await connector.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh database on the PostgreSQL server CI starts, dropped afterwards."""
    async with fresh_postgres_database() as url:
        yield url


@pytest.mark.postgres
class TestNativeOnPostgres(NativeFixtures, ConnectorConformance):
    @pytest.fixture
    async def connector(self, postgres_url: str) -> AsyncIterator[NativeConnector]:
        await prepare_store(postgres_url)
        connector = _connector(postgres_url)
        yield connector
        await connector.close()

    @pytest.fixture
    async def broken_connector(self) -> AsyncIterator[NativeConnector]:
        # Nothing listens on port 9 of the loopback interface.
        connector = _connector("postgresql+asyncpg://nobody@127.0.0.1:9/none")
        yield connector
        await connector.close()


async def test_migrations_match_the_table_definitions(tmp_path: Path) -> None:
    """The Alembic head and `store.metadata` describe the same tables and columns."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await prepare_store(url)
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {
                table: {c["name"] for c in sa.inspect(sync).get_columns(table)}
                for table in sa.inspect(sync).get_table_names()
                if table != "alembic_version"
            }
        )
    await engine.dispose()
    assert columns == {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}


async def test_seed_is_repeatable_and_money_is_exact(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await prepare_store(url)
    await prepare_store(url)  # a second run replaces, never duplicates
    connector = _connector(url)
    binding = Binding("santiago", Capability.SERVICES, BindingConfig(source="hub"))
    (catalogue,) = await connector.list_for(binding, ["santiago"])
    await connector.close()
    ids = [r["id"] for r in catalogue]
    assert len(ids) == len(set(ids)) >= 8
    fees = [r["fee_amount"] for r in catalogue if r["fee_amount"] is not None]
    assert fees and all(fee.as_tuple().exponent == -2 for fee in fees)
