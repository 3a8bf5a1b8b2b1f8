"""Service requests written through to a municipality's database (the `sql` kind's writer).

The hub reads legacy databases and never changes their structure; the one thing it may
write is a citizen's request, and only through the statement the municipality's binding
gives it::

    requests:
      source: simuvega
      insert: >-
        INSERT INTO "SOLICITUDES" ("NUM_SEGUIMIENTO", "COD_TRAMITE", "DESCRIPCION",
        "FECHA_SOLICITUD", "COD_ESTADO", "FECHA_ESTADO")
        VALUES (:numero, :tramite, :descripcion, :fecha, 'PE', :fecha)
      values:                                  # named parameter <- request field
        numero: tracking_number
        tramite: service_id
        descripcion: description
        fecha: submitted_at                    # sent as local time, without an offset
      find:
        query: SELECT "ID_SOLICITUD" FROM "SOLICITUDES" WHERE "NUM_SEGUIMIENTO" = :tracking_number
        reference: ID_SOLICITUD
      status:
        query: >-
          SELECT "NUM_SEGUIMIENTO", "COD_ESTADO", "OBSERVACION", "FECHA_ESTADO"
          FROM "SOLICITUDES" WHERE "NUM_SEGUIMIENTO" IN :tracking_numbers
        tracking_field: NUM_SEGUIMIENTO
        status_field: COD_ESTADO
        note_field: OBSERVACION
        changed_at_field: FECHA_ESTADO
        map: {PE: RECIBIDA, AN: EN_REVISION, TR: EN_PROCESO, FI: RESUELTA, DE: RECHAZADA}

Rules, checked when the file is loaded: `insert` is one ``INSERT INTO … VALUES …`` with
named parameters only (``:name``; no ``?``, ``%s`` or ``$1``; no SELECT, UPDATE, DELETE,
``INSERT OR REPLACE``, DDL or a second statement); every parameter has a value (from
`values`, `parameters`, or ``:municipio``, the binding's municipality id); `values` sends
the tracking number. `find.query` takes ``:tracking_number`` and `status.query`
``IN :tracking_numbers``; both are read-only SELECTs and run in the read-only transaction
every read uses. Values are always bound, never written into the SQL text.

Exactly once: the INSERT runs in one transaction after the find query has said the
request is not there yet, and a duplicate refused by the table's UNIQUE constraint on the
tracking number (recommended) is answered with the record already held. The write goes
through its own connection pool, not read-only; the database account needs INSERT on the
table and nothing more (a separate source with a write account may serve the binding).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from pydantic import Field, field_validator, model_validator
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from connectors.base import Binding, HealthReport
from connectors.errors import ConnectorConfigError, ConnectorError, TransientError, UpstreamError
from connectors.request_binding import (
    OutgoingField,
    RequestsBindingConfig,
    StatusReading,
    StrictModel,
    binding_name,
    outgoing_values,
    parse_fields,
    read_reference,
    read_status,
    requests_config,
    require_tracking_number,
)
from connectors.writes import DeliveryReceipt, OutgoingRequest, RequestWriter, UpstreamStatus

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from connectors.base import ConnectorEnvironment
    from connectors.sql import SqlSourceConfig

__all__ = ["SqlRequestWriter", "SqlRequestsBindingConfig", "insert_problem"]

T = TypeVar("T")

#: A constant in `parameters`.
Scalar = str | int | float | bool | None

#: Status queries take this many tracking numbers at most per SELECT.
_STATUS_CHUNK = 500

# ----------------------------------------------------------------------- statement guards

_NOT_WRITE = re.compile(
    r"\b(SELECT|WITH|UPDATE|DELETE|MERGE|UPSERT|REPLACE|CREATE|ALTER|DROP|TRUNCATE|RENAME"
    r"|GRANT|REVOKE|COPY|CALL|EXEC|EXECUTE|ATTACH|DETACH|PRAGMA|VACUUM|REINDEX|REFRESH|LOCK"
    r"|COMMIT|ROLLBACK|SAVEPOINT|BEGIN)\b",
    re.IGNORECASE,
)
_POSITIONAL = re.compile(r"\?|%s|%\(|\$\d")
_INSERT_TARGET = re.compile(
    r"""^\s*INSERT\s+INTO\s+((?:"[^"]+"|\w+)(?:\s*\.\s*(?:"[^"]+"|\w+))?)\s*\(([^)]*)\)""",
    re.IGNORECASE,
)


def _code_of(statement: str) -> str:
    from connectors.sql import _NOT_CODE  # lazily: connectors.sql imports this module

    return _NOT_CODE.sub(" ", statement)


def _binds(statement: str) -> set[str]:
    from connectors.sql import _bind_names  # lazily: connectors.sql imports this module

    return _bind_names(statement)


def insert_problem(statement: str) -> str | None:
    """Why `statement` is not one INSERT … VALUES with named parameters, or None."""
    code = _code_of(statement)
    if re.search(r"'|\"|`|/\*", code):
        return "it has an unterminated quote or comment"
    code = code.strip().removesuffix(";").rstrip()
    if not code:
        return "it is empty"
    if ";" in code:
        return "it has several statements (';')"
    if not re.match(r"INSERT\s+INTO\b", code, re.IGNORECASE):
        return f"it starts with {code.split()[0].upper()!r}, not INSERT INTO"
    if not re.search(r"\bVALUES\b", code, re.IGNORECASE):
        return "it has no VALUES (…)"
    other = _NOT_WRITE.search(code)
    if other is not None:
        return f"it contains {other.group(1).upper()}"
    if _POSITIONAL.search(code):
        return "it has positional parameters; use named ones (:name)"
    return None


def insert_target(statement: str) -> tuple[str | None, str, list[str]]:
    """(schema, table, columns) an INSERT names, quotes removed (for the probe)."""
    match = _INSERT_TARGET.match(statement)
    if match is None:
        return None, "", []
    parts = [p.strip().strip('"') for p in match.group(1).split(".")]
    schema, table = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    columns = [c.strip().strip('"') for c in match.group(2).split(",") if c.strip()]
    return schema, table, columns


def _read_only(value: str, key: str) -> str:
    from connectors.sql import read_only_problem  # lazily: connectors.sql imports this module

    problem = read_only_problem(value)
    if problem is not None:
        raise ValueError(
            f"`{key}`: a single read-only SELECT (or WITH … SELECT) with no ';' and no "
            f"INSERT/UPDATE/DELETE/DDL; {problem}"
        )
    return value


# --------------------------------------------------------------------------- configuration


class SqlFind(StrictModel):
    query: str = Field(
        min_length=1,
        description="A read-only SELECT of the request with `:tracking_number`, returning "
        "the column named by `reference`.",
    )
    reference: str = Field(
        min_length=1, description="The column with the database's own id for the request."
    )

    @field_validator("query")
    @classmethod
    def _select(cls, value: str) -> str:
        return _read_only(value, "find.query")


class SqlStatus(StatusReading):
    query: str = Field(
        min_length=1,
        description="A read-only SELECT of the requests `IN :tracking_numbers`, returning "
        "the tracking, status (and note, changed-at) columns.",
    )

    @field_validator("query")
    @classmethod
    def _select(cls, value: str) -> str:
        return _read_only(value, "status.query")


class SqlRequestsBindingConfig(RequestsBindingConfig):
    """A `requests` binding on a SQL source: an INSERT, a find query and a status query."""

    insert: str = Field(
        min_length=1,
        description="One INSERT INTO … VALUES (…) with named parameters (:name) only.",
    )
    values: dict[str, OutgoingField] = Field(
        min_length=1,
        description="Named parameter → request field (or {from, type, required} / {value}).",
    )
    parameters: dict[str, Scalar] = Field(
        default_factory=dict,
        description="Constants for named parameters; `:municipio` is the municipality id "
        "unless given here.",
    )
    find: SqlFind
    status: SqlStatus

    @field_validator("values", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return parse_fields(value)

    @field_validator("insert")
    @classmethod
    def _one_insert(cls, value: str) -> str:
        problem = insert_problem(value)
        if problem is not None:
            expected = (
                "a single INSERT statement: one table, its columns, VALUES with :named "
                "parameters, and nothing else"
            )
            raise ValueError(f"{expected}; {problem}")
        return value

    @model_validator(mode="after")
    def _parameters_given(self) -> SqlRequestsBindingConfig:
        require_tracking_number(self.values, "values")
        constants = {"municipio", *self.parameters}
        clash = sorted(set(self.values) & set(self.parameters))
        if clash:
            raise ValueError(f"a parameter in `values` or `parameters`, not both: {clash}")
        names = _binds(self.insert)
        missing = names - set(self.values) - constants
        if missing:
            raise ValueError(
                f"a value (`values` or `parameters`) for each of the INSERT's parameters; "
                f"missing: {', '.join(sorted(missing))}"
            )
        unused = set(self.values) - names
        if unused:
            raise ValueError(
                "only parameters the INSERT uses (misspelt?); not used: "
                f"{', '.join(sorted(unused))}"
            )
        for key, query, needed in (
            ("find.query", self.find.query, "tracking_number"),
            ("status.query", self.status.query, "tracking_numbers"),
        ):
            binds = _binds(query)
            if needed not in binds:
                raise ValueError(f"`{key}` with `:{needed}` where the tracking number goes")
            unknown = binds - constants - {needed}
            if unknown:
                raise ValueError(
                    f"`{key}`: a value in `parameters` for each parameter; missing: "
                    f"{', '.join(sorted(unknown))}"
                )
        return self


# ------------------------------------------------------------------------------ the writer


class _Duplicate(Exception):
    """The INSERT hit a constraint: maybe the request is there already."""

    def __init__(self, cause: IntegrityError) -> None:
        super().__init__(str(cause.orig) if cause.orig is not None else str(cause))
        self.cause = cause


class SqlRequestWriter(RequestWriter):
    """Mixed into `SqlConnector`: the INSERT on a pool of its own, reads read-only."""

    if TYPE_CHECKING:
        settings: SqlSourceConfig
        environment: ConnectorEnvironment
        timeout_seconds: float
        _shown: str

        def _resolved_url(self) -> URL: ...

        async def _run(self, what: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T: ...

        def _errors(self, what: str) -> contextlib.AbstractContextManager[None]: ...

        def _redact(self, text: str) -> str: ...

    _write_engine: AsyncEngine | None = None

    # -- the contract ----------------------------------------------------------------------

    async def submit_request(self, binding: Binding, request: OutgoingRequest) -> DeliveryReceipt:
        config = requests_config(binding, SqlRequestsBindingConfig, "sql")
        values = outgoing_values(binding, config, config.values, request)
        insert = sa.text(config.insert).bindparams(*_bound(binding, config, config.insert, values))
        number = request.tracking_number
        where = f"{binding_name(binding)}: requests: submitting {number}"
        try:
            with self._errors(where):
                async with asyncio.timeout(self.timeout_seconds):
                    reference = await self._insert_once(binding, config, insert, number)
        except _Duplicate as duplicate:
            # Another attempt got there first (or a constraint refused this one).
            found = await self.find_request(binding, number)
            if found is not None:
                return found
            raise UpstreamError(
                self._redact(f"{where}: the database refused the INSERT: {duplicate}")
            ) from duplicate.cause
        return DeliveryReceipt(number, reference)

    async def find_request(self, binding: Binding, tracking_number: str) -> DeliveryReceipt | None:
        config = requests_config(binding, SqlRequestsBindingConfig, "sql")
        statement = _find_statement(binding, config, tracking_number)
        rows = await self._run(
            f"{binding_name(binding)}: requests: finding {tracking_number}",
            lambda c: _rows(c, statement),
        )
        reference = read_reference(binding, rows[0] if rows else None, config.find.reference)
        return None if reference is None else DeliveryReceipt(tracking_number, reference)

    async def request_statuses(
        self, binding: Binding, tracking_numbers: Sequence[str]
    ) -> list[UpstreamStatus]:
        config = requests_config(binding, SqlRequestsBindingConfig, "sql")
        numbers = list(dict.fromkeys(tracking_numbers))
        statuses: list[UpstreamStatus] = []
        for start in range(0, len(numbers), _STATUS_CHUNK):
            chunk = numbers[start : start + _STATUS_CHUNK]
            statement = _status_statement(binding, config, chunk)
            rows = await self._run(
                f"{binding_name(binding)}: requests: reading statuses",
                lambda c, statement=statement: _rows(c, statement),  # type: ignore[misc]
            )
            wanted = set(chunk)
            for row in rows:
                status = read_status(binding, config, config.status, row)
                if status.tracking_number in wanted:
                    statuses.append(status)
        return statuses

    async def check_requests(self, binding: Binding) -> HealthReport:
        """The INSERT's table has its columns; the find and status queries run."""
        try:
            config = requests_config(binding, SqlRequestsBindingConfig, "sql")
            schema, table, columns = insert_target(config.insert)
            found = await self._run(
                f"{binding_name(binding)}: requests: describing {table}",
                lambda c: c.run_sync(
                    lambda sync: [
                        str(col["name"])
                        for col in sa.inspect(sync).get_columns(table, schema=schema)
                    ]
                ),
            )
            problems = [
                f"the INSERT's table {table} has no column {c}" for c in columns if c not in found
            ]
            find_columns = await self._run(
                f"{binding_name(binding)}: requests: find query",
                lambda c: _columns(c, _find_statement(binding, config, "")),
            )
            if config.find.reference not in find_columns:
                problems.append(
                    f"find.query returns no column {config.find.reference} "
                    f"(it returns: {', '.join(find_columns)})"
                )
            status_columns = await self._run(
                f"{binding_name(binding)}: requests: status query",
                lambda c: _columns(c, _status_statement(binding, config, [""])),
            )
            reading = config.status
            for field in (
                reading.tracking_field,
                reading.status_field,
                reading.note_field,
                reading.changed_at_field,
            ):
                if field is not None and field not in status_columns:
                    problems.append(
                        f"status.query returns no column {field} "
                        f"(it returns: {', '.join(status_columns)})"
                    )
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        details = {"tables": {table: found}}
        if problems:
            return HealthReport(
                ok=False,
                message=f"{self._shown}: {binding_name(binding)}: requests: {'; '.join(problems)}",
                details=details,
            )
        return HealthReport(
            ok=True,
            message=f"{self._shown}: {binding_name(binding)}: requests: table {table} has the "
            "INSERT's columns; the find and status queries run",
            details=details,
        )

    # -- writing ------------------------------------------------------------------------------

    async def _insert_once(
        self, binding: Binding, config: SqlRequestsBindingConfig, insert: Any, number: str
    ) -> str:
        """In one transaction: not there yet → INSERT → its reference. Raises `_Duplicate`."""
        engine = self.write_engine
        find = _find_statement(binding, config, number)
        async with engine.begin() as connection:
            rows = await _rows(connection, find)
            existing = read_reference(binding, rows[0] if rows else None, config.find.reference)
            if existing is not None:
                return existing
            try:
                await connection.execute(insert)
            except IntegrityError as exc:
                raise _Duplicate(exc) from None
            rows = await _rows(connection, find)
            reference = read_reference(binding, rows[0] if rows else None, config.find.reference)
            if reference is None:
                raise UpstreamError(
                    f"{binding_name(binding)}: requests: the INSERT ran but find.query does not "
                    f"return {number}; check the binding's find query"
                )
            return reference

    @property
    def write_engine(self) -> AsyncEngine:
        """The pool that runs INSERTs (created on first use; not read-only)."""
        if self._write_engine is None:
            self._write_engine = self._create_write_engine()
        return self._write_engine

    def _create_write_engine(self) -> AsyncEngine:
        from connectors.sql import (  # lazily: connectors.sql imports this module
            _engine_options,
            _read_only_sqlite,
        )

        url = self._resolved_url()
        options = _engine_options(url, self.timeout_seconds, self.settings.pool_size)
        if url.get_backend_name() == "sqlite":
            url, path = _read_only_sqlite(url, self.environment.config_dir)
            url = url.update_query_dict({"mode": "rw"})
            if path is not None and not path.is_file():
                raise TransientError(f"{self._shown}: database file {path} not found")
        try:
            return create_async_engine(url, **options)
        except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
            raise ConnectorConfigError(
                self._redact(f"{self._shown}: cannot use this URL: {type(exc).__name__}: {exc}")
            ) from None

    async def close_writes(self) -> None:
        """Dispose of the write pool; harmless when there is none."""
        engine, self._write_engine = self._write_engine, None
        if engine is not None:
            await engine.dispose()


