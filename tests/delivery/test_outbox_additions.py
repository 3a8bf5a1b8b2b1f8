"""What the delivery worker adds to the outbox, on SQLite and PostgreSQL: a configurable
backoff cap, bringing a municipality's waiting items forward when its system is back, and
the counts behind the metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from store.outbox import Outbox, OutboxKind, OutboxState, backoff, enqueue
from store.store import create_engine
from tests.store.test_outbox import Clock


@pytest.fixture
async def engine(store_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(store_url)
    yield engine
    await engine.dispose()


async def _enqueue(engine: AsyncEngine, clock: Clock, kind: OutboxKind, municipality: str) -> str:
    async with engine.begin() as connection:
        return await enqueue(connection, kind, municipality, request_id="r", now=clock())


def test_the_backoff_cap_is_configurable() -> None:
    assert [backoff(n, 0.5, 3.0) for n in (1, 2, 3, 4, 60)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff(10_000) == 300.0  # no overflow after very many attempts


async def test_a_municipalitys_waiting_items_are_brought_forward(engine: AsyncEngine) -> None:
    clock = Clock()
    outbox = Outbox(engine, now=clock, first_backoff_seconds=60, max_backoff_seconds=600)
    sde = [await _enqueue(engine, clock, OutboxKind.DELIVER_REQUEST, "santo-domingo-este")]
    sde.append(await _enqueue(engine, clock, OutboxKind.DELIVER_REQUEST, "santo-domingo-este"))
    other = await _enqueue(engine, clock, OutboxKind.DELIVER_REQUEST, "la-vega")
    mail = await _enqueue(engine, clock, OutboxKind.EMAIL, "santo-domingo-este")
    for item in await outbox.claim("w", limit=10):
        await outbox.retry_later(item, "UPSTREAM_UNAVAILABLE")
    assert await outbox.claim("w") == []

    assert await outbox.expedite(OutboxKind.DELIVER_REQUEST, "santo-domingo-este") == 2
    assert sorted(i.id for i in await outbox.claim("w", limit=10)) == sorted(sde)
    assert other not in [i.id for i in await outbox.claim("w")]
    assert mail not in [i.id for i in await outbox.claim("w")]


async def test_counts_by_state_kind_and_municipality(engine: AsyncEngine) -> None:
    clock = Clock()
    outbox = Outbox(engine, now=clock)
    await _enqueue(engine, clock, OutboxKind.DELIVER_REQUEST, "santo-domingo-este")
    await _enqueue(engine, clock, OutboxKind.EMAIL, "santo-domingo-este")
    await _enqueue(engine, clock, OutboxKind.EMAIL, "santo-domingo-este")
    [first, second, _] = await outbox.claim("w", limit=3)
    await outbox.fail(first, "UPSTREAM_MAPPING")
    await outbox.complete(second.id, "w")
    counts = await outbox.counts()
    assert sum(counts.values()) == 2
    assert counts[(OutboxState.FAILED, first.kind, "santo-domingo-este")] == 1
    assert all(state is not OutboxState.DONE for state, _, _ in counts)
