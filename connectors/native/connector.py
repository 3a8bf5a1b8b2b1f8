"""The `native` connector: the hub's own SQL store, for municipalities with no system."""

from __future__ import annotations

import collections
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport, SourceConfig
from connectors.boundary import at_boundary
from connectors.errors import ConnectorConfigError, TransientError, UpstreamError
from connectors.types import Capability, Record, RecordKey
from store import store

_TABLES: dict[Capability, sa.Table] = {Capability.SERVICES: store.services}

_ERRORS: dict[type[BaseException], type[UpstreamError] | type[TransientError]] = {
    OperationalError: TransientError,
    DBAPIError: UpstreamError,
    SQLAlchemyError: UpstreamError,
    OSError: TransientError,
}


class NativeSourceConfig(SourceConfig):
    """The hub store needs no settings of its own: it uses `PLANASMUN_DATABASE_URL`."""

    connector: Literal["native"] = "native"


class NativeConnector(Connector):
    kind: ClassVar[str] = "native"
    config_model: ClassVar[type[SourceConfig]] = NativeSourceConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(_TABLES)
    multi_tenant: ClassVar[bool] = True

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        super().__init__(config, environment)
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            _require_sqlite_directory(self.environment.hub_database_url)
            self._engine = store.create_engine(self.environment.hub_database_url)
        return self._engine

    async def check(self) -> HealthReport:
        try:
            with at_boundary("native", _ERRORS):
                async with self.engine.connect() as connection:
                    counts = {
                        capability.value: (
                            await connection.execute(sa.select(sa.func.count()).select_from(table))
                        ).scalar_one()
                        for capability, table in _TABLES.items()
                    }
        except (TransientError, UpstreamError) as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        return HealthReport(ok=True, message="hub store reachable", details={"records": counts})

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        if not keys:
            return []
        table = self._table(binding)
        query = sa.select(table).where(
            sa.tuple_(table.c.municipality_id, table.c.id).in_(list(set(keys)))
        )
        rows = await self._rows(query)
        found = {(row["municipality_id"], row["id"]): row for row in rows}
        return [found.get(key) for key in keys]

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        if not municipality_ids:
            return []
        table = self._table(binding)
        query = (
            sa.select(table)
            .where(table.c.municipality_id.in_(sorted(set(municipality_ids))))
            .order_by(table.c.municipality_id, table.c.name)
        )
        grouped: dict[str, list[Record]] = collections.defaultdict(list)
        for row in await self._rows(query):
            grouped[row["municipality_id"]].append(row)
        return [grouped.get(municipality_id, []) for municipality_id in municipality_ids]

    async def close(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    def _table(self, binding: Binding) -> sa.Table:
        table = _TABLES.get(binding.capability)
        if table is None:
            raise ConnectorConfigError(f"native store has no table for '{binding.capability}'")
        return table

    async def _rows(self, query: sa.Select[Any]) -> list[dict[str, Any]]:
        with at_boundary("native", _ERRORS):
            async with self.engine.connect() as connection:
                result = await connection.execute(query)
                return [_to_record(dict(row)) for row in result.mappings()]


def _require_sqlite_directory(url: str) -> None:
    """Fail fast on a SQLite file whose directory is gone.

    aiosqlite would otherwise start a worker thread for a connection that can never open,
    and that thread outlives the failed call.
    """
    database = sa.make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:":
        directory = Path(database).parent
        if not directory.is_dir():
            raise TransientError(f"hub store directory {directory} does not exist")


def _to_record(row: dict[str, Any]) -> dict[str, Any]:
    if "fee_cents" in row:
        cents = row.pop("fee_cents")
        row["fee_amount"] = None if cents is None else Decimal(cents).scaleb(-2)
    return row
