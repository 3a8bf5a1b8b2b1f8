"""What a `requests` binding on a `sql` source is configured with: an INSERT, a find query
and a status query (see `connectors.sql.requests` for how they are used).

Rules, checked when the file is loaded: `insert` is one ``INSERT INTO … VALUES …`` with
named parameters only (``:name``; no ``?``, ``%s`` or ``$1``; no SELECT, UPDATE, DELETE,
``INSERT OR REPLACE``, DDL or a second statement); every parameter has a value (from
`values`, `parameters`, or ``:municipio``, the binding's municipality id); `values` sends
the tracking number. `find.query` takes ``:tracking_number`` and `status.query`
``IN :tracking_numbers`` (``IN :references`` with `status.by: reference`: the database's own
ids, as `find.reference` returned them); both are read-only SELECTs.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from connectors.refusals import SqlRejects
from connectors.request_binding import (
    OutgoingField,
    RequestsBindingConfig,
    StatusReading,
    StrictModel,
    parse_fields,
    require_tracking_number,
)
from connectors.sql.config import Scalar
from connectors.sql.guards import READ_ONLY_EXPECTED, bind_names, insert_problem, read_only_problem

__all__ = ["SqlFind", "SqlRequestsBindingConfig", "SqlStatus"]


def _read_only(value: str, key: str) -> str:
    problem = read_only_problem(value)
    if problem is not None:
        raise ValueError(f"`{key}`: {READ_ONLY_EXPECTED}; {problem}")
    return value


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

    @property
    def keys_parameter(self) -> str:
        """The query's list parameter: `:tracking_numbers`, or `:references` with
        `by: reference`."""
        return "references" if self.by == "reference" else "tracking_numbers"


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
    rejects: SqlRejects = Field(
        default_factory=SqlRejects,
        description="Which errors of the INSERT refuse a request for good (given up at "
        "once, the citizen told) rather than for now (retried).",
    )

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
        names = bind_names(self.insert)
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
            ("status.query", self.status.query, self.status.keys_parameter),
        ):
            binds = bind_names(query)
            if needed not in binds:
                raise ValueError(f"`{key}` with `:{needed}` where the tracking number goes")
            unknown = binds - constants - {needed}
            if unknown:
                raise ValueError(
                    f"`{key}`: a value in `parameters` for each parameter; missing: "
                    f"{', '.join(sorted(unknown))}"
                )
        return self
