"""Last known answers kept in the hub store: shared by workers, kept across restarts.

Outages are injected as in test_dispatch (the connector's read replaced by a stand-in);
the store is real SQLite, and each "restart" is a new federation on the same database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import time
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import Binding, Capability, Federation, RecordKey, TransientError
from connectors.last_known import MISS_SECONDS, RECALL_TIMEOUT_SECONDS
from connectors.snapshots import (
    KEPT_CAPABILITIES,
    NotStorable,
    Snapshot,
    SnapshotStore,
    decode,
    encode,
)
from store.snapshots import HubSnapshots, source_snapshots
from store.store import create_engine
from tests.fixtures import MUNICIPALITIES_DIR, FakeClock, demo_federation

# --------------------------------------------------------------------------- encoding


def test_values_come_back_exactly_as_they_were() -> None:
    value = [
        {
            "id": "licencia",
            "fee_amount": Decimal("1234567.50"),
            "valid_from": dt.date(2026, 1, 31),
            "updated_at": dt.datetime(2026, 11, 24, 8, 30, tzinfo=dt.UTC),
            "requirements": ["Cédula", "Plano"],
            "duration_days": 15,
            "online": True,
            "score": 0.5,
            "legal_basis": None,
        },
        {"$decimal": "not a tag, a field name", "$map": {"$date": "x"}},
    ]
    assert decode(encode(value)) == value
    assert isinstance(decode(encode(value))[0]["fee_amount"], Decimal)


@pytest.mark.parametrize("value", [{1, 2}, object(), {1: "numeric key"}, [b"bytes"]])
def test_a_value_of_an_unknown_type_is_refused(value: Any) -> None:
    with pytest.raises(NotStorable):
        encode(value)


def test_capabilities_that_may_hold_personal_data_are_never_kept() -> None:
    assert {Capability.REQUESTS, Capability.SUGGESTIONS, Capability.HELPDESK}.isdisjoint(
        KEPT_CAPABILITIES
    )
    assert {Capability.SERVICES, Capability.DEPARTMENTS} <= KEPT_CAPABILITIES


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await demo_federation(url)  # migrates the store
    made = create_engine(url)
    yield made
    await made.dispose()


# --------------------------------------------------------------------------- the dispatcher


class Upstream:
    """Santiago's source, which a test may take down (every read then fails)."""

    def __init__(self, federation: Federation) -> None:
        served = federation.binding("santiago", Capability.SERVICES)
        assert served is not None
        connector = served[0]
        self.real_list, self.real_fetch = connector.list_for, connector.fetch_many
        self.down = False
        self.calls = 0
        connector.list_for = self.list_for  # type: ignore[method-assign]
        connector.fetch_many = self.fetch_many  # type: ignore[method-assign]

    async def list_for(self, binding: Binding, municipality_ids: Sequence[str]) -> Any:
        self.calls += 1
        if self.down:
            raise TransientError("connection refused")
        return await self.real_list(binding, municipality_ids)

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> Any:
        self.calls += 1
        if self.down:
            raise TransientError("connection refused")
        return await self.real_fetch(binding, keys)


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """The test municipalities, Santiago's services cached for 60 s."""
    copied = tmp_path / "municipalities"
    shutil.copytree(MUNICIPALITIES_DIR, copied)
    path = copied / "santiago.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"]["hub"].update(retries=0, circuit_failure_threshold=100)
    data["bindings"]["services"]["cache_ttl_seconds"] = 60
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copied


async def start(engine: AsyncEngine, directory: Path, *, snapshots: bool = True) -> Federation:
    """A hub start: a new federation (its own empty cache) on the same store."""
    url = str(engine.url.render_as_string(hide_password=False))
    return await demo_federation(
        url,
        directory,
        clock=FakeClock(),
        snapshots=HubSnapshots(engine) if snapshots else None,
    )


async def test_a_restart_during_an_outage_serves_the_last_known_catalogue(
    engine: AsyncEngine, directory: Path
) -> None:
    first = await start(engine, directory)
    (fresh,) = await first.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert fresh.error is None and fresh.value
    await first.close()  # waits for the snapshot being kept

    restarted = await start(engine, directory)
    Upstream(restarted).down = True
    (outcome,) = await restarted.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert outcome.value == fresh.value
    assert outcome.error is not None and outcome.error.code == "UPSTREAM_UNAVAILABLE"
    assert outcome.stale_age_seconds is not None and 0 <= outcome.stale_age_seconds < 60

    # One service by its id: the last known list answers for it, and for what it lacks.
    known = fresh.value[0]["id"]
    found, missing = await restarted.dispatcher.fetch_many(
        Capability.SERVICES, [("santiago", known), ("santiago", "no-such-service")]
    )
    assert found.value == fresh.value[0] and found.stale_age_seconds is not None
    assert missing.value is None and missing.stale_age_seconds is not None
    await restarted.close()


