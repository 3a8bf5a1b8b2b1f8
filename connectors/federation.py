"""The running set of municipalities and their live sources.

Sources with identical configuration share one connector (and so one batch): every
municipality on the hub store uses the same `native` connector, and a vendor service
hosting several municipalities is called once per GraphQL level for all of them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping

from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport
from connectors.cache import SourceCache
from connectors.dispatch import Dispatcher
from connectors.errors import ConnectorConfigError
from connectors.health import SourceHealth
from connectors.registry import ConnectorRegistry, default_registry
from connectors.resilience import CircuitBreaker
from connectors.snapshots import SnapshotStore
from connectors.tenants import Municipality
from connectors.types import Capability, SourceStatus
from connectors.writes import RequestWriter

__all__ = ["Federation", "PlacedSource", "RequestDestination", "SourceHealth"]


@dataclasses.dataclass(frozen=True, slots=True)
class PlacedSource:
    """A source as one municipality declares it, with the connector serving it."""

    municipality_id: str
    name: str
    connector: Connector
    health: SourceHealth


@dataclasses.dataclass(frozen=True, slots=True)
class RequestDestination:
    """Where a municipality's requests are written through (`Federation.request_writer`).

    `writer` is `connector` itself, typed as the writer; `health` is the source's circuit
    breaker and last error, shared with its reads.
    """

    connector: Connector
    writer: RequestWriter
    binding: Binding
    health: SourceHealth

    @property
    def source(self) -> str:
        return self.binding.config.source


class Federation:
    """Municipalities by id, their sources, and which source serves which capability."""

    def __init__(
        self,
        municipalities: Mapping[str, Municipality],
        environment: ConnectorEnvironment,
        registry: ConnectorRegistry = default_registry,
        cache: SourceCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        snapshots: SnapshotStore | None = None,
    ) -> None:
        self._clock = clock
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
                health = self.health_of(connector)
                self._sources[(municipality.id, name)] = PlacedSource(
                    municipality.id, name, connector, health
                )
        self.connectors: list[Connector] = list(shared.values())
        for municipality in self.municipalities.values():
            for capability, binding_config in municipality.bindings.items():
                placed = self._sources[(municipality.id, binding_config.source)]
                placed.connector.bind(Binding(municipality.id, capability, binding_config))
        self.dispatcher = Dispatcher(self, cache or SourceCache(clock=clock), snapshots)

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

    def request_writer(self, municipality_id: str) -> RequestDestination | None:
        """Where a municipality's requests go: its `requests` binding's writer, or None
        when it has none (its requests stay in the hub store, the native system of record).

        The delivery worker calls `destination.writer.submit_request(destination.binding,
        outgoing)`, and `find_request` before any retry.
        """
        bound = self.binding(municipality_id, Capability.REQUESTS)
        if bound is None:
            return None
        connector, binding = bound
        if not isinstance(connector, RequestWriter):
            raise ConnectorConfigError(
                f"{municipality_id}/{binding.config.source}: the '{connector.kind}' connector "
                "cannot hold requests"
            )
        return RequestDestination(connector, connector, binding, self.health_of(connector))

    def health_of(self, connector: Connector) -> SourceHealth:
        health = self._health.get(id(connector))
        if health is None:
            config = connector.config
            breaker = CircuitBreaker(
                config.circuit_failure_threshold, config.circuit_reset_seconds, self._clock
            )
            health = self._health[id(connector)] = SourceHealth(breaker)
        return health

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
            health.observed = SourceStatus.OK
        else:
            health.observed = SourceStatus.DOWN
            health.last_error_at = now
        return report

    async def close(self) -> None:
        await self.dispatcher.settled()
        await asyncio.gather(*(c.close() for c in self.connectors))
