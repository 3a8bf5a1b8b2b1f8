"""The `rest` kind: reads records from a JSON service, page after page or by key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx
import orjson

from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport, SourceConfig
from connectors.boundary import at_boundary
from connectors.capabilities import CAPABILITY_FIELDS
from connectors.errors import ConnectorConfigError, ConnectorError, UpstreamError
from connectors.mapping import MappedBindingConfig, RecordMapper
from connectors.rest.answers import MISSING, decoded, dig, is_link, origin, records_at
from connectors.rest.client import new_client
from connectors.rest.config import QueryValue, RestBindingConfig, RestSourceConfig
from connectors.rest.errors import http_error, raise_for_status
from connectors.secrets import Redactor
from connectors.types import Capability, Record, RecordKey

__all__ = ["RestConnector"]

T = TypeVar("T")


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
        self._redactor = Redactor()
        self._origin = origin(httpx.URL(config.base_url))
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
        node = dig(payload, config.health_records_path)
        if isinstance(node, list) and node and isinstance(node[0], Mapping):
            details["fields"] = [str(key) for key in node[0]]
        elif node is MISSING:
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
            raise_for_status(response, where)
            if str(response.url) in seen:
                raise UpstreamError(
                    f"{where}: GET {response.url.path}: the next page "
                    f"('{config.next_path}') leads back to a page already read"
                )
            seen.add(str(response.url))
            payload = decoded(response, where, config.records_path)
            rows = records_at(payload, response, where, config.records_path)
            records.extend(mapper.map(row) for row in rows)
            if config.next_path is None:
                return records
            following = dig(payload, config.next_path)
            if following is MISSING or following is None or following == "":
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
        if isinstance(following, str) and is_link(following):
            target = response.url.join(following)
            if origin(target) != self._origin:
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
        raise_for_status(response, where)
        payload = decoded(response, where, records_path)
        mapper = RecordMapper(binding)
        wanted = set(ids)
        found: dict[str, Record] = {}
        for row in records_at(payload, response, where, records_path):
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
            raise_for_status(response, where)
            payload = decoded(response, where, config.item_record_path)
            row = dig(payload, config.item_record_path)
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
            self._client = new_client(self.rest_config, self._label, self._redactor)
        return self._client

    async def _get(
        self, url: str, params: Mapping[str, QueryValue] | None, where: str
    ) -> httpx.Response:
        """GET `url` (relative to base_url, or absolute on the same server); errors mapped."""
        path = url.partition("?")[0]
        if "://" in path:
            path = "/" + path.partition("://")[2].partition("/")[2]
        client = self.client
        with at_boundary(f"{where}: GET {path}", self._http_error):
            async with asyncio.timeout(self.timeout_seconds):
                return await client.get(url, params=params)

    def _http_error(self, source: str, exc: BaseException) -> ConnectorError | None:
        return http_error(source, exc, timeout=self.timeout_seconds, redact=self._redactor.redact)


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