# ------------------------------------------------------------------------------- helpers


def _constants(binding: Binding, config: SqlRequestsBindingConfig) -> dict[str, Any]:
    return {"municipio": binding.municipality_id, **config.parameters}


def _bound(
    binding: Binding,
    config: SqlRequestsBindingConfig,
    statement: str,
    values: Mapping[str, Any],
) -> list[sa.BindParameter[Any]]:
    """Every named parameter of `statement` with its value, typed where the driver needs it.

    Dates and times go as the upstream's local time without an offset (legacy columns are
    `timestamp without time zone`).
    """
    given = {**_constants(binding, config), **values}
    parameters: list[sa.BindParameter[Any]] = []
    for name in sorted(_binds(statement)):
        value = given.get(name)
        if isinstance(value, dt.datetime):
            local = value.astimezone(config.zone).replace(tzinfo=None)
            parameters.append(sa.bindparam(name, local, type_=sa.DateTime()))
        elif isinstance(value, dt.date):
            parameters.append(sa.bindparam(name, value, type_=sa.Date()))
        elif value is None:
            parameters.append(sa.bindparam(name, None, type_=sa.String()))
        else:
            parameters.append(sa.bindparam(name, value))
    return parameters


def _find_statement(
    binding: Binding, config: SqlRequestsBindingConfig, number: str
) -> sa.TextClause:
    query = config.find.query
    return sa.text(query).bindparams(*_bound(binding, config, query, {"tracking_number": number}))


def _status_statement(
    binding: Binding, config: SqlRequestsBindingConfig, numbers: list[str]
) -> sa.TextClause:
    query = config.status.query
    constants = {
        name: value for name, value in _constants(binding, config).items() if name in _binds(query)
    }
    return sa.text(query).bindparams(
        sa.bindparam("tracking_numbers", numbers, expanding=True), **constants
    )


async def _rows(connection: AsyncConnection, statement: sa.Executable) -> list[dict[str, Any]]:
    result = await connection.execute(statement)
    return [dict(row) for row in result.mappings()]


async def _columns(connection: AsyncConnection, statement: sa.Executable) -> list[str]:
    result = await connection.execute(statement)
    names = list(map(str, result.keys()))
    result.close()
    return names
