"""The `ocds` kind: reads release packages from a file or a paginated JSON API.

One pass reads every page (following `links.next`, at most `max_pages`), keeps the latest
release of each process, and gives each municipality the releases whose buyer is its
`buyer`. Lists only: a process is found within its municipality's list.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

import httpx

from connectors.base import (
    Binding,
    BindingConfig,
    Connector,
    ConnectorEnvironment,
    HealthReport,
    SourceConfig,
)
from connectors.boundary import at_boundary
from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)
from connectors.ocds.config import OcdsBindingConfig, OcdsSourceConfig
from connectors.ocds.releases import buyer_of, latest_by_ocid, record_of
from connectors.types import Capability, Record, RecordKey

__all__ = ["OcdsConnector"]

_HTTP_ERRORS = {
    httpx.TimeoutException: UpstreamTimeout,
    httpx.TransportError: TransientError,
    httpx.HTTPStatusError: UpstreamError,
    json.JSONDecodeError: UpstreamError,
    OSError: TransientError,
}


class OcdsConnector(Connector):
    kind: ClassVar[str] = "ocds"
    config_model: ClassVar[type[SourceConfig]] = OcdsSourceConfig
    binding_model: ClassVar[type[BindingConfig]] = OcdsBindingConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PROCUREMENT})

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        if not isinstance(config, OcdsSourceConfig):
            raise ConnectorConfigError(
                f"ocds: expected an OcdsSourceConfig, found {type(config).__name__}"
            )
        super().__init__(config, environment)
        self.settings = config
        self._client: httpx.AsyncClient | None = None
        #: Pages read by the last pass (tests check that `links.next` was followed).
        self.pages_read = 0

    @property
    def shown(self) -> str:
        if self.settings.path is not None:
            return f"ocds file {Path(self.settings.path).name}"
        return f"ocds API {httpx.URL(str(self.settings.url)).host}"

    async def check(self) -> HealthReport:
        try:
            releases = await self._releases()
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        buyers = sorted({b for b in map(buyer_of, releases) if b})
        return HealthReport(
            ok=True,
            message=f"{self.shown}: {len(releases)} release(s) in {self.pages_read} page(s)",
            details={"buyers": buyers[:50]},
        )

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        ours = [k for k in keys if k[0] == binding.municipality_id]
        if not ours:
            return [None] * len(keys)
        (records,) = await self.list_for(binding, [binding.municipality_id])
        by_id = {str(r["id"]): r for r in records}
        return [
            by_id.get(record_id) if municipality_id == binding.municipality_id else None
            for municipality_id, record_id in keys
        ]

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        if binding.municipality_id not in municipality_ids:
            return [[] for _ in municipality_ids]
        config = binding.config
        if not isinstance(config, OcdsBindingConfig):
            raise ConnectorConfigError(
                f"ocds: binding {binding.municipality_id}/{binding.capability.value} is a "
                f"{type(config).__name__}, expected an OcdsBindingConfig"
            )
        releases = await self._releases()
        mine = [r for r in releases if buyer_of(r) == config.buyer]
        records: list[Record] = [
            {**record_of(r, i), "municipality_id": binding.municipality_id}
            for i, r in enumerate(latest_by_ocid(mine))
        ]
        return [
            list(records) if municipality_id == binding.municipality_id else []
            for municipality_id in municipality_ids
        ]

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    # -- reading -----------------------------------------------------------------------------

    async def _releases(self) -> list[Mapping[str, Any]]:
        if self.settings.path is not None:
            path = Path(self.settings.path)
            if not path.is_absolute():
                path = self.environment.config_dir / path
            with at_boundary(self.shown, _HTTP_ERRORS):
                package = await asyncio.to_thread(_read_json, path)
            self.pages_read = 1
            return _releases_in(package, self.shown)
        return await self._paged(str(self.settings.url))

    async def _paged(self, first: str) -> list[Mapping[str, Any]]:
        client = self._http()
        releases: list[Mapping[str, Any]] = []
        seen: set[str] = set()
        url: str | None = first
        self.pages_read = 0
        while url is not None and url not in seen and len(seen) < self.settings.max_pages:
            seen.add(url)
            with at_boundary(self.shown, _HTTP_ERRORS):
                response = await client.get(url)
                response.raise_for_status()
                page = response.json()
            self.pages_read += 1
            releases.extend(_releases_in(page, self.shown))
            links = page.get("links") if isinstance(page, Mapping) else None
            following = links.get("next") if isinstance(links, Mapping) else None
            url = urljoin(url, str(following)) if following else None
        return releases

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                headers={"Accept": "application/json"},
                timeout=httpx.Timeout(self.settings.timeout_seconds),
                follow_redirects=False,
            )
        return self._client


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as file:
        return json.load(file)


def _releases_in(package: Any, shown: str) -> list[Mapping[str, Any]]:
    releases = package.get("releases") if isinstance(package, Mapping) else None
    if not isinstance(releases, list):
        raise UpstreamError(f"{shown}: expected a release package with `releases`")
    return [r for r in releases if isinstance(r, Mapping)]
