"""Requests looked up in a municipality's database (the `sql` kind's `RequestReader`).

A `request_lookups` entry on a `sql` source gives a read-only SELECT over the table or
view that holds the requests, with ``IN :tracking_numbers`` where the numbers go::

    - source: gesmun
      tracking_prefix: SOL-
      query: >-
        SELECT numero, tramite, estado, obs, fecha, fecha_estado
        FROM v_solicitudes_historicas WHERE numero IN :tracking_numbers
      parameters: {municipio: "0601"}            # constants for other :names
      max_batch: 200
      fields: {tracking_number: numero, status: estado, ...}

The query runs in the read-only transaction every read uses; values are always bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import sqlalchemy as sa
from pydantic import Field, field_validator, model_validator

from connectors.base import Binding, BindingConfig, HealthReport
from connectors.batching import in_batches
from connectors.errors import ConnectorConfigError, ConnectorError
from connectors.reads import ExternalRequest, RequestReader
from connectors.request_binding import binding_name
from connectors.request_lookup import RequestLookupConfig, normal_number, read_external
from connectors.sql.config import Scalar
from connectors.sql.database import Database, column_names, rows_of
from connectors.sql.guards import READ_ONLY_EXPECTED, bind_names, read_only_problem

__all__ = ["SqlRequestLookupConfig", "SqlRequestReader"]


class SqlRequestLookupConfig(RequestLookupConfig):
    """A lookup on a SQL source: one read-only SELECT with `IN :tracking_numbers`."""

    query: str = Field(
        min_length=1,
        description="A read-only SELECT of the requests `IN :tracking_numbers`, returning "
        "the columns named in `fields`.",
    )
    parameters: dict[str, Scalar] = Field(
        default_factory=dict,
        description="Constants for the query's other named parameters; `:municipio` is the "
        "municipality id unless given here.",
    )

    @field_validator("query")
    @classmethod
    def _select(cls, value: str) -> str:
        problem = read_only_problem(value)
        if problem is not None:
            raise ValueError(f"{READ_ONLY_EXPECTED}; {problem}")
        return value

    @model_validator(mode="after")
    def _parameters_given(self) -> SqlRequestLookupConfig:
        names = bind_names(self.query)
        if "tracking_numbers" not in names:
            raise ValueError("`query` with `IN :tracking_numbers` where the numbers go")
        unknown = names - {"tracking_numbers", "municipio", *self.parameters}
        if unknown:
            raise ValueError(
                f"a value in `parameters` for each of the query's parameters; missing: "
                f"{', '.join(sorted(unknown))}"
            )
        return self


def lookup_statement(
    binding: Binding, config: SqlRequestLookupConfig, numbers: list[str]
) -> sa.TextClause:
    names = bind_names(config.query)
    constants = {"municipio": binding.municipality_id, **config.parameters}
    return sa.text(config.query).bindparams(
        sa.bindparam("tracking_numbers", numbers, expanding=True),
        **{name: value for name, value in constants.items() if name in names},
    )


def _config(binding: Binding) -> SqlRequestLookupConfig:
    if not isinstance(binding.config, SqlRequestLookupConfig):
        raise ConnectorConfigError(
            f"sql: binding {binding.municipality_id}/{binding.config.source} is a "
            f"{type(binding.config).__name__}, expected a SqlRequestLookupConfig"
        )
    return binding.config


class SqlRequestReader(RequestReader):
    """Mixed into `SqlConnector`: runs the lookup's SELECT, `max_batch` numbers at a time."""

    lookup_model: ClassVar[type[BindingConfig]] = SqlRequestLookupConfig
    database: Database

    async def lookup_requests(
        self, binding: Binding, numbers: Sequence[str]
    ) -> Mapping[str, ExternalRequest]:
        config = _config(binding)
        wanted = list(dict.fromkeys(normal_number(n) for n in numbers))
        found: dict[str, ExternalRequest] = {}
        for batch in in_batches(wanted, config.max_batch):
            statement = lookup_statement(binding, config, list(batch))
            rows: list[dict[str, Any]] = await self.database.read(
                f"{binding_name(binding)}: request_lookups: looking up {len(batch)} numbers",
                lambda c, statement=statement: rows_of(c, statement),  # type: ignore[misc]
            )
            asked = set(batch)
            for row in rows:
                request = read_external(binding, config, row)
                if request.tracking_number in asked:
                    found.setdefault(request.tracking_number, request)
        return found

    async def check_lookup(self, binding: Binding) -> HealthReport:
        """The query runs and returns the columns `fields` names."""
        try:
            config = _config(binding)
            statement = lookup_statement(binding, config, [""])
            columns = await self.database.read(
                f"{binding_name(binding)}: request_lookups: query",
                lambda c: column_names(c, statement),
            )
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        named = [v for v in config.fields.model_dump().values() if v is not None]
        missing = [c for c in named if c not in columns]
        where = f"{self.database.shown}: {binding_name(binding)}: request_lookups"
        if missing:
            return HealthReport(
                ok=False,
                message=f"{where}: the query returns no column {', '.join(missing)} "
                f"(it returns: {', '.join(columns)})",
            )
        return HealthReport(ok=True, message=f"{where}: the query runs and has its columns")
