"""The `sql` kind: reads a municipality's existing database; writes only requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import ClassVar, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from connectors.base import (
    Binding,
    BindingConfig,
    Connector,
    ConnectorEnvironment,
    HealthReport,
    SourceConfig,
)
from connectors.capabilities import CAPABILITY_FIELDS
from connectors.errors import ConnectorConfigError, ConnectorError
from connectors.mapping import RecordMapper
from connectors.sql.config import SqlBindingConfig, SqlSourceConfig
from connectors.sql.database import Database, column_names, rows_of, table_columns
from connectors.sql.lookups import SqlRequestReader
from connectors.sql.request_config import SqlRequestsBindingConfig
from connectors.sql.requests import SqlRequestWriter
from connectors.sql.statements import columns_probe, fetch_statement, list_statement, raw_ids
from connectors.types import Capability, Record, RecordKey

__all__ = ["SqlConnector"]

T = TypeVar("T")


class SqlConnector(SqlRequestWriter, SqlRequestReader, Connector):
    """Reads a legacy database; writes only requests, through a `requests` binding's INSERT
    (`connectors.sql.requests`)."""

    kind: ClassVar[str] = "sql"
    config_model: ClassVar[type[SourceConfig]] = SqlSourceConfig
    binding_model: ClassVar[type[BindingConfig]] = SqlBindingConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {*CAPABILITY_FIELDS, Capability.REQUESTS}
    )

    @classmethod
    def binding_model_for(cls, capability: Capability) -> type[BindingConfig]:
        if capability is Capability.REQUESTS:
            return SqlRequestsBindingConfig
        return cls.binding_model

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        if not isinstance(config, SqlSourceConfig):
            raise ConnectorConfigError(
                f"sql: expected a SqlSourceConfig, found {type(config).__name__}"
            )
        super().__init__(config, environment)
        self.settings = config
        self.database = Database(config, environment.config_dir)
        self._seen: dict[str, Binding] = {}

    @property
    def engine(self) -> AsyncEngine:
        """The engine reading this database (created on first use; tests listen to it)."""
        return self.database.engine

    @property
    def write_engine(self) -> AsyncEngine:
        """The pool that runs INSERTs (created on first use; not read-only)."""
        return self.database.write_engine

    # -- the contract ----------------------------------------------------------------------

    async def check(self) -> HealthReport:
        """Connect; describe the tables (or query columns) of the bindings known so far.

        `details["tables"]` maps each bound table or view, or `query (<municipality>/<capability>)`,
        to its columns. A mapped column the table lacks makes the report not ok, naming it.
        """
        try:
            await self._run("connecting", lambda c: c.execute(sa.text("SELECT 1")))
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        tables: dict[str, list[str]] = {}
        problems: list[str] = []
        reports = await asyncio.gather(*(self.check_binding(b) for b in list(self._seen.values())))
        for report in reports:
            described: Mapping[str, list[str]] = report.details.get("tables", {})
            tables.update(described)
            if not report.ok:
                problems.append(report.message)
        details = {"tables": tables}
        if problems:
            return HealthReport(ok=False, message="; ".join(problems), details=details)
        return HealthReport(
            ok=True,
            message=f"{self.database.shown}: connected; {len(tables)} bound table(s) or query(ies)",
            details=details,
        )

    async def check_binding(self, binding: Binding) -> HealthReport:
        """Probe one binding: its table (or query) is there and has every mapped column."""
        config = self._config_of(binding)
        self.bind(binding)
        where = _where(binding, config)
        name = (
            config.target()
            if config.table is not None
            else f"query ({binding.municipality_id}/{binding.capability.value})"
        )
        try:
            columns = await self._run(where, lambda c: _columns_of(c, binding, config))
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        details = {"tables": {name: columns}}
        needed = config.read_columns() if config.table is not None else _query_needs(config)
        missing = [c for c in needed if c not in columns]
        if config.table is not None:
            missing += [c for c in config.where if c not in columns and c not in missing]
        shown = self.database.shown
        if missing:
            return HealthReport(
                ok=False,
                message=f"{shown}: {where}: no column {', '.join(missing)} "
                f"(it has: {', '.join(columns)})",
                details=details,
            )
        return HealthReport(
            ok=True, message=f"{shown}: {where}: {len(columns)} column(s)", details=details
        )

    def bind(self, binding: Binding) -> None:
        """Note a binding this source serves, so that `check()` describes its table."""
        if binding.capability is Capability.REQUESTS:
            return  # written through; `check_requests` probes it
        config = self._config_of(binding)
        key = f"{binding.municipality_id}|{binding.capability.value}|{config.model_dump_json()}"
        self._seen.setdefault(key, binding)

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        if not keys:
            return []
        config = self._config_of(binding)
        self.bind(binding)
        ours = {
            record_id
            for municipality_id, record_id in keys
            if municipality_id == binding.municipality_id
        }
        wanted = raw_ids(config, ours)
        if not wanted:
            return [None] * len(keys)
        statement = fetch_statement(binding, config, wanted)
        found_rows = await self._run(_where(binding, config), lambda c: rows_of(c, statement))
        mapper = RecordMapper(binding)
        found: dict[str, Record] = {}
        for row in found_rows:
            record = mapper.map(row)
            found.setdefault(str(record["id"]), record)
        results: list[Record | None] = []
        for municipality_id, record_id in keys:
            hit = found.get(record_id) if municipality_id == binding.municipality_id else None
            results.append(None if hit is None else dict(hit))
        return results

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        if binding.municipality_id not in municipality_ids:
            return [[] for _ in municipality_ids]
        config = self._config_of(binding)
        self.bind(binding)
        statement = list_statement(binding, config)
        found_rows = await self._run(_where(binding, config), lambda c: rows_of(c, statement))
        mapper = RecordMapper(binding)
        records = [mapper.map(row) for row in found_rows]
        return [
            [dict(r) for r in records] if municipality_id == binding.municipality_id else []
            for municipality_id in municipality_ids
        ]

    async def close(self) -> None:
        await self.database.close()

    # -- reading -----------------------------------------------------------------------------

    async def _run(self, what: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in a read-only transaction, never committed; errors mapped."""
        return await self.database.read(what, work)

    def _config_of(self, binding: Binding) -> SqlBindingConfig:
        config = binding.config
        if not isinstance(config, SqlBindingConfig):
            raise ConnectorConfigError(
                f"sql: binding {binding.municipality_id}/{binding.capability.value} is a "
                f"{type(config).__name__}, expected a SqlBindingConfig"
            )
        return config


def _where(binding: Binding, config: SqlBindingConfig) -> str:
    return f"{binding.municipality_id}/{binding.capability.value} ({config.target()})"


async def _columns_of(
    connection: AsyncConnection, binding: Binding, config: SqlBindingConfig
) -> list[str]:
    if config.table is not None:
        return await table_columns(connection, config.table, config.db_schema)
    return await column_names(connection, columns_probe(binding, config))


def _query_needs(config: SqlBindingConfig) -> list[str]:
    return list(dict.fromkeys([config.key_column(), *config.source_fields()]))
