"""The `sql` connector: a municipality's existing database, which the hub does NOT own.

The hub reads; the one thing it may write is a citizen's request, through the INSERT a
`requests` binding gives it, on a pool of its own (`connectors.sql_requests`). It never
creates, alters or migrates anything there: no `metadata.create_all`, no migrations, and
reflection only in `check()`. Every read runs in a read-only transaction where the dialect
has one (PostgreSQL and MySQL: ``SET TRANSACTION READ ONLY``; SQLite: the file is opened
with ``mode=ro`` and ``PRAGMA query_only``), on top of a database account that should
itself be read-only (or allowed INSERT on the requests table alone).

A binding reads either

- a ``table`` (or view), optionally in a ``schema``, with an equality filter ``where``
  (``{ESTATUS: A}``): the SELECT is built with SQLAlchemy Core and names exactly the
  columns the mapping needs, plus any in ``columns`` (for a hook); or
- a ``query``: one parameterised SELECT (or WITH … SELECT) with named parameters —
  ``:municipio`` (the binding's municipality id unless ``parameters`` gives it) and any
  constant from ``parameters``. Batches filter that query as a subquery by its id column,
  or use ``fetch_query``, the same query with ``:ids`` where the keys go (an expanding
  parameter). A query that is not a single read-only statement is refused at validation.

`fetch_many` is one ``SELECT … WHERE id IN (…)`` per call and `list_for` one SELECT for
the binding's municipality. The password comes only by reference (the whole URL as
``{$env: NAME}``, or ``password: {$env: NAME}``) and is never shown: URLs in messages are
rendered with it hidden.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

import sqlalchemy as sa
from pydantic import ConfigDict, Field, field_validator, model_validator
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    NoSuchTableError,
    SQLAlchemyError,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from connectors.base import (
    Binding,
    BindingConfig,
    Connector,
    ConnectorEnvironment,
    HealthReport,
    SourceConfig,
)
from connectors.capabilities import CAPABILITY_FIELDS
from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)
from connectors.mapping import FieldSpec, MappedBindingConfig, RecordMapper
from connectors.secrets import EnvSecret
from connectors.sql_requests import SqlRequestsBindingConfig, SqlRequestWriter
from connectors.types import Capability, Record, RecordKey

__all__ = ["SqlBindingConfig", "SqlConnector", "SqlSourceConfig", "read_only_problem"]

T = TypeVar("T")

#: A constant in `where` or `parameters`.
Scalar = str | int | float | bool | None

_HIDDEN = "***"

# ------------------------------------------------------------------------ read-only guard

#: Comments, string literals and quoted identifiers: removed before looking for keywords.
_NOT_CODE = re.compile(
    r"""--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]""", re.DOTALL
)
#: Words a single SELECT only needs in order to write, lock, or run something else:
#: data-modifying CTEs (`WITH x AS (DELETE …)`), `SELECT … INTO`, `FOR UPDATE`, DDL.
_FORBIDDEN = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|INTO|CREATE|ALTER|DROP|TRUNCATE|RENAME|GRANT"
    r"|REVOKE|COPY|CALL|EXEC|EXECUTE|ATTACH|DETACH|PRAGMA|VACUUM|REINDEX|REFRESH|LOCK"
    r"|COMMIT|ROLLBACK|SAVEPOINT)\b",
    re.IGNORECASE,
)
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


def read_only_problem(query: str) -> str | None:
    """Why `query` is not one read-only SELECT, or None when it is.

    A defence in depth: every read also runs in a read-only transaction.
    """
    code = _NOT_CODE.sub(" ", query)
    if re.search(r"'|\"|`|/\*", code):
        return "it has an unterminated quote or comment"
    code = code.strip()
    code = code.removesuffix(";").rstrip()
    if not code:
        return "it is empty"
    if ";" in code:
        return "it has several statements (';')"
    first = re.match(r"[(\s]*(\w*)", code)
    word = first.group(1).upper() if first else ""
    if word not in ("SELECT", "WITH"):
        return f"it starts with {word or repr(code[:10])}"
    forbidden = _FORBIDDEN.search(code)
    if forbidden is not None:
        return f"it contains {forbidden.group(1).upper()}"
    return None


def _bind_names(query: str) -> set[str]:
    """The named parameters SQLAlchemy's `text()` sees in `query` (`::` casts are not)."""
    return set(_BIND.findall(query))


