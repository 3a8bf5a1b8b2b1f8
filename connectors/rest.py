"""The `rest` connector: JSON over HTTP(S), with httpx.

A source is one HTTP service (`base_url`, constant headers, at most one way to
authenticate, with secrets only by `{"$env": NAME}`); a binding says where one
capability's records live in it::

    sources:
      portal:
        connector: rest
        base_url: https://portal.example.gob.do
        bearer_token: {$env: PUERTO_PLATA_API_TOKEN}
    bindings:
      services:
        source: portal
        list_path: /api/v1/servicios          # every record, page after page
        list_params: {municipio: POP}         # sent with every request of the binding
        records_path: data.items              # where the list sits in the JSON answer
        next_path: data.next                  # the next page's link (or cursor)
        batch_path: /api/v1/servicios         # ?ids=a,b,c answers several keys at once
        item_path: /api/v1/servicios/{id}     # one record (404 = not found)
        fields: {id: codigo, fee_amount: tarifa.monto}

`fetch_many` makes ONE batch request when `batch_path` is bound (per `max_batch_size`
keys), otherwise concurrent single requests on `item_path`, otherwise it reads the list.
One `httpx.AsyncClient` per connector keeps connections alive between calls.

Errors follow the connector tree: a refused connection, a 5xx or a 429 is transient; a
timeout is `UpstreamTimeout`; another 4xx, a body that is not JSON or records that are
not where `records_path` says is `UpstreamError`. Messages name the URL path, never the
query string, the headers or a secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport, SourceConfig
from connectors.capabilities import CAPABILITY_FIELDS
from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)
from connectors.mapping import MappedBindingConfig, RecordMapper
from connectors.secrets import EnvSecret, looks_like_secret_key
from connectors.types import Capability, Record, RecordKey

__all__ = [
    "ApiKeyAuth",
    "HttpBasicAuth",
    "RestBindingConfig",
    "RestConnector",
    "RestSourceConfig",
]

_USE_A_REFERENCE = (
    "a secret reference such as {$env: NAME} (the variable holding it), never the secret itself"
)
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
_AUTH_REJECTED = (
    "El sistema del ayuntamiento rechazó las credenciales de PLANASMUN. "
    "El equipo técnico debe revisar la configuración de la conexión."
)


# --------------------------------------------------------------------------- configuration


class _Hidden:
    """Stands in for a literal secret during validation, so an error never echoes it."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return "a literal value (not shown)"


