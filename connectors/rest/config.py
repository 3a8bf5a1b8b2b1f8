"""What a `rest` source and its bindings are configured with (the kind's documented spec).

Secrets only by reference (`{$env: NAME}`): a token, key or password written in the file,
credentials in a constant header or in `base_url`, are refused without being echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.base import SourceConfig
from connectors.mapping import MappedBindingConfig
from connectors.secrets import EnvSecret, Hidden, hide_literal, looks_like_secret_key, reject_hidden

__all__ = [
    "ApiKeyAuth",
    "HttpBasicAuth",
    "QueryValue",
    "RestBindingConfig",
    "RestSourceConfig",
    "is_credential_header",
]

_USE_A_REFERENCE = (
    "a secret reference such as {$env: NAME} (the variable holding it), never the secret itself"
)
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


def is_credential_header(name: str) -> bool:
    return name.lower() in _CREDENTIAL_HEADERS or looks_like_secret_key(name)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApiKeyAuth(_Strict):
    """An API key sent in a header (default `X-Api-Key`) or, if `query_param` is set, in
    the query string."""

    header: str | None = Field(default="X-Api-Key", description="Header carrying the key.")
    query_param: str | None = Field(
        default=None, description="Send the key as this query parameter instead of a header."
    )
    value: EnvSecret = Field(description="The key, by reference: {$env: NAME}.")

    @model_validator(mode="before")
    @classmethod
    def _hide_literals(cls, data: Any) -> Any:
        return hide_literal(data, "value", _USE_A_REFERENCE)

    @field_validator("value", mode="before")
    @classmethod
    def _no_literal(cls, value: Any) -> Any:
        return reject_hidden(value)

    @model_validator(mode="after")
    def _one_place(self) -> ApiKeyAuth:
        if self.query_param is not None and "header" in self.model_fields_set:
            raise ValueError("`header` or `query_param`, not both")
        if self.query_param is None and not self.header:
            raise ValueError("a `header` (e.g. X-Api-Key) or a `query_param` for the key")
        return self


class HttpBasicAuth(_Strict):
    """HTTP Basic authentication; the password by reference only."""

    username: str = Field(min_length=1)
    password: EnvSecret = Field(description="The password, by reference: {$env: NAME}.")

    @model_validator(mode="before")
    @classmethod
    def _hide_literals(cls, data: Any) -> Any:
        return hide_literal(data, "password", _USE_A_REFERENCE)

    @field_validator("password", mode="before")
    @classmethod
    def _no_literal(cls, value: Any) -> Any:
        return reject_hidden(value)


class RestSourceConfig(SourceConfig):
    """A JSON-over-HTTP service. Authenticate with at most one of `bearer_token`,
    `api_key` or `http_basic`; secrets are references to environment variables."""

    connector: Literal["rest"] = "rest"
    base_url: str = Field(
        description="Root of the service, e.g. https://portal.example.gob.do; binding paths "
        "are appended to it."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Constant headers sent with every request (never credentials).",
    )
    bearer_token: EnvSecret | None = Field(
        default=None, description="Sent as `Authorization: Bearer …`: {$env: NAME}."
    )
    api_key: ApiKeyAuth | None = None
    http_basic: HttpBasicAuth | None = None
    verify_tls: bool = Field(
        default=True, description="Check the server's certificate (turn off only for tests)."
    )
    max_connections: int = Field(
        default=10, ge=1, le=200, description="Concurrent connections kept to the service."
    )
    health_path: str | None = Field(
        default=None,
        description="What `check()` requests, e.g. /api/v1/servicios?municipio=POP; "
        "without it, the service root answering at all counts as healthy.",
    )
    health_records_path: str = Field(
        default="",
        description="Dotted path to the records in the `health_path` answer, so that "
        "`check-config --probe` can show their fields.",
    )

    @model_validator(mode="before")
    @classmethod
    def _hide_literals(cls, data: Any) -> Any:
        data = hide_literal(data, "bearer_token", _USE_A_REFERENCE)
        if isinstance(data, Mapping):
            headers = data.get("headers")
            if isinstance(headers, Mapping) and any(map(is_credential_header, headers)):
                shown = {
                    name: Hidden() if is_credential_header(name) else value
                    for name, value in headers.items()
                }
                data = {**data, "headers": shown}
            url = data.get("base_url")
            if isinstance(url, str) and "@" in url.partition("//")[2].partition("/")[0]:
                data = {
                    **data,
                    "base_url": Hidden(
                        "a URL without user:password (use http_basic with {$env: NAME})"
                    ),
                }
        return data

    @field_validator("bearer_token", "base_url", mode="before")
    @classmethod
    def _no_literal(cls, value: Any) -> Any:
        return reject_hidden(value)

    @field_validator("headers", mode="before")
    @classmethod
    def _no_credentials_in_headers(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            hidden = [name for name, v in value.items() if isinstance(v, Hidden)]
            if hidden:
                raise ValueError(
                    f"constant headers without credentials ({', '.join(map(str, hidden))}); "
                    "use bearer_token, api_key or http_basic with {$env: NAME}"
                )
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL:
            url = httpx.URL()
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("an http:// or https:// URL with a host")
        if url.query or url.fragment:
            raise ValueError("a URL without ?query or #fragment (use the binding's list_params)")
        return value.rstrip("/")

    @field_validator("health_path")
    @classmethod
    def _health_path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("a path starting with '/', relative to base_url")
        return value

    @model_validator(mode="after")
    def _one_auth(self) -> RestSourceConfig:
        chosen = [
            name
            for name in ("bearer_token", "api_key", "http_basic")
            if getattr(self, name) is not None
        ]
        if len(chosen) > 1:
            raise ValueError(
                f"at most one of bearer_token, api_key, http_basic; found {', '.join(chosen)}"
            )
        return self


#: A constant query parameter.
QueryValue = str | int | float | bool


class RestBindingConfig(MappedBindingConfig):
    """Where one capability's records are in the service and how they map.

    Paths are relative to the source's `base_url` and carry no query string: constant
    parameters go in `list_params`, which every request of the binding sends.
    """

    list_path: str = Field(description="The collection, e.g. /api/v1/servicios.")
    list_params: dict[str, QueryValue] = Field(
        default_factory=dict,
        description="Constant query parameters, e.g. {municipio: POP}; sent with every "
        "request of this binding (list, batch and single gets).",
    )
    records_path: str = Field(
        default="",
        description="Dotted path to the list of records in the answer, e.g. data.items; "
        "empty when the answer is the list itself.",
    )
    next_path: str | None = Field(
        default=None,
        description="Dotted path to the next page in the answer: a link (followed as is) "
        "or a cursor/page number (sent as `page_param`); null or absent on the last page.",
    )
    page_param: str | None = Field(
        default=None, description="Query parameter that carries a cursor from `next_path`."
    )
    max_pages: int = Field(
        default=50, ge=1, le=10_000, description="Guard against endless pagination."
    )
    batch_path: str | None = Field(
        default=None,
        description="Answers several ids at once (?ids=a,b,c); fetch_many makes one call.",
    )
    ids_param: str = Field(default="ids", description="Query parameter carrying the ids.")
    ids_separator: str = Field(default=",", min_length=1)
    max_batch_size: int = Field(default=50, ge=1, le=1000, description="Ids per batch call.")
    batch_records_path: str | None = Field(
        default=None, description="records_path of batch answers, if it differs."
    )
    item_path: str | None = Field(
        default=None,
        description="One record, with an {id} placeholder, e.g. /api/v1/servicios/{id}; a 404 "
        "means not found.",
    )
    item_record_path: str = Field(
        default="", description="Dotted path to the record in a single-get answer, e.g. data."
    )

    @field_validator("list_path", "batch_path", "item_path")
    @classmethod
    def _relative_path(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith("/"):
            raise ValueError("a path starting with '/', relative to the source's base_url")
        if "?" in value or "#" in value:
            raise ValueError("a path without ?query (put constant parameters in list_params)")
        return value

    @field_validator("item_path")
    @classmethod
    def _id_placeholder(cls, value: str | None) -> str | None:
        if value is not None and value.count("{id}") != 1:
            raise ValueError("a path with one {id} placeholder, e.g. /api/v1/servicios/{id}")
        return value

    @model_validator(mode="after")
    def _cursor_needs_next(self) -> RestBindingConfig:
        if self.page_param is not None and self.next_path is None:
            raise ValueError(
                "`page_param` needs `next_path` (where the answer names the next page)"
            )
        return self
