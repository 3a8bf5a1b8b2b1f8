"""Redis clients built the way the current `redis.asyncio` API expects.

An asyncio client takes `redis.asyncio.retry.Retry`; a synchronous `redis.retry.Retry`
given to it is misused (redis-py 8 warns, and its retries would block the loop).
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

__all__ = ["fail_fast_client", "listening_client"]


def fail_fast_client(url: str, timeout: float) -> Any:
    """A client for calls that must never hold up a request: short timeouts, no retries."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def listening_client(url: str, connect_timeout: float) -> Any:
    """A client that waits as long as a subscription lasts: no read timeout."""
    return aioredis.Redis.from_url(
        url, socket_connect_timeout=connect_timeout, health_check_interval=30
    )
