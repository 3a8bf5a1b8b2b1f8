"""Per-request batch loaders: one call per source per GraphQL level, never N+1.

Keys for one level are grouped by the connector and binding that serve them; each group
becomes one call to its source and the groups run concurrently. A failing source turns
into a `SourceFailure` for its keys only; other municipalities are unaffected.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader

from connectors import (
    Binding,
    Capability,
    Connector,
    ConnectorError,
    Federation,
    Record,
    RecordKey,
    UpstreamTimeout,
)
from schema.errors import SourceFailure

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

#: Calls made to each source, process-wide (benchmarks and metrics read it).
upstream_calls: Counter[str] = Counter()


def _source_label(binding: Binding) -> str:
    return f"{binding.municipality_id}/{binding.config.source}"


async def _call_grouped(
    federation: Federation,
    capability: Capability,
    keys: Sequence[K],
    municipality_of: Callable[[K], str],
    call: Callable[[Connector, Binding, list[K]], Awaitable[Sequence[R]]],
    missing: Callable[[], R],
) -> list[R | BaseException]:
    """Group `keys` by serving source, make one call per group, reassemble in key order."""
    results: list[R | BaseException] = [missing() for _ in keys]
    # Identical bindings on one connector (e.g. every municipality on the hub store) share a
    # call; the source's local name is irrelevant to what the connector is asked.
    groups: dict[tuple[int, str], tuple[Connector, Binding, list[int]]] = {}
    for index, key in enumerate(keys):
        served = federation.binding(municipality_of(key), capability)
        if served is None:
            continue  # unbound capability: the municipality simply has none
        connector, binding = served
        shape = binding.config.model_dump_json(exclude={"source"})
        group = groups.setdefault((id(connector), shape), (connector, binding, []))
        group[2].append(index)

    async def run(connector: Connector, binding: Binding, indexes: list[int]) -> None:
        group_keys = [keys[i] for i in indexes]
        upstream_calls[connector.kind] += 1
        try:
            async with asyncio.timeout(connector.timeout_seconds):
                values = await call(connector, binding, group_keys)
        except TimeoutError:
            error: ConnectorError = UpstreamTimeout(f"{_source_label(binding)} timed out")
            _fail(results, indexes, keys, municipality_of, binding, error)
            return
        except ConnectorError as exc:
            _fail(results, indexes, keys, municipality_of, binding, exc)
            return
        for index, value in zip(indexes, values, strict=True):
            results[index] = value

    await asyncio.gather(*(run(*group) for group in groups.values()))
    return results


def _fail(
    results: list[Any],
    indexes: list[int],
    keys: Sequence[K],
    municipality_of: Callable[[K], str],
    binding: Binding,
    error: ConnectorError,
) -> None:
    for index in indexes:
        results[index] = SourceFailure(
            error.user_message,
            code=error.code,
            municipality=municipality_of(keys[index]),
            source=binding.config.source,
        )


class ServicesByMunicipalityLoader(DataLoader[str, list[Record]]):
    """Key: municipality id. Value: that municipality's catalogue."""

    def __init__(self, federation: Federation) -> None:
        super().__init__()
        self.federation = federation

    # aiodataloader raises an Exception returned for a key from that key's load(); its
    # annotations do not say so, hence the override ignore.
    async def batch_load_fn(  # type: ignore[override]
        self, keys: Sequence[str]
    ) -> list[list[Record] | BaseException]:
        return await _call_grouped(
            self.federation,
            Capability.SERVICES,
            keys,
            lambda key: key,
            lambda connector, binding, group: connector.list_for(binding, group),
            list,
        )


class ServiceByKeyLoader(DataLoader[RecordKey, Record | None]):
    """Key: (municipality id, service id in its source). Value: the service or None."""

    def __init__(self, federation: Federation) -> None:
        super().__init__()
        self.federation = federation

    async def batch_load_fn(  # type: ignore[override]
        self, keys: Sequence[RecordKey]
    ) -> list[Record | BaseException | None]:
        return await _call_grouped(
            self.federation,
            Capability.SERVICES,
            keys,
            lambda key: key[0],
            lambda connector, binding, group: connector.fetch_many(binding, group),
            lambda: None,
        )


class Loaders:
    """Every loader a request may use; created fresh per request (or subscription)."""

    def __init__(self, federation: Federation) -> None:
        self.services_by_municipality = ServicesByMunicipalityLoader(federation)
        self.service_by_key = ServiceByKeyLoader(federation)
