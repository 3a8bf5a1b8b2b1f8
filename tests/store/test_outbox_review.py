"""Failed outbox items for a person: one municipality's, most recently given up first and
bounded, and `retry`, which puts only a FAILED item of that municipality back in the pool
(due now, lease cleared, attempts kept), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from store.outbox import MAX_FAILED_PAGE, Outbox, OutboxKind, OutboxState, enqueue
from tests.store.test_outbox import Clock

SDE = "santo-domingo-este"
SANTIAGO = "santiago"


async def _failed(outbox: Outbox, clock: Clock, municipality: str, code: str) -> str:
    """An item of `municipality`, claimed once and given up with `code`, a minute on."""
    async with outbox.engine.begin() as connection:
        item_id = await enqueue(
            connection, OutboxKind.DELIVER_REQUEST, municipality, request_id="r", now=clock()
        )
    [claimed] = await outbox.claim("w", limit=1)
    assert claimed.id == item_id
    await outbox.fail(claimed, code)
    clock.advance(60)
    return item_id


async def test_failing_records_when_and_why(engine: AsyncEngine) -> None:
    clock = Clock()
    outbox = Outbox(engine, now=clock)
    given_up_at = clock()
    item_id = await _failed(outbox, clock, SDE, "UPSTREAM_MAPPING")
    [item] = await outbox.failed(SDE)
    assert item.id == item_id
    assert (item.state, item.last_error, item.attempts) == (
        OutboxState.FAILED,
        "UPSTREAM_MAPPING",
        1,
    )
    assert item.done_at == given_up_at


async def test_the_list_is_one_municipalitys_newest_first_and_bounded(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    outbox = Outbox(engine, now=clock)
    first = await _failed(outbox, clock, SDE, "UPSTREAM_MAPPING")
    elsewhere = await _failed(outbox, clock, SANTIAGO, "UPSTREAM_MAPPING")
    second = await _failed(outbox, clock, SDE, "SMTP_RECIPIENT_REFUSED")
    async with engine.begin() as connection:  # pending: not a failed one
        await enqueue(connection, OutboxKind.EMAIL, SDE, request_id="r", now=clock())

    assert [i.id for i in await outbox.failed(SDE)] == [second, first]
    assert [i.id for i in await outbox.failed(SANTIAGO)] == [elsewhere]
    assert [i.id for i in await outbox.failed(SDE, limit=1)] == [second]
    assert [i.id for i in await outbox.failed(SDE, limit=1, offset=1)] == [first]
    assert await outbox.failed(SDE, offset=2) == []
    for limit in (0, MAX_FAILED_PAGE + 1):
        with pytest.raises(ValueError, match="limit"):
            await outbox.failed(SDE, limit=limit)


async def test_retry_puts_a_failed_item_back_due_now_keeping_its_attempts(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    outbox = Outbox(engine, now=clock)
    item_id = await _failed(outbox, clock, SDE, "UPSTREAM_MAPPING")
    clock.advance(3600)

    assert await outbox.retry(item_id, SDE) is True
    back = await outbox.item(item_id)
    assert back is not None
    assert back.state is OutboxState.PENDING
    assert back.next_attempt_at == clock()
    assert back.done_at is None
    assert back.attempts == 1
    assert await outbox.failed(SDE) == []
    # Claimable at once; the claim counts the second attempt, which may ask upstream first.
    [again] = await outbox.claim("other")
    assert again.id == item_id and again.attempts == 2 and again.may_have_arrived


async def test_retry_changes_nothing_for_other_states_or_municipalities(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    outbox = Outbox(engine, now=clock)
    failed = await _failed(outbox, clock, SDE, "UPSTREAM_MAPPING")
    async with engine.begin() as connection:
        pending = await enqueue(connection, OutboxKind.EMAIL, SDE, request_id="p", now=clock())
        done = await enqueue(connection, OutboxKind.EMAIL, SDE, request_id="d", now=clock())
    claimed = {i.id: i for i in await outbox.claim("w", limit=5)}
    assert await outbox.complete(done, "w")
    before = {i.id: i for i in await outbox.items()}

    assert await outbox.retry(failed, SANTIAGO) is False  # another municipality's
    assert await outbox.retry(pending, SDE) is False  # leased, pending
    assert await outbox.retry(done, SDE) is False
    assert await outbox.retry("0" * 32, SDE) is False  # no such item
    assert {i.id: i for i in await outbox.items()} == before
    assert before[pending].attempts == claimed[pending].attempts == 1

    assert await outbox.retry(failed, SDE) is True
    assert await outbox.retry(failed, SDE) is False  # twice: put back once