async def test_without_the_store_a_restart_during_an_outage_has_nothing(
    engine: AsyncEngine, directory: Path
) -> None:
    first = await start(engine, directory, snapshots=False)
    await first.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    await first.close()
    restarted = await start(engine, directory, snapshots=False)
    Upstream(restarted).down = True
    (outcome,) = await restarted.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert outcome.failed and outcome.value is None
    await restarted.close()


async def test_another_worker_finds_what_the_first_kept(
    engine: AsyncEngine, directory: Path, tmp_path: Path
) -> None:
    """Two workers run side by side; only the first ever read the source before it fell."""
    worker_a = await start(engine, directory)
    worker_b = await start(engine, directory)
    (fresh,) = await worker_a.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    await worker_a.dispatcher.settled()
    Upstream(worker_b).down = True
    (outcome,) = await worker_b.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert outcome.value == fresh.value and outcome.stale_age_seconds is not None
    # Recalled once into worker B's own cache: the next failure needs no store.
    broken = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    worker_b.dispatcher.last_known.snapshots = HubSnapshots(broken)
    (again,) = await worker_b.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert again.value == fresh.value  # fresh within the binding's lifetime, as read by A
    await worker_a.close()
    await worker_b.close()
    await broken.dispose()


async def test_a_binding_without_a_cache_lifetime_keeps_nothing(
    engine: AsyncEngine, directory: Path
) -> None:
    # La Vega's services are not cached in the test files (no `cache_ttl_seconds`).
    federation = await start(engine, directory)
    (fresh,) = await federation.dispatcher.list_for(Capability.SERVICES, ["la-vega"])
    assert fresh.error is None
    await federation.close()
    async with engine.connect() as connection:
        count = (
            await connection.execute(sa.select(sa.func.count()).select_from(source_snapshots))
        ).scalar_one()
    assert count == 0


async def test_a_store_that_fails_costs_only_the_snapshot(tmp_path: Path, directory: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    federation = await demo_federation(url, directory, clock=FakeClock())
    # A store whose database has no such table: every save and load fails.
    broken = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    federation.dispatcher.last_known.snapshots = HubSnapshots(broken)
    (fresh,) = await federation.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert fresh.error is None and fresh.value
    await federation.dispatcher.settled()
    federation.dispatcher.cache.clear()
    Upstream(federation).down = True
    (outcome,) = await federation.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert outcome.failed and outcome.error is not None
    await federation.close()
    await broken.dispose()


class SlowStore(SnapshotStore):
    """A hub store that has nothing, or that never answers; counts what it is asked."""

    def __init__(self, *, hangs: bool) -> None:
        self.hangs = hangs
        self.loads = 0

    async def load(self, key: str) -> Snapshot | None:
        self.loads += 1
        if self.hangs:
            await asyncio.sleep(3600)
        return None

    async def save(self, key: str, municipality_id: str, value: Any) -> None:
        return None


@pytest.mark.parametrize("hangs", [True, False], ids=["store-hangs", "store-has-nothing"])
async def test_a_failed_read_asks_the_store_briefly_and_once_per_half_minute(
    tmp_path: Path, directory: Path, hangs: bool
) -> None:
    clock = FakeClock()
    federation = await demo_federation(
        f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", directory, clock=clock
    )
    store = SlowStore(hangs=hangs)
    federation.dispatcher.last_known.snapshots = store
    Upstream(federation).down = True
    started = time.monotonic()
    (outcome,) = await federation.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert time.monotonic() - started < RECALL_TIMEOUT_SECONDS + 0.4
    assert outcome.failed
    for _ in range(5):
        await federation.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert store.loads == 1, "not asked again within the half-minute"
    clock.now += MISS_SECONDS + 1
    await federation.dispatcher.list_for(Capability.SERVICES, ["santiago"])
    assert store.loads == 2
    await federation.close()
