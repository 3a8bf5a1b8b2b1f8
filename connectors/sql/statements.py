"""The statements a `sql` binding runs, built with SQLAlchemy Core.

A ``table`` binding names exactly the columns the mapping needs, plus any in ``columns``,
filtered by ``where``; a ``query`` binding runs its SELECT with its named parameters
(``:municipio`` and the constants in ``parameters``), and batches filter it as a subquery
by the id column, or run ``fetch_query`` with the keys in ``:ids``. A `requests` binding
runs its INSERT, find and status queries with the request's values. Values are always
bound, never written into the SQL text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from connectors.base import Binding
from connectors.sql.config import SqlBindingConfig
from connectors.sql.guards import bind_names
from connectors.sql.request_config import SqlRequestsBindingConfig

__all__ = [
    "columns_probe",
    "fetch_statement",
    "find_statement",
    "insert_statement",
    "list_statement",
    "raw_ids",
    "status_statement",
]


def list_statement(binding: Binding, config: SqlBindingConfig) -> sa.Executable:
    """Every record of the binding."""
    if config.query is not None:
        return sa.text(config.query).bindparams(**_parameters(binding, config, config.query))
    table, select = _table_select(config)
    return select.order_by(table.c[config.key_column()])


def fetch_statement(
    binding: Binding, config: SqlBindingConfig, raw_ids: list[Any]
) -> sa.Executable:
    """The records whose id column holds one of `raw_ids` (see `raw_ids`)."""
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


def columns_probe(binding: Binding, config: SqlBindingConfig) -> sa.Select[Any]:
    """A `query` binding's SELECT answering no rows: what columns it returns."""
    return (
        sa.select(sa.literal_column("*"))
        .select_from(_query_subquery(binding, config, None))
        .limit(0)
    )


def _parameters(binding: Binding, config: SqlBindingConfig, query: str) -> dict[str, Any]:
    values: dict[str, Any] = {"municipio": binding.municipality_id, **config.parameters}
    names = bind_names(query)
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


def raw_ids(config: SqlBindingConfig, record_ids: set[str]) -> list[Any]:
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


# ----------------------------------------------------------------------------- requests


def insert_statement(
    binding: Binding, config: SqlRequestsBindingConfig, values: Mapping[str, Any]
) -> sa.TextClause:
    """The binding's INSERT with the request's values (and the constants) bound."""
    return sa.text(config.insert).bindparams(*_bound(binding, config, config.insert, values))


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
    for name in sorted(bind_names(statement)):
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


def find_statement(
    binding: Binding, config: SqlRequestsBindingConfig, number: str
) -> sa.TextClause:
    """The find query for one tracking number."""
    query = config.find.query
    return sa.text(query).bindparams(*_bound(binding, config, query, {"tracking_number": number}))


def status_statement(
    binding: Binding, config: SqlRequestsBindingConfig, numbers: list[str]
) -> sa.TextClause:
    """The status query for several tracking numbers (or references, `by: reference`)."""
    query = config.status.query
    constants = {
        name: value
        for name, value in _constants(binding, config).items()
        if name in bind_names(query)
    }
    return sa.text(query).bindparams(
        sa.bindparam(config.status.keys_parameter, numbers, expanding=True), **constants
    )