# --------------------------------------------------------------------------- configuration


def _mask_password(url: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`, even in a URL that does not parse.

    Up to the last `@`, so that a password with an unescaped `@` or `/` is hidden whole.
    """
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:{_HIDDEN}@{host}"


class _LiteralSecret:
    """Stands in for a password written in the file, so that no error ever echoes it."""

    def __repr__(self) -> str:
        return "a literal value (not shown)"


class SqlSourceConfig(SourceConfig):
    """An existing database the hub reads (never writes) through SQLAlchemy's async drivers."""

    connector: Literal["sql"] = "sql"
    url: str | EnvSecret = Field(
        description="A SQLAlchemy async URL (sqlite+aiosqlite:///path.db, "
        "postgresql+asyncpg://user@host/db, mysql+aiomysql://user@host/db), without its "
        "password; or the whole URL by reference: {$env: NAME}. A relative SQLite path starts "
        "at the configuration directory."
    )
    password: EnvSecret | None = Field(
        default=None,
        description="The database password by reference ({$env: NAME}); never written in `url`.",
    )
    pool_size: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Most connections the hub keeps open to this database at once.",
    )

    @model_validator(mode="before")
    @classmethod
    def _hide_literal_password(cls, data: Any) -> Any:
        # An error echoes what it found: the URL with its password masked, never a password.
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        if isinstance(data.get("url"), str):
            data["url"] = _mask_password(data["url"])
        if isinstance(data.get("password"), str):
            data["password"] = _LiteralSecret()
        return data

    @field_validator("password", mode="before")
    @classmethod
    def _password_is_a_reference(cls, value: Any) -> Any:
        if isinstance(value, _LiteralSecret | str):
            raise ValueError("a reference such as {$env: NAME}, never the password itself")
        return value

    @field_validator("url")
    @classmethod
    def _async_url_without_password(cls, value: str | EnvSecret) -> str | EnvSecret:
        if isinstance(value, EnvSecret):
            return value
        try:
            url = sa.make_url(value)
        except ArgumentError:
            raise ValueError(
                "a SQLAlchemy URL such as postgresql+asyncpg://user@host:5432/database"
            ) from None
        if url.password is not None:
            raise ValueError(
                "a URL without its password: give it as `password: {$env: NAME}`, "
                "or the whole URL as {$env: NAME}"
            )
        try:
            dialect = url.get_dialect()
        except NoSuchModuleError:
            raise ValueError(f"a database kind SQLAlchemy knows ({url.drivername}?)") from None
        if not getattr(dialect, "is_async", False):
            raise ValueError(
                "a URL with an asyncio driver (sqlite+aiosqlite, postgresql+asyncpg, "
                f"mysql+aiomysql…), found the driver '{url.drivername}'"
            )
        return value


class SqlBindingConfig(MappedBindingConfig):
    """Which rows of the database serve a capability, and how their columns map."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    table: str | None = Field(default=None, min_length=1, description="A table or view to read.")
    db_schema: str | None = Field(
        default=None, alias="schema", min_length=1, description="The table's schema, if any."
    )
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict,
        description="Equality filters on the table, e.g. {ESTATUS: A}; a list means any of.",
    )
    columns: list[str] = Field(
        default_factory=list,
        description="More columns of the table to read besides the mapped ones (for a hook).",
    )
    query: str | None = Field(
        default=None,
        min_length=1,
        description="Instead of `table`: one read-only SELECT; `:municipio` and the names in "
        "`parameters` are its parameters.",
    )
    fetch_query: str | None = Field(
        default=None,
        min_length=1,
        description="With `query`: the same SELECT restricted to the keys with `IN :ids`; "
        "without it, batches filter `query` by `id_column`.",
    )
    parameters: dict[str, Scalar] = Field(
        default_factory=dict, description="Constants for the query's named parameters."
    )
    id_column: str | None = Field(
        default=None,
        min_length=1,
        description="The column that holds the record id (default: the one mapped to `id`).",
    )
    id_type: Literal["text", "int"] = Field(
        default="text", description="The id column's type: keys are converted to it."
    )

    @field_validator("query", "fetch_query")
    @classmethod
    def _read_only(cls, value: str | None) -> str | None:
        if value is not None:
            problem = read_only_problem(value)
            if problem is not None:
                raise ValueError(
                    "a single read-only SELECT (or WITH … SELECT) with no ';' and no "
                    f"INSERT/UPDATE/DELETE/DDL; {problem}"
                )
        return value

    @model_validator(mode="after")
    def _one_source_of_rows(self) -> SqlBindingConfig:
        if (self.table is None) == (self.query is None):
            raise ValueError("either `table` (a table or view) or `query` (a SELECT), not both")
        if self.table is not None:
            query_only: dict[str, object] = {
                "fetch_query": self.fetch_query,
                "parameters": self.parameters,
            }
            for key, given in query_only.items():
                if given:
                    raise ValueError(f"`{key}` only with `query`, not with `table`")
        else:
            table_only: dict[str, object] = {
                "schema": self.db_schema,
                "where": self.where,
                "columns": self.columns,
            }
            for key, given in table_only.items():
                if given:
                    raise ValueError(f"`{key}` only with `table`; write it into the query")
            self._check_parameters()
        spec = self.id_spec()
        if self.id_column is None and spec.source is None:
            raise ValueError("`id` mapped from a column (or `id_column`), not a constant")
        return self

    def _check_parameters(self) -> None:
        assert self.query is not None
        given = {"municipio", *self.parameters}
        if "ids" in self.parameters:
            raise ValueError("`ids` is where the keys go, not a parameter")
        unknown = _bind_names(self.query) - given
        if "ids" in unknown:
            raise ValueError("`:ids` only in `fetch_query`; `query` reads every record")
        if unknown:
            raise ValueError(
                f"a value in `parameters` for each of the query's parameters; "
                f"missing: {', '.join(sorted(unknown))}"
            )
        if self.fetch_query is not None:
            names = _bind_names(self.fetch_query)
            if "ids" not in names:
                raise ValueError("`fetch_query` with `IN :ids` where the keys go")
            unknown = names - given - {"ids"}
            if unknown:
                raise ValueError(
                    f"a value in `parameters` for each of fetch_query's parameters; "
                    f"missing: {', '.join(sorted(unknown))}"
                )
        used = _bind_names(self.query) | _bind_names(self.fetch_query or "")
        unused = set(self.parameters) - used
        if unused:
            raise ValueError(
                f"only parameters the query uses (misspelt?); not used: {', '.join(sorted(unused))}"
            )

    def id_spec(self) -> FieldSpec:
        ref = self.fields.get("id", "id")
        return FieldSpec(source=ref) if isinstance(ref, str) else ref

    def key_column(self) -> str:
        """The column the keys are looked up in."""
        if self.id_column is not None:
            return self.id_column
        source = self.id_spec().source
        assert source is not None  # the validator requires it
        return source

    def read_columns(self) -> list[str]:
        """The table columns a read selects: the id, the mapped ones, the extra ones."""
        return list(dict.fromkeys([self.key_column(), *self.source_fields(), *self.columns]))

    def target(self) -> str:
        """How messages name what this binding reads."""
        if self.table is None:
            return "query"
        return f"{self.db_schema}.{self.table}" if self.db_schema else self.table


# ------------------------------------------------------------------------------ the kind

#: SQLSTATE classes (PostgreSQL, and any driver that reports them) worth retrying.
_TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01", "55P03")
#: SQLite primary result codes worth retrying: BUSY, LOCKED, IOERR, CANTOPEN.
_TRANSIENT_SQLITE = frozenset({5, 6, 10, 14})
#: MySQL error numbers worth retrying (cannot connect, gone away, lost, too many, lock wait).
_TRANSIENT_MYSQL = frozenset({1040, 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2055})


def _classify(exc: BaseException) -> type[ConnectorError]:
    """What the caller should do about a backend exception (see `connectors.errors`)."""
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout
    if isinstance(exc, sa.exc.TimeoutError):
        return TransientError  # no free connection in the pool
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return TransientError
        orig = exc.orig
        sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        if sqlstate:
            if sqlstate == "57014":
                return UpstreamTimeout  # statement timeout / cancelled
            return TransientError if sqlstate.startswith(_TRANSIENT_SQLSTATES) else UpstreamError
        sqlite_code = getattr(orig, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int):
            return TransientError if (sqlite_code & 0xFF) in _TRANSIENT_SQLITE else UpstreamError
        args = getattr(orig, "args", ())
        if args and isinstance(args[0], int):
            if args[0] == 3024:
                return UpstreamTimeout  # MySQL max_execution_time
            return TransientError if args[0] in _TRANSIENT_MYSQL else UpstreamError
        return TransientError if isinstance(exc, sa.exc.OperationalError) else UpstreamError
    if isinstance(exc, SQLAlchemyError):
        return UpstreamError
    if isinstance(exc, OSError):
        return TransientError  # refused, unreachable, name not resolved
    return UpstreamError


def _describe(exc: BaseException) -> str:
    if isinstance(exc, NoSuchTableError):
        return f"no such table or view: {exc}"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text = str(exc.orig)
    else:
        text = str(exc) or type(exc).__name__
    text = text.split("\n[SQL:", 1)[0].strip()
    return f"{type(exc).__name__}: {text}"


def _engine_options(url: URL, timeout: float, pool_size: int) -> dict[str, Any]:
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


def _read_only_sqlite(url: URL, config_dir: Path) -> tuple[URL, Path | None]:
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


class SqlConnector(SqlRequestWriter, Connector):
    """Reads a legacy database; writes only requests, through a `requests` binding's INSERT
    (`connectors.sql_requests`)."""

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
        self._engine: AsyncEngine | None = None
        self._sqlite_file: Path | None = None
        self._secrets: list[str] = []
        self._shown = self._display(config)
        self._seen: dict[str, Binding] = {}

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
            message=f"{self._shown}: connected; {len(tables)} bound table(s) or query(ies)",
            details=details,
        )

    async def check_binding(self, binding: Binding) -> HealthReport:
        """Probe one binding: its table (or query) is there and has every mapped column."""
        config = self._config_of(binding)
        self.bind(binding)
        where = self._where(binding, config)
        name = (
            config.target()
            if config.table is not None
            else f"query ({binding.municipality_id}/{binding.capability.value})"
        )
        try:
            columns = await self._run(where, lambda c: self._columns_of(c, binding, config))
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        details = {"tables": {name: columns}}
        needed = config.read_columns() if config.table is not None else self._query_needs(config)
        missing = [c for c in needed if c not in columns]
        if config.table is not None:
            missing += [c for c in config.where if c not in columns and c not in missing]
        if missing:
            return HealthReport(
                ok=False,
                message=f"{self._shown}: {where}: no column {', '.join(missing)} "
                f"(it has: {', '.join(columns)})",
                details=details,
            )
        return HealthReport(
            ok=True, message=f"{self._shown}: {where}: {len(columns)} column(s)", details=details
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
        raw_ids = _raw_ids(config, ours)
        if not raw_ids:
            return [None] * len(keys)
        statement = self._fetch_statement(binding, config, raw_ids)
        rows = await self._run(self._where(binding, config), lambda c: _rows(c, statement))
        mapper = RecordMapper(binding)
        found: dict[str, Record] = {}
        for row in rows:
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
        statement = self._list_statement(binding, config)
        rows = await self._run(self._where(binding, config), lambda c: _rows(c, statement))
        mapper = RecordMapper(binding)
        records = [mapper.map(row) for row in rows]
        return [
            [dict(r) for r in records] if municipality_id == binding.municipality_id else []
            for municipality_id in municipality_ids
        ]

    async def close(self) -> None:
        await self.close_writes()
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    # -- the engine --------------------------------------------------------------------------

    @property
    def engine(self) -> AsyncEngine:
        """The engine reading this database (created on first use; tests listen to it)."""
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> AsyncEngine:
        url = self._resolved_url()
        options = _engine_options(url, self.timeout_seconds, self.settings.pool_size)
        if url.get_backend_name() == "sqlite":
            url, self._sqlite_file = _read_only_sqlite(url, self.environment.config_dir)
            self._require_sqlite_file()
        try:
            engine = create_async_engine(url, **options)
        except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
            raise ConnectorConfigError(
                self._redact(f"{self._shown}: cannot use this URL: {type(exc).__name__}: {exc}")
            ) from None
        if url.get_backend_name() == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _turn_on_query_only)
        return engine

    def _resolved_url(self) -> URL:
        config = self.settings
        self._secrets = []
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
                self._secrets.append(str(url.password))
        else:
            url = sa.make_url(config.url)
        if config.password is not None:
            try:
                password = config.password.reveal()
            except LookupError as exc:
                raise ConnectorConfigError(f"{self._shown}: password: {exc}") from None
            self._secrets.append(password)
            url = url.set(password=password)
        self._shown = self._display(config, url)
        return url

    @staticmethod
    def _display(config: SqlSourceConfig, url: URL | None = None) -> str:
        """How messages name the database: the URL with its password hidden."""
        if url is not None:
            shown = url.render_as_string(hide_password=True)
        elif isinstance(config.url, EnvSecret):
            shown = f"$env {config.url.env}"
        else:
            shown = config.url
        return f"sql {shown}"

    def _require_sqlite_file(self) -> None:
        """Fail fast on a SQLite file that is not there.

        Opening it would fail anyway (read-only mode never creates a file), and aiosqlite
        would leave behind the worker thread of a connection that never opened.
        """
        if self._sqlite_file is not None and not self._sqlite_file.is_file():
            raise TransientError(f"{self._shown}: database file {self._sqlite_file} not found")

    async def _run(self, what: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in a read-only transaction, never committed; errors mapped.

        `what` says in an error's internal message what was being read.
        """
        with self._errors(what):
            engine = self.engine
            self._require_sqlite_file()
            async with engine.connect() as connection:
                if engine.dialect.name in ("postgresql", "mysql", "mariadb"):
                    await connection.execute(sa.text("SET TRANSACTION READ ONLY"))
                return await work(connection)
            # Leaving the block rolls back: a read never commits.

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """The backend's exceptions as the connector error tree, with secrets redacted."""
        try:
            yield
        except ConnectorError as exc:
            exc.internal_message = self._redact(exc.internal_message)
            exc.args = (exc.internal_message,)
            raise
        except (SQLAlchemyError, OSError) as exc:
            error_type = _classify(exc)
            message = f"{self._shown}: {what}: {_describe(exc)}"
            raise error_type(self._redact(message)) from exc

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, _HIDDEN)
        return text

    # -- statements --------------------------------------------------------------------------

    def _config_of(self, binding: Binding) -> SqlBindingConfig:
        config = binding.config
        if not isinstance(config, SqlBindingConfig):
            raise ConnectorConfigError(
                f"sql: binding {binding.municipality_id}/{binding.capability.value} is a "
                f"{type(config).__name__}, expected a SqlBindingConfig"
            )
        return config

    @staticmethod
    def _where(binding: Binding, config: SqlBindingConfig) -> str:
        return f"{binding.municipality_id}/{binding.capability.value} ({config.target()})"

    def _list_statement(self, binding: Binding, config: SqlBindingConfig) -> sa.Executable:
        if config.query is not None:
            return sa.text(config.query).bindparams(**_parameters(binding, config, config.query))
        table, select = _table_select(config)
        return select.order_by(table.c[config.key_column()])

    def _fetch_statement(
        self, binding: Binding, config: SqlBindingConfig, raw_ids: list[Any]
    ) -> sa.Executable:
        if config.fetch_query is not None:
            return sa.text(config.fetch_query).bindparams(
                sa.bindparam("ids", raw_ids, expanding=True),
                **_parameters(binding, config, config.fetch_query),
            )
        if config.query is not None:
            subquery = _query_subquery(binding, config, config.key_column())
            return (
                sa.select(sa.literal_column("*"))
                .select_from(subquery)
                .where(subquery.c[config.key_column()].in_(raw_ids))
            )
        table, select = _table_select(config)
        return select.where(table.c[config.key_column()].in_(raw_ids))

    async def _columns_of(
        self, connection: AsyncConnection, binding: Binding, config: SqlBindingConfig
    ) -> list[str]:
        if config.table is not None:
            table, schema = config.table, config.db_schema
            found = await connection.run_sync(
                lambda sync: sa.inspect(sync).get_columns(table, schema=schema)
            )
            return [str(column["name"]) for column in found]
        statement: sa.Select[Any] = (
            sa.select(sa.literal_column("*"))
            .select_from(_query_subquery(binding, config, None))
            .limit(0)
        )
        names = (await connection.execute(statement)).keys()
        return [str(name) for name in names]

    @staticmethod
    def _query_needs(config: SqlBindingConfig) -> list[str]:
        return list(dict.fromkeys([config.key_column(), *config.source_fields()]))


def _parameters(binding: Binding, config: SqlBindingConfig, query: str) -> dict[str, Any]:
    values: dict[str, Any] = {"municipio": binding.municipality_id, **config.parameters}
    names = _bind_names(query)
    return {name: value for name, value in values.items() if name in names}


def _query_subquery(
    binding: Binding, config: SqlBindingConfig, key_column: str | None
) -> sa.Subquery:
    assert config.query is not None
    text = sa.text(config.query).bindparams(**_parameters(binding, config, config.query))
    declared: list[sa.ColumnClause[Any]] = [] if key_column is None else [sa.column(key_column)]
    return text.columns(*declared).subquery("q")


def _table_select(config: SqlBindingConfig) -> tuple[sa.TableClause, sa.Select[Any]]:
    assert config.table is not None
    read = config.read_columns()
    names = list(dict.fromkeys([*read, *config.where]))
    table = sa.table(config.table, *[sa.column(n) for n in names], schema=config.db_schema)
    conditions: list[sa.ColumnElement[bool]] = []
    for name, value in config.where.items():
        column = table.c[name]
        if isinstance(value, list):
            conditions.append(column.in_(value))
        elif value is None:
            conditions.append(column.is_(None))
        else:
            conditions.append(column == value)
    return table, sa.select(*[table.c[n] for n in read]).where(*conditions)


def _raw_ids(config: SqlBindingConfig, record_ids: set[str]) -> list[Any]:
    """The values to look for in the id column for these record ids.

    An id read through a `map` (codes → ids) is looked up by its codes.
    """
    spec = config.id_spec()
    wanted: set[str] = set(record_ids)
    if spec.map is not None and config.id_column is None:
        wanted = {code for code, value in spec.map.items() if str(value) in record_ids}
    if config.id_type == "int":
        numbers = set()
        for value in wanted:
            text = value.strip()
            if re.fullmatch(r"[+-]?\d+", text):
                numbers.add(int(text))
        return sorted(numbers)
    return sorted(wanted)


async def _rows(connection: AsyncConnection, statement: sa.Executable) -> list[dict[str, Any]]:
    result = await connection.execute(statement)
    return [dict(row) for row in result.mappings()]
