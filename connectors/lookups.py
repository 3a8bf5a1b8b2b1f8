"""Tracking numbers looked up in the municipalities' own request sources.

Each municipality's `request_lookups` are asked in their declared order, each only for
the numbers its pattern matches and that an earlier lookup did not find: one call per
lookup (split by its `max_batch`) for all the numbers of a GraphQL level. Calls are
guarded like reads (the source's timeout, retries, circuit breaker); a failed lookup costs
only its numbers, reported as failures beside what the others found.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence

from connectors.base import Binding, Connector
from connectors.dispatch import upstream_calls
from connectors.errors import ConnectorConfigError, ConnectorError, UpstreamTimeout
from connectors.federation import Federation
from connectors.reads import ExternalRequest, RequestReader
from connectors.request_lookup import RequestLookupConfig
from connectors.resilience import CircuitOpen, retry_transient
from connectors.types import Capability

__all__ = ["LookupFailure", "LookupResult", "lookup_requests", "municipalities_for"]


@dataclasses.dataclass(frozen=True, slots=True)
class LookupFailure:
    """A lookup that could not answer about a number."""

    municipality_id: str
    source: str
    error: ConnectorError


@dataclasses.dataclass(frozen=True, slots=True)
class LookupResult:
    #: Tracking number → the request, for the numbers some lookup holds.
    found: Mapping[str, ExternalRequest]
    #: Tracking number → why a lookup it was asked of failed (numbers not found elsewhere).
    failures: Mapping[str, LookupFailure]


def _lookups(federation: Federation, municipality_id: str) -> tuple[RequestLookupConfig, ...]:
    municipality = federation.get(municipality_id)
    if municipality is None:
        return ()
    return tuple(c for c in municipality.request_lookups if isinstance(c, RequestLookupConfig))


def municipalities_for(federation: Federation, number: str) -> list[str]:
    """The municipalities with a lookup whose pattern matches `number` (in capitals): the
    one whose short code starts the number first, then the others by id."""
    serving = [
        m
        for m in sorted(federation.municipalities)
        if any(c.serves(number) for c in _lookups(federation, m))
    ]
    prefix = number.split("-", 1)[0]
    return sorted(serving, key=lambda m: federation.municipalities[m].file.short_code != prefix)


def _reader(federation: Federation, municipality_id: str, source: str) -> Connector:
    for placed in federation.sources_of(municipality_id):
        if placed.name == source:
            return placed.connector
    raise ConnectorConfigError(f"{municipality_id}: request_lookups: no source '{source}'")


async def _ask(
    federation: Federation, connector: Connector, binding: Binding, numbers: list[str]
) -> Mapping[str, ExternalRequest]:
    if not isinstance(connector, RequestReader):
        raise ConnectorConfigError(
            f"{binding.municipality_id}/{binding.config.source}: the '{connector.kind}' "
            "connector cannot look requests up"
        )
    reader = connector
    health = federation.health_of(connector)
    config = connector.config

    async def attempt() -> Mapping[str, ExternalRequest]:
        upstream_calls[connector.kind] += 1
        return await reader.lookup_requests(binding, numbers)

    if not health.breaker.allow():
        raise CircuitOpen(f"{binding.municipality_id}/{binding.config.source}: circuit open")
    try:
        async with asyncio.timeout(config.timeout_seconds):
            found = await retry_transient(attempt, config.retries, config.retry_backoff_seconds)
    except TimeoutError:
        error = UpstreamTimeout(
            f"{binding.municipality_id}/{binding.config.source}: no answer in "
            f"{config.timeout_seconds}s"
        )
        health.record_failure(error)
        raise error from None
    except ConnectorError as error:
        health.record_failure(error)
        raise
    health.record_success()
    return found


async def lookup_requests(
    federation: Federation, municipality_id: str, numbers: Sequence[str]
) -> LookupResult:
    """The requests `municipality_id`'s lookups hold among `numbers` (in capitals)."""
    found: dict[str, ExternalRequest] = {}
    failures: dict[str, LookupFailure] = {}
    remaining = list(dict.fromkeys(numbers))
    for config in _lookups(federation, municipality_id):
        asked = [n for n in remaining if config.serves(n)]
        if not asked:
            continue
        binding = Binding(municipality_id, Capability.REQUESTS, config)
        try:
            connector = _reader(federation, municipality_id, config.source)
            answered = await _ask(federation, connector, binding, asked)
        except ConnectorError as error:
            for number in asked:
                failures.setdefault(number, LookupFailure(municipality_id, config.source, error))
            continue
        for number in asked:
            request = answered.get(number)
            if request is not None:
                found[number] = request
        remaining = [n for n in remaining if n not in found]
    return LookupResult(found, {n: f for n, f in failures.items() if n not in found})
