"""One database as the `sql` kind reaches it: its URL, its two pools, its errors.

The password is revealed only here, when a pool is made (the whole URL by reference, or
`password: {$env: NAME}`), and hidden from then on in every message (`shown` names the
database with it hidden). Reads run on a read-only pool, each in a read-only transaction
that is never committed; the one write the kind makes, a citizen's request, has a pool of
its own (`write_engine`). Both are created on first use.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from connectors.boundary import at_boundary
from connectors.errors import ConnectorConfigError, ConnectorError, TransientError
from connectors.secrets import EnvSecret, Redactor
from connectors.sql.config import SqlSourceConfig
from connectors.sql.errors import classify

__all__ = [
    "Database",
    "column_names",
    "engine_options",
    "read_only_sqlite",
    "rows_of",
    "table_columns",
]

T = TypeVar("T")


class Database:
    """The engines of one `sql` source, its errors mapped and its secrets hidden."""

    def __init__(self, config: SqlSourceConfig, config_dir: Path) -> None:
        self.config = config
        self.config_dir = config_dir
        #: The revealed password (or whole URL's), hidden in every message.
        self.redactor = Redactor()
        #: How messages name the database: its URL with the password hidden.
        self.shown = _display(config)
        self._engine: AsyncEngine | None = None
        self._write_engine: AsyncEngine | None = None
        self._sqlite_file: Path | None = None

    @property
    def timeout_seconds(self) -> float:
        return self.config.timeout_seconds

    # -- reading -----------------------------------------------------------------------------

    @property
    def engine(self) -> AsyncEngine:
        """The read-only pool (created on first use; tests listen to it)."""
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    async def read(self, what: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in a read-only transaction, never committed; errors mapped.

        `what` says in an error's internal message what was being read.
        """
        with self.errors(what):
            engine = self.engine
            self._require_sqlite_file()
            async with engine.connect() as connection:
                if engine.dialect.name in ("postgresql", "mysql", "mariadb"):
                    await connection.execute(sa.text("SET TRANSACTION READ ONLY"))
                return await work(connection)
            # Leaving the block rolls back: a read never commits.

    def errors(self, what: str) -> contextlib.AbstractContextManager[None]:
        """The backend's exceptions as the connector error tree, with secrets redacted."""
        return at_boundary(what, self._classify, tidy=self.redactor.redact)

    def _classify(self, what: str, exc: BaseException) -> ConnectorError | None:
        # `shown` at the time of the error: making the engine reveals the URL.
        return classify(f"{self.shown}: {what}", exc)

    def _create_engine(self) -> AsyncEngine:
        url = self._resolved_url()
        options = engine_options(url, self.timeout_seconds, self.config.pool_size)
        if url.get_backend_name() == "sqlite":
            url, self._sqlite_file = read_only_sqlite(url, self.config_dir)
            self._require_sqlite_file()
        engine = self._new_engine(url, options)
        if url.get_backend_name() == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _turn_on_query_only)
        return engine

    def _require_sqlite_file(self) -> None:
        """Fail fast on a SQLite file that is not there.

        Opening it would fail anyway (read-only mode never creates a file), and aiosqlite
        would leave behind the worker thread of a connection that never opened.
        """
        if self._sqlite_file is not None and not self._sqlite_file.is_file():
            raise TransientError(f"{self.shown}: database file {self._sqlite_file} not found")

    # -- writing -----------------------------------------------------------------------------

    @property
    def write_engine(self) -> AsyncEngine:
        """The pool that runs INSERTs (created on first use; not read-only)."""
        if self._write_engine is None:
            self._write_engine = self._create_write_engine()
        return self._write_engine

    def _create_write_engine(self) -> AsyncEngine:
        url = self._resolved_url()
        options = engine_options(url, self.timeout_seconds, self.config.pool_size)
        if url.get_backend_name() == "sqlite":
            url, path = read_only_sqlite(url, self.config_dir)
            url = url.update_query_dict({"mode": "rw"})
            if path is not None and not path.is_file():
                raise TransientError(f"{self.shown}: database file {path} not found")
        return self._new_engine(url, options)

    async def close_writes(self) -> None:
        """Dispose of the write pool; harmless when there is none."""
        engine, self._write_engine = self._write_engine, None
        if engine is not None:
            await engine.dispose()

    async def close(self) -> None:
        await self.close_writes()
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    # -- the URL -----------------------------------------------------------------------------

    def _new_engine(self, url: URL, options: dict[str, Any]) -> AsyncEngine:
        try:
            return create_async_engine(url, **options)
        except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
            raise ConnectorConfigError(
                self.redactor.redact(
                    f"{self.shown}: cannot use this URL: {type(exc).__name__}: {exc}"
                )
            ) from None

    def _resolved_url(self) -> URL:
        config = self.config
        self.redactor.forget()
        if isinstance(config.url, EnvSecret):
            try:
                text = config.url.reveal()
            except LookupError as exc:
                raise ConnectorConfigError(f"sql source: {exc}") from None
            try:
                url = sa.make_url(text)
            except ArgumentError:
                raise ConnectorConfigError(
                    f"sql source: environment variable {config.url.env} does not hold a "
                    "SQLAlchemy URL"
                ) from None
            if url.password is not None:
                self.redactor.keep(str(url.password))
        else:
            url = sa.make_url(config.url)
        if config.password is not None:
            try:
                password = config.password.reveal()
            except LookupError as exc:
                raise ConnectorConfigError(f"{self.shown}: password: {exc}") from None
            self.redactor.keep(password)
            url = url.set(password=password)
        self.shown = _display(config, url)
        return url


