"""The event bus behind `requestStatusChanged` (the protocol is `schema.events`).

`LocalEvents` reaches the subscribers of this process only: right for one worker.
`RedisEvents` uses Redis pub/sub, so that a change made through any worker or host (or by
the delivery worker reading an upstream's status back) reaches every subscriber. Messages
carry a tracking number only, on a channel named after it; each publish for a request
also reaches its government's figures topic (`schema.events.figures_topic_of`), which
`transactionFiguresChanged` follows.

A publish that fails (Redis down) is logged without the number and dropped: the change
itself is committed, and a page shows it when read again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis.exceptions import RedisError

from gateway.redis_clients import fail_fast_client, listening_client
from schema.events import RequestEvents, figures_topic_of

__all__ = ["LocalEvents", "RedisEvents", "events_for", "topics_of"]

log = logging.getLogger("planasmun.events")

#: Signals a slow subscriber has not read yet; more are merged (one re-read is enough).
QUEUE_SIZE = 1


def topics_of(tracking_number: str) -> list[str]:
    """The request's own topic and, for a request, its government's figures."""
    figures = figures_topic_of(tracking_number)
    return [tracking_number] if figures is None else [tracking_number, figures]


class LocalEvents:
    """Subscribers in this process, one queue each."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[None]]] = {}

    def subscriber_count(self, tracking_number: str) -> int:
        return len(self._subscribers.get(tracking_number, ()))

    async def publish(self, tracking_number: str) -> None:
        for topic in topics_of(tracking_number):
            for queue in list(self._subscribers.get(topic, ())):
                if not queue.full():
                    queue.put_nowait(None)

    async def subscribe(self, tracking_number: str) -> AsyncIterator[str]:
        queue: asyncio.Queue[None] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.setdefault(tracking_number, set()).add(queue)
        try:
            yield tracking_number
            while True:
                await queue.get()
                yield tracking_number
        finally:
            listeners = self._subscribers.get(tracking_number)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._subscribers[tracking_number]

    async def aclose(self) -> None:
        self._subscribers.clear()


class RedisEvents:
    """Redis pub/sub: one channel per tracking number, `<prefix><number>`."""

    def __init__(
        self, url: str, *, prefix: str = "planasmun:requests:", timeout: float = 0.5
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self._publisher: Any = None
        self._listener: Any = None

    def _clients(self) -> tuple[Any, Any]:
        if self._publisher is None:
            self._publisher = fail_fast_client(self.url, self.timeout)
            self._listener = listening_client(self.url, self.timeout)
        return self._publisher, self._listener

    async def publish(self, tracking_number: str) -> None:
        publisher, _ = self._clients()
        try:
            for topic in topics_of(tracking_number):
                await publisher.publish(self.prefix + topic, b"1")
        except (TimeoutError, RedisError, OSError) as exc:
            log.warning("live update not published: %s", type(exc).__name__)

    async def subscribe(self, tracking_number: str) -> AsyncIterator[str]:
        _, listener = self._clients()
        pubsub = listener.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.prefix + tracking_number)
            yield tracking_number
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None and message.get("type") == "message":
                    yield tracking_number
        finally:
            try:
                await pubsub.aclose()
            except Exception:  # closing a broken connection must not mask the reason
                log.debug("closing a live-update subscription failed")

    async def aclose(self) -> None:
        for client in (self._publisher, self._listener):
            if client is not None:
                await client.aclose()
        self._publisher = self._listener = None


def events_for(redis_url: str | None) -> LocalEvents | RedisEvents:
    """Redis when the hub has one (several workers share it), else this process."""
    return LocalEvents() if not redis_url else RedisEvents(redis_url)


def _check_protocol(bus: LocalEvents | RedisEvents) -> RequestEvents:
    return bus
