"""The running set of municipalities and their live sources.

Sources with identical configuration share one connector (and so one batch): every
municipality on the hub store uses the same `native` connector, and a vendor service
hosting several municipalities is called once per GraphQL level for all of them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Mapping

from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport
from connectors.registry import ConnectorRegistry, default_registry
from connectors.tenants import Municipality
from connectors.types import Capability, SourceStatus


@dataclasses.dataclass(slots=True)
class SourceHealth:
    status: SourceStatus = SourceStatus.UNKNOWN
    message: str = ""
    checked_at: dt.datetime | None = None
    last_error_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class PlacedSource:
    """A source as one municipality declares it, with the connector serving it."""

    municipality_id: str
    name: str
    connector: Connector
    health: SourceHealth


class Federation:
    """Municipalities by id, their sources, and which source serves which capability."""

    def __init__(
        self,
        municipalities: Mapping[str, Municipality],
        environment: ConnectorEnvironment,
        registry: ConnectorRegistry = default_registry,
    ) -> None:
        self.municipalities = dict(municipalities)
        self.environment = environment
        shared: dict[str, Connector] = {}
        self._health: dict[int, SourceHealth] = {}
        self._sources: dict[tuple[str, str], PlacedSource] = {}
        for municipality in self.municipalities.values():
            for name, config in municipality.sources.items():
                identity = config.model_dump_json()
                connector = shared.get(identity)
                if connector is None:
                    connector = registry.get(config.connector)(config, environment)
                    shared[identity] = connector
                health = self._health.setdefault(id(connector), SourceHealth())
                self._sources[(municipality.id, name)] = PlacedSource(
                    municipality.id, name, connector, health
                )
        self.connectors: list[Connector] = list(shared.values())

    def get(self, municipality_id: str) -> Municipality | None:
        return self.municipalities.get(municipality_id)

    def sources_of(self, municipality_id: str) -> list[PlacedSource]:
        return [s for (m, _), s in self._sources.items() if m == municipality_id]

    def binding(
        self, municipality_id: str, capability: Capability
    ) -> tuple[Connector, Binding] | None:
        """The connector and binding that serve `capability` for a municipality, if bound."""
        municipality = self.municipalities.get(municipality_id)
        if municipality is None:
            return None
        config = municipality.bindings.get(capability)
        if config is None:
            return None
        placed = self._sources[(municipality_id, config.source)]
        return placed.connector, Binding(municipality_id, capability, config)

    def health_of(self, connector: Connector) -> SourceHealth:
        return self._health.setdefault(id(connector), SourceHealth())

    async def check_all(self) -> dict[int, HealthReport]:
        """Run every connector's `check()` concurrently and record the outcome."""
        reports = await asyncio.gather(*(self._check(c) for c in self.connectors))
        return {id(c): r for c, r in zip(self.connectors, reports, strict=True)}

    async def _check(self, connector: Connector) -> HealthReport:
        try:
            report = await asyncio.wait_for(connector.check(), connector.timeout_seconds)
        except TimeoutError:
            report = HealthReport(ok=False, message="check timed out")
        health = self.health_of(connector)
        now = dt.datetime.now(dt.UTC)
        health.checked_at = now
        health.message = report.message
        if report.ok:
            health.status = SourceStatus.OK
        else:
            health.status = SourceStatus.DOWN
            health.last_error_at = now
        return report

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connectors))
