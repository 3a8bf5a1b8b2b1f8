"""Timeouts, retries, the circuit breaker and the binding cache, around a real hub store.

Outages are injected by replacing the connector's read method; the sources themselves
are real (SQLite through the `native` connector).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import strawberry
import yaml

from connectors import (
    Binding,
    Capability,
    Connector,
    Federation,
    MappingError,
    SourceStatus,
    TransientError,
)
from schema import HubContext
from tests.fixtures import MUNICIPALITIES_DIR, FakeClock, demo_federation


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def federation(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Federation]:
    """Santiago's services cached for 60 s; its source opens the circuit after 2 failures."""
    directory = tmp_path / "municipalities"
    shutil.copytree(MUNICIPALITIES_DIR, directory)
    path = directory / "santiago.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"]["hub"].update(
        circuit_failure_threshold=2,
        circuit_reset_seconds=30,
        timeout_seconds=0.3,
        retries=1,
        retry_backoff_seconds=0.01,
    )
    data["bindings"]["services"]["cache_ttl_seconds"] = 60
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    federation = await demo_federation(
        f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", directory, clock=clock
    )
    yield federation
    await federation.close()


def _santiago(federation: Federation) -> Connector:
    served = federation.binding("santiago", Capability.SERVICES)
    assert served is not None
    return served[0]


class Upstream:
    """Replaces `list_for` with a controllable stand-in that counts calls."""

    def __init__(self, connector: Connector) -> None:
        self.real = connector.list_for
        self.calls = 0
        self.mode = "up"
        connector.list_for = self  # type: ignore[method-assign]

    async def __call__(self, binding: Binding, ids: Sequence[str]) -> Any:
        self.calls += 1
        if self.mode == "down":
            raise TransientError("connection refused")
        if self.mode == "flaky":
            self.mode = "up"
            raise TransientError("connection reset")
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "garbage":
            raise MappingError(
                "fee 'abc'", field="fee_amount", source_field="TARIFA", value="'abc'"
            )
        return await self.real(binding, ids)


async def _list(federation: Federation) -> Any:
    (outcome,) = await federation.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    return outcome


async def test_fresh_cache_spares_the_upstream_until_the_lifetime_ends(
    federation: Federation, clock: FakeClock
) -> None:
    upstream = Upstream(_santiago(federation))
    first = await _list(federation)
    second = await _list(federation)
    assert upstream.calls == 1
    assert second.value == first.value and second.error is None
    clock.now += 61
    await _list(federation)
    assert upstream.calls == 2


async def test_transient_failure_is_retried_once(federation: Federation) -> None:
    upstream = Upstream(_santiago(federation))
    upstream.mode = "flaky"
    outcome = await _list(federation)
    assert outcome.error is None and outcome.value
    assert upstream.calls == 2


async def test_failed_source_serves_the_cached_value_marked_stale(
    federation: Federation, clock: FakeClock, hub_schema: strawberry.Schema
) -> None:
    upstream = Upstream(_santiago(federation))
    fresh = await _list(federation)
    clock.now += 125
    upstream.mode = "down"
    stale = await _list(federation)
    assert stale.value == fresh.value
    assert stale.stale_age_seconds == pytest.approx(125)
    assert stale.error is not None and stale.error.code == "UPSTREAM_UNAVAILABLE"

    result = await hub_schema.execute(
        '{ municipality(id: "santiago") { services { id } } }',
        context_value=HubContext.create(federation),
    )
    assert len(result.data["municipality"]["services"]) == len(fresh.value)
    (error,) = result.errors or []
    assert error.path == ["municipality", "services"]
    assert error.extensions["stale"] is True
    assert error.extensions["ageSeconds"] == pytest.approx(125, abs=1)
    assert error.extensions["municipality"] == "santiago"
    assert error.extensions["source"] == "hub"
    assert "datos guardados" in error.message


async def test_without_a_cached_value_the_field_is_null_with_the_error(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    Upstream(_santiago(federation)).mode = "down"
    result = await hub_schema.execute(
        '{ municipality(id: "santiago") { name services { id } } }',
        context_value=HubContext.create(federation),
    )
    assert result.data == {"municipality": {"name": "Santiago de los Caballeros", "services": None}}
    (error,) = result.errors or []
    assert error.extensions == {
        "code": "UPSTREAM_UNAVAILABLE",
        "municipality": "santiago",
        "source": "hub",
    }


async def test_circuit_opens_after_failures_and_closes_when_the_source_returns(
    federation: Federation, clock: FakeClock
) -> None:
    connector = _santiago(federation)
    upstream = Upstream(connector)
    upstream.mode = "down"
    health = federation.health_of(connector)
    await _list(federation)  # two attempts: the first read and its retry
    await _list(federation)
    calls_when_opened = upstream.calls
    assert health.status is SourceStatus.CIRCUIT_OPEN
    outcome = await _list(federation)
    assert upstream.calls == calls_when_opened, "an open circuit does not call the source"
    assert outcome.error is not None and outcome.error.code == "UPSTREAM_CIRCUIT_OPEN"
    assert health.last_error_at is not None

    clock.now += 31
    upstream.mode = "up"
    recovered = await _list(federation)
    assert recovered.error is None and recovered.value
    assert health.status is SourceStatus.OK


async def test_a_source_that_never_answers_costs_only_its_timeout(federation: Federation) -> None:
    upstream = Upstream(_santiago(federation))
    upstream.mode = "hang"
    started = time.monotonic()
    outcomes = await federation.dispatcher.list_for(Capability.SERVICES, ["santiago", "la-vega"])
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, "timeout is 0.3 s, retries included"
    assert outcomes[0].error is not None and outcomes[0].error.code == "UPSTREAM_TIMEOUT"
    assert outcomes[1].error is None and outcomes[1].value, "the other source still answers"


async def test_bad_data_is_reported_but_does_not_open_the_circuit(federation: Federation) -> None:
    connector = _santiago(federation)
    Upstream(connector).mode = "garbage"
    for _ in range(3):
        outcome = await _list(federation)
        assert outcome.error is not None and outcome.error.code == "UPSTREAM_MAPPING"
    assert federation.health_of(connector).status is SourceStatus.DEGRADED