def _hide_literal(data: Any, key: str) -> Any:
    """Replace a literal (non-reference) secret under `key` before pydantic sees it."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if value is not None and not isinstance(value, Mapping | EnvSecret):
        return {**data, key: _Hidden(_USE_A_REFERENCE)}
    return data


def _reject_hidden(value: Any) -> Any:
    if isinstance(value, _Hidden):
        raise ValueError(value.reason)
    return value


def _is_credential_header(name: str) -> bool:
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
        return _hide_literal(data, "value")

    @field_validator("value", mode="before")
    @classmethod
    def _no_literal(cls, value: Any) -> Any:
        return _reject_hidden(value)

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
        return _hide_literal(data, "password")

    @field_validator("password", mode="before")
    @classmethod
    def _no_literal(cls, value: Any) -> Any:
        return _reject_hidden(value)


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
        data = _hide_literal(data, "bearer_token")
        if isinstance(data, Mapping):
            headers = data.get("headers")
            if isinstance(headers, Mapping) and any(map(_is_credential_header, headers)):
                shown = {
                    name: _Hidden("") if _is_credential_header(name) else value
                    for name, value in headers.items()
                }
                data = {**data, "headers": shown}
            url = data.get("base_url")
            if isinstance(url, str) and "@" in url.partition("//")[2].partition("/")[0]:
                data = {
                    **data,
                    "base_url": _Hidden(
                        "a URL without user:password (use http_basic with {$env: NAME})"
                    ),
                }
        return data

    @field_validator("bearer_token", "base_url", mode="before")
    @classmethod
    def _no_literal(cls, value: Any) -> Any:
        return _reject_hidden(value)

    @field_validator("headers", mode="before")
    @classmethod
    def _no_credentials_in_headers(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            hidden = [name for name, v in value.items() if isinstance(v, _Hidden)]
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


QueryValue = str | int | float | bool
T = TypeVar("T")


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


# --------------------------------------------------------------------------- helpers

_MISSING: Any = object()


def _dig(node: Any, path: str) -> Any:
    """The value at a dotted path in decoded JSON (list items by index), or `_MISSING`."""
    if not path:
        return node
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _is_link(value: str) -> bool:
    return value.startswith(("/", "?", "http://", "https://"))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


# --------------------------------------------------------------------------- the connector


class RestConnector(Connector):
    kind: ClassVar[str] = "rest"
    config_model: ClassVar[type[SourceConfig]] = RestSourceConfig
    binding_model: ClassVar[type[MappedBindingConfig]] = RestBindingConfig
    #: Any capability whose fields the hub knows can be read from a JSON service.
    capabilities: ClassVar[frozenset[Capability]] = frozenset(CAPABILITY_FIELDS)

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        super().__init__(config, environment)
        if not isinstance(config, RestSourceConfig):
            raise ConnectorConfigError(f"rest connector given a {type(config).__name__}")
        self.rest_config = config
        self._client: httpx.AsyncClient | None = None
        self._secrets: list[str] = []
        self._origin = _origin(httpx.URL(config.base_url))
        self._label = f"rest {httpx.URL(config.base_url).host}"

    def __repr__(self) -> str:
        return f"<RestConnector {self.rest_config.base_url}>"

    # ----------------------------------------------------------------------- contract

    async def check(self) -> HealthReport:
        config = self.rest_config
        path = config.health_path or "/"
        try:
            response = await self._get(path, None, self._label)
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        status = response.status_code
        details: dict[str, Any] = {"status": status, "fields": []}
        shown = path.partition("?")[0]
        if config.health_path is None:
            # Only "is anybody there": a 404 on the root is a live server.
            ok = status < 500 and status not in (401, 403, 429)
            return HealthReport(ok=ok, message=f"GET {shown}: HTTP {status}", details=details)
        if not 200 <= status < 300:
            return HealthReport(ok=False, message=f"GET {shown}: HTTP {status}", details=details)
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return HealthReport(
                ok=False, message=f"GET {shown}: the answer is not JSON", details=details
            )
        node = _dig(payload, config.health_records_path)
        if isinstance(node, list) and node and isinstance(node[0], Mapping):
            details["fields"] = [str(key) for key in node[0]]
        elif node is _MISSING:
            where = config.health_records_path
            return HealthReport(
                ok=False, message=f"GET {shown}: no '{where}' in the answer", details=details
            )
        return HealthReport(ok=True, message=f"GET {shown}: HTTP {status}", details=details)

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        if not keys:
            return []
        config = self._binding_config(binding)
        ids = list(dict.fromkeys(i for m, i in keys if m == binding.municipality_id))
        found: dict[str, Record] = {}
        if ids and config.batch_path is not None:
            found = await self._fetch_batches(binding, config, config.batch_path, ids)
        elif ids and config.item_path is not None:
            found = await self._fetch_items(binding, config, config.item_path, ids)
        elif ids:
            found = {str(r["id"]): r for r in await self._list(binding, config)}
        return [
            dict(found[i]) if m == binding.municipality_id and i in found else None for m, i in keys
        ]

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        if binding.municipality_id not in municipality_ids:
            return [[] for _ in municipality_ids]
        records = await self._list(binding, self._binding_config(binding))
        return [
            [dict(r) for r in records] if m == binding.municipality_id else []
            for m in municipality_ids
        ]

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # ----------------------------------------------------------------------- reads

    async def _list(self, binding: Binding, config: RestBindingConfig) -> list[Record]:
        where = _where(binding)
        mapper = RecordMapper(binding)
        url: str = config.list_path
        params: dict[str, QueryValue] | None = dict(config.list_params)
        seen: set[str] = set()
        records: list[Record] = []
        for page in range(1, config.max_pages + 1):
            response = await self._get(url, params, where)
            self._raise_for_status(response, where)
            if str(response.url) in seen:
                raise UpstreamError(
                    f"{where}: GET {response.url.path}: the next page "
                    f"('{config.next_path}') leads back to a page already read"
                )
            seen.add(str(response.url))
            payload = self._json(response, where, config.records_path)
            rows = self._rows(payload, response, where, config.records_path)
            records.extend(mapper.map(row) for row in rows)
            if config.next_path is None:
                return records
            following = _dig(payload, config.next_path)
            if following is _MISSING or following is None or following == "":
                return records
            if page == config.max_pages:
                break
            url, params = self._next_page(response, following, config, where)
        raise UpstreamError(
            f"{where}: GET {config.list_path}: more than max_pages={config.max_pages} pages; "
            "raise max_pages in the binding if the list is really that long"
        )

    def _next_page(
        self, response: httpx.Response, following: Any, config: RestBindingConfig, where: str
    ) -> tuple[str, dict[str, QueryValue] | None]:
        if isinstance(following, str) and _is_link(following):
            target = response.url.join(following)
            if _origin(target) != self._origin:
                raise UpstreamError(
                    f"{where}: GET {response.url.path}: the next page ('{config.next_path}') "
                    f"points to another server ({target.host}); not followed"
                )
            return str(target), None
        if config.page_param is None or not isinstance(following, str | int):
            raise UpstreamError(
                f"{where}: GET {response.url.path}: '{config.next_path}' is not a link; "
                "set page_param to send it as a cursor"
            )
        return config.list_path, {**config.list_params, config.page_param: following}

    async def _fetch_batches(
        self, binding: Binding, config: RestBindingConfig, path: str, ids: list[str]
    ) -> dict[str, Record]:
        size = config.max_batch_size
        chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
        results = await _gather(self._fetch_batch(binding, config, path, c) for c in chunks)
        return {key: record for result in results for key, record in result.items()}

    async def _fetch_batch(
        self, binding: Binding, config: RestBindingConfig, path: str, ids: list[str]
    ) -> dict[str, Record]:
        where = _where(binding)
        records_path = (
            config.records_path if config.batch_records_path is None else config.batch_records_path
        )
        params = {**config.list_params, config.ids_param: config.ids_separator.join(ids)}
        response = await self._get(path, params, where)
        self._raise_for_status(response, where)
        payload = self._json(response, where, records_path)
        mapper = RecordMapper(binding)
        wanted = set(ids)
        found: dict[str, Record] = {}
        for row in self._rows(payload, response, where, records_path):
            record = mapper.map(row)
            if str(record["id"]) in wanted:
                found[str(record["id"])] = record
        return found

    async def _fetch_items(
        self, binding: Binding, config: RestBindingConfig, path: str, ids: list[str]
    ) -> dict[str, Record]:
        mapper = RecordMapper(binding)
        where = _where(binding)

        async def one(record_id: str) -> Record | None:
            url = path.replace("{id}", quote(record_id, safe=""))
            response = await self._get(url, dict(config.list_params), where)
            if response.status_code == 404:
                return None
            self._raise_for_status(response, where)
            payload = self._json(response, where, config.item_record_path)
            row = _dig(payload, config.item_record_path)
            if row is None:
                return None
            if not isinstance(row, Mapping):
                raise UpstreamError(
                    f"{where}: GET {response.url.path}: no record object at "
                    f"'{config.item_record_path}' (item_record_path)"
                )
            return mapper.map(row)

        records = await _gather(one(record_id) for record_id in ids)
        return {i: r for i, r in zip(ids, records, strict=True) if r is not None}

    # ----------------------------------------------------------------------- HTTP

    def _binding_config(self, binding: Binding) -> RestBindingConfig:
        config = binding.config
        if not isinstance(config, RestBindingConfig):
            raise ConnectorConfigError(
                f"{_where(binding)}: the rest connector needs a rest binding "
                f"(list_path, records_path, …), found {type(config).__name__}"
            )
        return config

    @property
    def client(self) -> httpx.AsyncClient:
        """The connector's one client, created on first use and kept alive."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> httpx.AsyncClient:
        config = self.rest_config
        headers = {"Accept": "application/json", **config.headers}
        params: dict[str, str] = {}
        auth: httpx.Auth | None = None
        secrets: list[str] = []
        try:
            if config.bearer_token is not None:
                token = config.bearer_token.reveal()
                headers["Authorization"] = f"Bearer {token}"
                secrets.append(token)
            if config.api_key is not None:
                key = config.api_key.value.reveal()
                if config.api_key.query_param is not None:
                    params[config.api_key.query_param] = key
                else:
                    assert config.api_key.header is not None
                    headers[config.api_key.header] = key
                secrets.append(key)
            if config.http_basic is not None:
                password = config.http_basic.password.reveal()
                auth = httpx.BasicAuth(config.http_basic.username, password)
                secrets.append(password)
        except LookupError as exc:
            raise ConnectorConfigError(f"{self._label}: {exc}") from None
        self._secrets = [s for s in secrets if s]
        return httpx.AsyncClient(
            base_url=config.base_url,
            headers=headers,
            params=params,
            auth=auth,
            verify=config.verify_tls,
            timeout=httpx.Timeout(config.timeout_seconds),
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            ),
            follow_redirects=False,
        )

    async def _get(
        self, url: str, params: Mapping[str, QueryValue] | None, where: str
    ) -> httpx.Response:
        """GET `url` (relative to base_url, or absolute on the same server); errors mapped."""
        path = url.partition("?")[0]
        if "://" in path:
            path = "/" + path.partition("://")[2].partition("/")[2]
        client = self.client
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await client.get(url, params=params)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise UpstreamTimeout(
                f"{where}: GET {path}: no answer within {self.timeout_seconds:g} s "
                f"({type(exc).__name__})"
            ) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
            raise TransientError(
                f"{where}: GET {path}: {type(exc).__name__}: {self._redact(str(exc))}"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise UpstreamError(
                f"{where}: GET {path}: {type(exc).__name__}: {self._redact(str(exc))}"
            ) from exc

    def _raise_for_status(self, response: httpx.Response, where: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        message = f"{where}: GET {response.url.path}: HTTP {status}"
        if status == 429 or status >= 500:
            raise TransientError(message)
        if status in (401, 403):
            raise UpstreamError(f"{message} (credentials rejected)", user_message=_AUTH_REJECTED)
        if 300 <= status < 400:
            raise UpstreamError(f"{message} (a redirect: is base_url up to date?)")
        raise UpstreamError(message)

    def _json(self, response: httpx.Response, where: str, records_path: str) -> Any:
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            shown = records_path or "the top level"
            raise UpstreamError(
                f"{where}: GET {response.url.path}: the answer is not valid JSON, so it has "
                f"no records at '{shown}' (records_path)"
            ) from None

    def _rows(
        self, payload: Any, response: httpx.Response, where: str, records_path: str
    ) -> list[Mapping[str, Any]]:
        node = _dig(payload, records_path)
        shown = records_path or "the top level"
        if node is _MISSING:
            raise UpstreamError(
                f"{where}: GET {response.url.path}: the answer has no '{shown}' (records_path)"
            )
        if node is None:
            return []
        if not isinstance(node, list) or not all(isinstance(row, Mapping) for row in node):
            raise UpstreamError(
                f"{where}: GET {response.url.path}: '{shown}' (records_path) is not a list "
                "of objects"
            )
        return node

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _where(binding: Binding) -> str:
    return f"{binding.municipality_id}/{binding.config.source}"


async def _gather(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Run concurrently and wait for all; re-raise the first failure, in call order.

    Waiting for every call (rather than abandoning the rest at the first failure) leaves
    no request running in the background once the connector has answered.
    """
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    values: list[T] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        values.append(result)
    return values
