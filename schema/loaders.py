"""Per-request batch loaders over the federation's dispatcher: one call per source per level.

A failed source becomes a `SourceFailure` for its keys only. A value served from cache
because its source failed is returned as usual and remembered in `stale`, so that the
resolver can attach a "stale" error at its own path.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from connectors import (
    Capability,
    ConnectorError,
    ExternalRequest,
    Federation,
    LookupResult,
    MappingError,
    Outcome,
    Record,
    RecordKey,
    lookup_requests,
)
from schema.errors import SourceFailure

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclasses.dataclass(frozen=True, slots=True)
class StaleNote:
    age_seconds: float
    municipality_id: str
    source: str
    error: ConnectorError


def failure_extensions(outcome: Outcome) -> dict[str, Any]:
    assert outcome.error is not None
    extensions: dict[str, Any] = {
        "municipality": outcome.municipality_id,
        "source": outcome.source,
    }
    if isinstance(outcome.error, MappingError):
        extensions.update(
            field=outcome.error.field,
            sourceField=outcome.error.source_field,
            value=outcome.error.value,
        )
    return extensions


class _OutcomeLoader(DataLoader[K, V], Generic[K, V]):
    def __init__(self, federation: Federation) -> None:
        super().__init__()
        self.federation = federation
        self.stale: dict[K, StaleNote] = {}

    async def outcomes(self, keys: Sequence[K]) -> list[Outcome]:
        raise NotImplementedError

    # aiodataloader raises an Exception returned for a key from that key's load(); its
    # annotations do not say so, hence the override ignore.
    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | BaseException]:  # type: ignore[override]
        results: list[V | BaseException] = []
        for key, outcome in zip(keys, await self.outcomes(keys), strict=True):
            if outcome.failed:
                assert outcome.error is not None
                results.append(
                    SourceFailure(
                        outcome.error.user_message,
                        code=outcome.error.code,
                        **failure_extensions(outcome),
                    )
                )
                continue
            if outcome.stale_age_seconds is not None and outcome.error is not None:
                self.stale[key] = StaleNote(
                    outcome.stale_age_seconds,
                    outcome.municipality_id,
                    outcome.source,
                    outcome.error,
                )
            results.append(outcome.value)
        return results


class ListByMunicipalityLoader(_OutcomeLoader[str, list[Record]]):
    """Key: municipality id. Value: every record of the capability for it."""

    def __init__(self, federation: Federation, capability: Capability) -> None:
        super().__init__(federation)
        self.capability = capability

    async def outcomes(self, keys: Sequence[str]) -> list[Outcome]:
        return await self.federation.dispatcher.list_for(self.capability, keys)


class RecordByKeyLoader(_OutcomeLoader[RecordKey, Record | None]):
    """Key: (municipality id, record id in its source). Value: the record or None."""

    def __init__(self, federation: Federation, capability: Capability) -> None:
        super().__init__(federation)
        self.capability = capability

    async def outcomes(self, keys: Sequence[RecordKey]) -> list[Outcome]:
        return await self.federation.dispatcher.fetch_many(self.capability, keys)


class ExternalRequestLoader(DataLoader[tuple[str, str], ExternalRequest | None]):
    """Key: (municipality id, tracking number in capitals). Value: the request as that
    municipality's own request sources hold it, or None. One call per lookup per level
    for all the numbers of a municipality; a failed lookup is a `SourceFailure` for its
    numbers only."""

    def __init__(self, federation: Federation) -> None:
        super().__init__()
        self.federation = federation

    async def batch_load_fn(  # type: ignore[override]
        self, keys: Sequence[tuple[str, str]]
    ) -> list[ExternalRequest | BaseException | None]:
        numbers: dict[str, list[str]] = {}
        for municipality_id, number in keys:
            numbers.setdefault(municipality_id, []).append(number)
        answers: list[LookupResult] = await asyncio.gather(
            *(lookup_requests(self.federation, m, wanted) for m, wanted in numbers.items())
        )
        by_municipality = dict(zip(numbers, answers, strict=True))
        results: list[ExternalRequest | BaseException | None] = []
        for municipality_id, number in keys:
            answer = by_municipality[municipality_id]
            failure = answer.failures.get(number)
            if failure is not None:
                results.append(
                    SourceFailure(
                        failure.error.user_message,
                        code=failure.error.code,
                        municipality=municipality_id,
                        source=failure.source,
                    )
                )
            else:
                results.append(answer.found.get(number))
        return results


class Loaders:
    """Every loader a request may use; fresh per request (or subscription).

    Each loader is made on first use: most requests use one or two of them, and a
    DataLoader is not free to make.
    """

    def __init__(self, federation: Federation) -> None:
        self.federation = federation

    @functools.cached_property
    def services_by_municipality(self) -> ListByMunicipalityLoader:
        return ListByMunicipalityLoader(self.federation, Capability.SERVICES)

    @functools.cached_property
    def service_by_key(self) -> RecordByKeyLoader:
        return RecordByKeyLoader(self.federation, Capability.SERVICES)

    @functools.cached_property
    def departments_by_municipality(self) -> ListByMunicipalityLoader:
        return ListByMunicipalityLoader(self.federation, Capability.DEPARTMENTS)

    @functools.cached_property
    def department_by_key(self) -> RecordByKeyLoader:
        return RecordByKeyLoader(self.federation, Capability.DEPARTMENTS)

    @functools.cached_property
    def works_by_municipality(self) -> ListByMunicipalityLoader:
        return ListByMunicipalityLoader(self.federation, Capability.WORKS)

    @functools.cached_property
    def procurement_by_municipality(self) -> ListByMunicipalityLoader:
        return ListByMunicipalityLoader(self.federation, Capability.PROCUREMENT)

    @functools.cached_property
    def budget_by_municipality(self) -> ListByMunicipalityLoader:
        return ListByMunicipalityLoader(self.federation, Capability.BUDGET)

    @functools.cached_property
    def external_requests(self) -> ExternalRequestLoader:
        return ExternalRequestLoader(self.federation)
