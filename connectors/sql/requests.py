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

The binding is checked when the file is loaded (`connectors.sql.request_config`). The
find and status queries run in the read-only transaction every read uses. Values are
always bound, never written into the SQL text.

Exactly once: the INSERT runs in one transaction after the find query has said the
request is not there yet, and a duplicate refused by the table's UNIQUE constraint on the
tracking number (recommended) is answered with the record already held. Any other refusal
of the INSERT that the binding's `rejects` names (by default a constraint, a trigger or a
value that does not fit: IntegrityError, DataError) is `RequestRefused`, given up at once;
a lost connection or a locked database is transient and retried. The write goes
through its own connection pool, not read-only; the database account needs INSERT on the
table and nothing more (a separate source with a write account may serve the binding).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from connectors.base import Binding, HealthReport
from connectors.batching import in_batches
from connectors.errors import ConnectorError, RequestRefused, UpstreamError
from connectors.refusals import sanitised_reason
from connectors.request_binding import (
    binding_name,
    outgoing_values,
    read_reference,
    read_status,
    requests_config,
)
from connectors.sql.database import Database, column_names, rows_of, table_columns
from connectors.sql.errors import error_codes
from connectors.sql.guards import insert_target
from connectors.sql.request_config import SqlRequestsBindingConfig
from connectors.sql.statements import find_statement, insert_statement, status_statement
from connectors.writes import DeliveryReceipt, OutgoingRequest, RequestWriter, UpstreamStatus

__all__ = ["SqlRequestWriter"]

#: Status queries take this many keys at most per SELECT unless `status.max_batch` says.
_STATUS_CHUNK = 500


class _Duplicate(Exception):
    """The INSERT hit a constraint: maybe the request is there already."""

    def __init__(self, cause: IntegrityError) -> None:
        super().__init__(str(cause.orig) if cause.orig is not None else str(cause))
        self.cause = cause


