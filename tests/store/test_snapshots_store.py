"""The snapshot store on SQLite and on PostgreSQL: kept, replaced, expired, swept, and
written by several workers at once."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.snapshots import HubSnapshots, source_snapshots


class WallClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def test_a_snapshot_is_kept_replaced_and_expires(engine: AsyncEngine) -> None:
    clock = WallClock()
    store = HubSnapshots(engine, keep_seconds=3600, now=clock)
    await store.save("k", "santiago", [{"id": "a", "fee_amount": Decimal("1500.50")}])
    clock.now += dt.timedelta(seconds=90)
    kept = await store.load("k")
    assert kept is not None and kept.age_seconds == 90
    assert kept.value == [{"id": "a", "fee_amount": Decimal("1500.50")}]
    await store.save("k", "santiago", [{"id": "b"}])
    kept = await store.load("k")
    assert kept is not None and kept.value == [{"id": "b"}] and kept.age_seconds == 0
    clock.now += dt.timedelta(seconds=3601)
    assert await store.load("k") is None
    assert await store.load("never-saved") is None


async def test_old_rows_are_swept_when_new_ones_come(engine: AsyncEngine) -> None:
    clock = WallClock()
    await HubSnapshots(engine, keep_seconds=60, now=clock).save("old", "santiago", [])
    clock.now += dt.timedelta(seconds=61)
    await HubSnapshots(engine, keep_seconds=60, now=clock).save("new", "santiago", [])
    async with engine.connect() as connection:
        keys = set((await connection.execute(sa.select(source_snapshots.c.key))).scalars())
    assert keys == {"new"}


async def test_workers_keeping_the_same_read_at_once_leave_one_row(engine: AsyncEngine) -> None:
    stores = [HubSnapshots(engine) for _ in range(6)]
    await asyncio.gather(
        *(store.save("same", "santiago", [{"id": str(n)}]) for n, store in enumerate(stores))
    )
    kept = await stores[0].load("same")
    assert kept is not None and kept.value in [[{"id": str(n)}] for n in range(6)]
    async with engine.connect() as connection:
        count = (
            await connection.execute(sa.select(sa.func.count()).select_from(source_snapshots))
        ).scalar_one()
    assert count == 1
