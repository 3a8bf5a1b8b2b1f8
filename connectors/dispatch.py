"""Guarded, batched reads across the federation.

For one GraphQL level, keys are grouped by the connector and binding that serve them;
each group is one call to its source (retries included), bounded by the source's timeout,
skipped while its circuit is open, and answered from the binding's cache when fresh. A
failed group yields the cached value marked stale where one exists, else the error; other
groups are unaffected. The groups run concurrently.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from connectors.base import Binding, BindingConfig, Connector
from connectors.cache import SourceCache
from connectors.errors import ConnectorError, UpstreamTimeout
from connectors.health import SourceHealth
from connectors.last_known import LastKnownAnswers
from connectors.resilience import CircuitOpen, retry_transient
from connectors.snapshots import KEPT_CAPABILITIES, SnapshotStore
from connectors.types import Capability, RecordKey

#: Calls made to each kind of source, process-wide.
upstream_calls: Counter[str] = Counter()

#: Told of every upstream attempt (error code None) and every failed read (its code):
#: (connector kind, municipality id, source name, error code). The gateway's metrics
#: register here, so that this package needs no metrics library.
CallObserver = Callable[[str, str, str, str | None], None]
observers: list[CallObserver] = []


def _notify(connector: Connector, binding: Binding, code: str | None) -> None:
    for observer in observers:
        observer(connector.kind, binding.municipality_id, binding.config.source, code)


Call = Callable[[Connector, Binding, list[Any]], Awaitable[Sequence[Any]]]


class Sources(Protocol):
    """Which connector and binding serve a capability, and each source's health: what the
    dispatcher needs of the federation (`connectors.federation.Federation`)."""

    def binding(
        self, municipality_id: str, capability: Capability
    ) -> tuple[Connector, Binding] | None: ...

    def health_of(self, connector: Connector) -> SourceHealth: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one key: a value, or the error, or a stale value with the error."""

    value: Any
    municipality_id: str
    source: str = ""
    error: ConnectorError | None = None
    stale_age_seconds: float | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None and self.stale_age_seconds is None


_shapes: dict[int, tuple[BindingConfig, str]] = {}


def _shape(config: BindingConfig) -> str:
    """What a call depends on besides its keys; the source's local name does not count.

    Computed once per binding (configs hold dicts, so they are not hashable; the entry
    keeps the config alive, so its id cannot be reused while cached).
    """
    entry = _shapes.get(id(config))
    if entry is not None and entry[0] is config:
        return entry[1]
    if len(_shapes) > 4096:
        _shapes.clear()
    shape = config.model_dump_json(exclude={"source"})
    _shapes[id(config)] = (config, shape)
    return shape


class Dispatcher:
    def __init__(
        self,
        federation: Sources,
        cache: SourceCache,
        snapshots: SnapshotStore | None = None,
    ) -> None:
        self.federation = federation
        self.cache = cache
        #: What a failed read falls back on, beyond this worker's cache.
        self.last_known = LastKnownAnswers(cache, snapshots)

    async def settled(self) -> None:
        """Wait for the answers being kept in the snapshot store (tests; shutdown)."""
        await self.last_known.settled()

    async def list_for(
        self, capability: Capability, municipality_ids: Sequence[str]
    ) -> list[Outcome]:
        return await self._dispatch(
            capability,
            "list",
            municipality_ids,
            lambda key: key,
            lambda connector, binding, keys: connector.list_for(binding, keys),
            list,
        )

    async def fetch_many(self, capability: Capability, keys: Sequence[RecordKey]) -> list[Outcome]:
        return await self._dispatch(
            capability,
            "get",
            keys,
            lambda key: key[0],
            lambda connector, binding, group: connector.fetch_many(binding, group),
            lambda: None,
        )

    async def _dispatch(
        self,
        capability: Capability,
        operation: str,
        keys: Sequence[Any],
        municipality_of: Callable[[Any], str],
        call: Call,
        empty: Callable[[], Any],
    ) -> list[Outcome]:
        outcomes = [Outcome(empty(), municipality_of(key)) for key in keys]
        groups: dict[tuple[int, str], tuple[Connector, Binding, list[int]]] = {}
        for index, key in enumerate(keys):
            municipality_id = municipality_of(key)
            served = self.federation.binding(municipality_id, capability)
            if served is None:
                continue  # the municipality has no such capability bound: nothing to show
            connector, binding = served
            # Identical bindings on one multi-tenant connector share a call; the local name
            # of the source is irrelevant to what the connector is asked.
            shape = _shape(binding.config)
            if not connector.multi_tenant:
                shape = f"{municipality_id}|{shape}"
            groups.setdefault((id(connector), shape), (connector, binding, []))[2].append(index)
        await asyncio.gather(
            *(
                self._run(
                    capability,
                    connector,
                    binding,
                    f"{operation}|{shape}",
                    indexes,
                    keys,
                    call,
                    outcomes,
                    municipality_of,
                )
                for (_, shape), (connector, binding, indexes) in groups.items()
            )
        )
        return outcomes

    async def _run(
        self,
        capability: Capability,
        connector: Connector,
        binding: Binding,
        cache_scope: str,
        indexes: list[int],
        keys: Sequence[Any],
        call: Call,
        outcomes: list[Outcome],
        municipality_of: Callable[[Any], str],
    ) -> None:
        ttl = binding.config.cache_ttl_seconds
        source = binding.config.source
        now = self.cache.now()
        pending = []
        for index in indexes:
            entry = self.cache.get((cache_scope, keys[index])) if ttl > 0 else None
            if entry is not None and now - entry.stored_at <= ttl:
                outcomes[index] = Outcome(entry.value, municipality_of(keys[index]), source)
            else:
                pending.append(index)
        if not pending:
            return
        health = self.federation.health_of(connector)
        config = connector.config
        # Public answers only go beyond this worker's cache (see `connectors.snapshots`).
        durable = capability in KEPT_CAPABILITIES
        group = [keys[i] for i in pending]

        async def attempt() -> Sequence[Any]:
            upstream_calls[connector.kind] += 1
            _notify(connector, binding, None)
            return await call(connector, binding, group)

        try:
            if not health.breaker.allow():
                raise CircuitOpen(f"{binding.municipality_id}/{source}: circuit open")
            try:
                async with asyncio.timeout(config.timeout_seconds):
                    values = await retry_transient(
                        attempt, config.retries, config.retry_backoff_seconds
                    )
            except TimeoutError:
                raise UpstreamTimeout(
                    f"{binding.municipality_id}/{source}: no answer in {config.timeout_seconds}s"
                ) from None
        except ConnectorError as error:
            _notify(connector, binding, error.code)
            if not isinstance(error, CircuitOpen):
                health.record_failure(error)
            for index in pending:
                entry = (
                    await self.last_known.find(cache_scope, keys[index], durable=durable)
                    if ttl > 0
                    else None
                )
                outcomes[index] = Outcome(
                    None if entry is None else entry.value,
                    municipality_of(keys[index]),
                    source,
                    error,
                    None if entry is None else now - entry.stored_at,
                )
            return
        health.record_success()
        for index, value in zip(pending, values, strict=True):
            if ttl > 0:
                self.cache.set((cache_scope, keys[index]), value)
                if durable:
                    self.last_known.keep(
                        cache_scope, keys[index], municipality_of(keys[index]), value
                    )
            outcomes[index] = Outcome(value, municipality_of(keys[index]), source)
