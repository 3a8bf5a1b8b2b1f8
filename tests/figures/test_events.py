"""A change to a request reaches the subscribers of its local government's figures, on
the in-process bus and on Redis (two workers), and no other government's."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from gateway.events import LocalEvents, RedisEvents
from schema.events import figures_topic, figures_topic_of
from tests.support import require


def test_a_tracking_number_names_its_figures_and_nothing_else_does() -> None:
    assert figures_topic_of("SDE-2026-000123") == figures_topic("SDE") == "figures:SDE"
    assert figures_topic_of("figures:SDE") is None
    assert figures_topic_of("sde-2026-1") is None


async def _exchange(publisher: LocalEvents | RedisEvents, bus: LocalEvents | RedisEvents) -> None:
    # Short codes no other test uses: a shared Redis may carry other tests' changes.
    mine, theirs = "QZX", "QZY"
    figures = bus.subscribe(figures_topic(mine))
    others = bus.subscribe(figures_topic(theirs))
    assert await asyncio.wait_for(anext(figures), 5) == figures_topic(mine)
    assert await asyncio.wait_for(anext(others), 5) == figures_topic(theirs)
    await publisher.publish(f"{mine}-2026-{uuid.uuid4().int % 10**6:06d}")
    assert await asyncio.wait_for(anext(figures), 5) == figures_topic(mine)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(others), 0.3)
    await figures.aclose()  # type: ignore[attr-defined]
    await others.aclose()  # type: ignore[attr-defined]


async def test_the_in_process_bus_tells_the_figures_of_the_request_s_government() -> None:
    bus = LocalEvents()
    await _exchange(bus, bus)
    assert bus.subscriber_count(figures_topic("QZX")) == 0


async def test_the_redis_bus_tells_them_across_workers() -> None:
    url = os.environ.get("PLANASMUN_TEST_REDIS_URL")
    require(url is not None, "Redis (PLANASMUN_TEST_REDIS_URL)")
    assert url is not None
    publisher, subscriber = RedisEvents(url), RedisEvents(url)
    try:
        await _exchange(publisher, subscriber)
    finally:
        await publisher.aclose()
        await subscriber.aclose()
