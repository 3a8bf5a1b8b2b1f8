"""What a `sql` source and its read bindings are configured with (the kind's documented spec)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, Field, field_validator, model_validator
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from connectors.base import SourceConfig
from connectors.mapping import FieldSpec, MappedBindingConfig
from connectors.secrets import EnvSecret, hide_literal, mask_url_password, require_reference
from connectors.sql.guards import READ_ONLY_EXPECTED, bind_names, read_only_problem

__all__ = ["Scalar", "SqlBindingConfig", "SqlSourceConfig"]

#: A constant in `where` or `parameters`.
Scalar = str | int | float | bool | None

_REFERENCE_EXPECTED = "a reference such as {$env: NAME}, never the password itself"


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
        data = hide_literal(dict(data), "password", _REFERENCE_EXPECTED, only_text=True)
        if isinstance(data.get("url"), str):
            data["url"] = mask_url_password(data["url"])
        return data

    @field_validator("password", mode="before")
    @classmethod
    def _password_is_a_reference(cls, value: Any) -> Any:
        return require_reference(value, _REFERENCE_EXPECTED)

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
                raise ValueError(f"{READ_ONLY_EXPECTED}; {problem}")
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
        unknown = bind_names(self.query) - given
        if "ids" in unknown:
            raise ValueError("`:ids` only in `fetch_query`; `query` reads every record")
        if unknown:
            raise ValueError(
                f"a value in `parameters` for each of the query's parameters; "
                f"missing: {', '.join(sorted(unknown))}"
            )
        if self.fetch_query is not None:
            names = bind_names(self.fetch_query)
            if "ids" not in names:
                raise ValueError("`fetch_query` with `IN :ids` where the keys go")
            unknown = names - given - {"ids"}
            if unknown:
                raise ValueError(
                    f"a value in `parameters` for each of fetch_query's parameters; "
                    f"missing: {', '.join(sorted(unknown))}"
                )
        used = bind_names(self.query) | bind_names(self.fetch_query or "")
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