class SqlRequestWriter(RequestWriter):
    """Mixed into `SqlConnector`: the INSERT on a pool of its own, reads read-only."""

    #: The database the connector reads (`connectors.sql.database`); set by the connector.
    database: Database

    # -- the contract ----------------------------------------------------------------------

    async def submit_request(self, binding: Binding, request: OutgoingRequest) -> DeliveryReceipt:
        config = requests_config(binding, SqlRequestsBindingConfig, "sql")
        values = outgoing_values(binding, config, config.values, request)
        insert = insert_statement(binding, config, values)
        number = request.tracking_number
        where = f"{binding_name(binding)}: requests: submitting {number}"
        try:
            with self.database.errors(where):
                async with asyncio.timeout(self.database.timeout_seconds):
                    reference = await self._insert_once(binding, config, insert, request)
        except _Duplicate as duplicate:
            # Another attempt got there first (or a constraint refused this one).
            found = await self.find_request(binding, number)
            if found is not None:
                return found
            raise self._refused(config, request, duplicate.cause) or UpstreamError(
                self.database.redactor.redact(
                    f"{where}: the database refused the INSERT: {duplicate}"
                )
            ) from duplicate.cause
        return DeliveryReceipt(number, reference)

    def _refused(
        self, config: SqlRequestsBindingConfig, request: OutgoingRequest, error: DBAPIError
    ) -> RequestRefused | None:
        """The INSERT's error as a refusal of the request, if the binding's `rejects` says
        it is one (the database's words, free of personal data, as the reason)."""
        text = str(error.orig) if error.orig is not None else str(error)
        if not config.rejects.refuses(type(error).__name__, error_codes(error), text):
            return None
        codes = ", ".join(error_codes(error)) or type(error).__name__
        return RequestRefused(
            f"{self.database.shown}: requests: the database refused the INSERT of request "
            f"{request.tracking_number} for good: {codes}",
            reason=sanitised_reason(self.database.redactor.redact(text), request),
        )

    async def find_request(self, binding: Binding, tracking_number: str) -> DeliveryReceipt | None:
        config = requests_config(binding, SqlRequestsBindingConfig, "sql")
        statement = find_statement(binding, config, tracking_number)
        rows = await self.database.read(
            f"{binding_name(binding)}: requests: finding {tracking_number}",
            lambda c: rows_of(c, statement),
        )
        reference = read_reference(binding, rows[0] if rows else None, config.find.reference)
        return None if reference is None else DeliveryReceipt(tracking_number, reference)

    async def request_statuses(
        self,
        binding: Binding,
        tracking_numbers: Sequence[str],
        references: Mapping[str, str] | None = None,
    ) -> list[UpstreamStatus]:
        config = requests_config(binding, SqlRequestsBindingConfig, "sql")
        reading = config.status
        keys = reading.keys(tracking_numbers, references)
        statuses: list[UpstreamStatus] = []
        for batch in in_batches(list(keys), reading.max_batch or _STATUS_CHUNK):
            statement = status_statement(binding, config, list(batch))
            rows = await self.database.read(
                f"{binding_name(binding)}: requests: reading statuses",
                lambda c, statement=statement: rows_of(c, statement),  # type: ignore[misc]
            )
            asked = {key: keys[key] for key in batch}
            for row in rows:
                if str(row.get(reading.key_field) or "").strip() in asked:
                    statuses.append(read_status(binding, config, reading, row, asked))
        return statuses

    async def check_requests(self, binding: Binding) -> HealthReport:
        """The INSERT's table has its columns; the find and status queries run."""
        try:
            config = requests_config(binding, SqlRequestsBindingConfig, "sql")
            schema, table, columns = insert_target(config.insert)
            found = await self.database.read(
                f"{binding_name(binding)}: requests: describing {table}",
                lambda c: table_columns(c, table, schema),
            )
            problems = [
                f"the INSERT's table {table} has no column {c}" for c in columns if c not in found
            ]
            find_columns = await self.database.read(
                f"{binding_name(binding)}: requests: find query",
                lambda c: column_names(c, find_statement(binding, config, "")),
            )
            if config.find.reference not in find_columns:
                problems.append(
                    f"find.query returns no column {config.find.reference} "
                    f"(it returns: {', '.join(find_columns)})"
                )
            status_columns = await self.database.read(
                f"{binding_name(binding)}: requests: status query",
                lambda c: column_names(c, status_statement(binding, config, [""])),
            )
            reading = config.status
            for field in (
                reading.key_field,
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
        shown = self.database.shown
        if problems:
            return HealthReport(
                ok=False,
                message=f"{shown}: {binding_name(binding)}: requests: {'; '.join(problems)}",
                details=details,
            )
        return HealthReport(
            ok=True,
            message=f"{shown}: {binding_name(binding)}: requests: table {table} has the "
            "INSERT's columns; the find and status queries run",
            details=details,
        )

    # -- writing ------------------------------------------------------------------------------

    async def _insert_once(
        self,
        binding: Binding,
        config: SqlRequestsBindingConfig,
        insert: Any,
        request: OutgoingRequest,
    ) -> str:
        """In one transaction: not there yet → INSERT → its reference. Raises `_Duplicate`."""
        engine = self.database.write_engine
        number = request.tracking_number
        find = find_statement(binding, config, number)
        async with engine.begin() as connection:
            rows = await rows_of(connection, find)
            existing = read_reference(binding, rows[0] if rows else None, config.find.reference)
            if existing is not None:
                return existing
            try:
                await connection.execute(insert)
            except IntegrityError as exc:
                raise _Duplicate(exc) from None
            except DBAPIError as exc:
                refused = self._refused(config, request, exc)
                if refused is None:
                    raise
                raise refused from exc
            rows = await rows_of(connection, find)
            reference = read_reference(binding, rows[0] if rows else None, config.find.reference)
            if reference is None:
                raise UpstreamError(
                    f"{binding_name(binding)}: requests: the INSERT ran but find.query does not "
                    f"return {number}; check the binding's find query"
                )
            return reference