def _display(config: SqlSourceConfig, url: URL | None = None) -> str:
    """How messages name the database: the URL with its password hidden."""
    if url is not None:
        shown = url.render_as_string(hide_password=True)
    elif isinstance(config.url, EnvSecret):
        shown = f"$env {config.url.env}"
    else:
        shown = config.url
    return f"sql {shown}"


def engine_options(url: URL, timeout: float, pool_size: int) -> dict[str, Any]:
    """Pool and driver settings: a bounded pool, connect and statement timeouts."""
    backend, driver = url.get_backend_name(), url.get_driver_name()
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {"connect_args": connect_args}
    if backend == "sqlite":
        connect_args["timeout"] = timeout  # waiting for a lock
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return options  # one shared in-memory connection: no pool to size
    else:
        options["pool_pre_ping"] = True
        options["pool_recycle"] = 1800
    options.update(pool_size=pool_size, max_overflow=0, pool_timeout=timeout)
    if driver == "asyncpg":
        connect_args.update(timeout=timeout, command_timeout=timeout)
    elif driver == "psycopg":
        connect_args.update(
            connect_timeout=max(1, math.ceil(timeout)),
            options=f"-c statement_timeout={int(timeout * 1000)}",
        )
    elif driver in ("aiomysql", "asyncmy"):
        connect_args["connect_timeout"] = timeout
    return options


def read_only_sqlite(url: URL, config_dir: Path) -> tuple[URL, Path | None]:
    """The SQLite URL opened read-only (`mode=ro`), and the file it needs to exist."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return url, None
    query = dict(url.query)
    if str(query.get("uri", "")).lower() in ("true", "1"):
        path_text = database.removeprefix("file:")
    else:
        path_text = database
    path = Path(path_text).expanduser()
    if not path.is_absolute():
        path = config_dir / path
    query.update(mode="ro", uri="true")
    return url.set(database=f"file:{quote(str(path))}", query=query), path


def _turn_on_query_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA query_only = ON")
    finally:
        cursor.close()


async def rows_of(connection: AsyncConnection, statement: sa.Executable) -> list[dict[str, Any]]:
    """The rows `statement` answers, as column → value."""
    result = await connection.execute(statement)
    return [dict(row) for row in result.mappings()]


async def column_names(connection: AsyncConnection, statement: sa.Executable) -> list[str]:
    """The columns `statement` answers (its rows are not read)."""
    result = await connection.execute(statement)
    names = list(map(str, result.keys()))
    result.close()
    return names


async def table_columns(connection: AsyncConnection, table: str, schema: str | None) -> list[str]:
    """The columns of a table or view, by reflection."""
    found = await connection.run_sync(
        lambda sync: sa.inspect(sync).get_columns(table, schema=schema)
    )
    return [str(column["name"]) for column in found]
