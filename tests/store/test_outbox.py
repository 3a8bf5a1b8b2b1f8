"""`store.outbox` on SQLite and PostgreSQL: leased claims that only one
worker wins, attempts counted, backoff, leases that run out when a worker dies."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from store.outbox import (
    MAX_BACKOFF_SECONDS,
    Outbox,
    OutboxKind,
    OutboxState,
    backoff,
    enqueue,
)


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


async def _enqueue(engine: AsyncEngine, clock: Clock, count: int = 1) -> list[str]:
    async with engine.begin() as connection:
        return [
            await enqueue(
                connection,
                OutboxKind.DELIVER_REQUEST,
                "santo-domingo-este",
                request_id=f"r{n}",
                now=clock(),
            )
            for n in range(count)
        ]


async def test_an_item_is_claimed_by_one_worker_only(engine: AsyncEngine) -> None:
    clock = Clock()
    await _enqueue(engine, clock, 12)
    outboxes = [Outbox(engine, now=clock) for _ in range(4)]
    claims = await asyncio.gather(*(o.claim(f"w{i}", limit=12) for i, o in enumerate(outboxes)))
    claimed = [item.id for claim in claims for item in claim]
    assert len(claimed) == len(set(claimed)) == 12
    assert all(item.attempts == 1 and not item.may_have_arrived for c in claims for item in c)


async def test_a_dead_workers_lease_runs_out_and_counts_as_an_attempt(engine: AsyncEngine) -> None:
    clock = Clock()
    [item_id] = await _enqueue(engine, clock)
    outbox = Outbox(engine, now=clock)
    assert len(await outbox.claim("dead", lease_seconds=30)) == 1
    assert await outbox.claim("other") == []
    clock.advance(31)
    [again] = await outbox.claim("other")
    assert again.id == item_id and again.attempts == 2 and again.may_have_arrived
    # The dead worker's late completion does not count: the lease moved on.
    assert not await outbox.complete(item_id, "dead")
    assert await outbox.complete(item_id, "other")
    assert (await outbox.items(state=OutboxState.DONE))[0].id == item_id
    assert await outbox.pending_count() == 0


async def test_retry_later_backs_off_and_fail_keeps_the_item(engine: AsyncEngine) -> None:
    clock = Clock()
    await _enqueue(engine, clock, 2)
    outbox = Outbox(engine, now=clock, first_backoff_seconds=2)
    retried, failed = await outbox.claim("w")
    when = await outbox.retry_later(retried, "UPSTREAM_UNAVAILABLE")
    assert when == clock() + dt.timedelta(seconds=2)
    await outbox.fail(failed, "MAPPING_ERROR")
    assert await outbox.claim("w") == []
    clock.advance(2)
    [back] = await outbox.claim("w")
    assert (
        back.id == retried.id and back.attempts == 2 and back.last_error == "UPSTREAM_UNAVAILABLE"
    )
    [kept] = await outbox.items(state=OutboxState.FAILED)
    assert kept.id == failed.id and kept.last_error == "MAPPING_ERROR"
    assert await outbox.pending_count(OutboxKind.DELIVER_REQUEST) == 1


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff(40) == MAX_BACKOFF_SECONDS


async def test_nothing_is_enqueued_when_the_transaction_rolls_back(engine: AsyncEngine) -> None:
    clock = Clock()

    class Abort(Exception):
        pass

    try:
        async with engine.begin() as connection:
            await enqueue(connection, OutboxKind.EMAIL, "santiago", now=clock())
            raise Abort
    except Abort:
        pass
    assert await Outbox(engine, now=clock).items() == []
