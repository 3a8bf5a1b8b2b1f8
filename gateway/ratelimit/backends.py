"""Where the counters live: this process (default) or Redis (shared by every worker).

Both count with the generic cell rate algorithm (GCRA), a token bucket kept as one number
per client: its *theoretical arrival time* (TAT). A `Rate` of `limit` requests per
`period` lets a new request through every `period / limit` seconds on average and up to
`burst` at once; a refused request costs nothing, and the answer says how long to wait.

Counter names are keyed hashes of the identity (an address, an API key), never the
identity itself: the in-process backend keys them with a random secret of its own, the
Redis backend with one kept in Redis (created once, shared by every worker).
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import math
import os
import time
from collections.abc import Callable
from typing import Any, Protocol

from redis.exceptions import RedisError

from gateway.redis_clients import fail_fast_client

#: Atomic GCRA step in Redis, on the server's clock (so that hosts' clocks never matter).
#: KEYS[1]: the counter; ARGV: emission interval (µs), burst. Returns {allowed, wait µs,
#: remaining}. Keys expire once their bucket is full again, so idle clients cost nothing.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if now < allow_at then
  return {0, allow_at - now, 0}
end
local ttl_ms = math.max(1, math.ceil((new_tat - now) / 1000))
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, 0, math.floor((now - allow_at) / interval)}
"""


SALT_REREAD_SECONDS = 60.0


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """`limit` requests per `period` seconds on average, `burst` of them at once."""

    limit: int
    period: float = 60.0
    burst: int | None = None

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0 or (self.burst is not None and self.burst < 1):
            raise ValueError(f"invalid rate: {self}")

    @property
    def interval(self) -> float:
        """Seconds between two requests at the steady rate."""
        return self.period / self.limit

    @property
    def capacity(self) -> int:
        return self.limit if self.burst is None else self.burst


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    #: Seconds until the next request would be let through (0 when allowed).
    retry_after: float
    #: Requests that could still be made at once.
    remaining: int
    #: A short pseudonym of the counter, safe for logs (no address, no key).
    pseudonym: str

    @property
    def retry_after_seconds(self) -> int:
        """For the `Retry-After` header: whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after))


class BackendUnavailable(Exception):
    """The shared store could not be reached; the caller decides what to do."""


class Backend(Protocol):
    async def hit(self, kind: str, identity: str, rate: Rate) -> Decision: ...

    async def aclose(self) -> None: ...


def counter_name(salt: bytes, kind: str, identity: str) -> str:
    """A keyed hash of the identity: the same client maps to the same counter, unreadably."""
    digest = hashlib.blake2b(identity.encode(), key=salt, digest_size=16, person=kind.encode()[:16])
    return f"{kind}:{digest.hexdigest()}"


def _pseudonym(name: str) -> str:
    kind, _, digest = name.partition(":")
    return f"{kind}:{digest[:10]}"


class MemoryBackend:
    """Counters in this process: exact for one worker, per worker with several.

    Safe under asyncio without a lock: a step reads and writes with no await between.
    Idle counters are dropped once their bucket is full again; `max_entries` bounds memory
    even against a flood of distinct clients (the oldest counters go first).
    """

    def __init__(
        self, *, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._salt = os.urandom(16)
        self._clock = clock
        self._max_entries = max_entries
        #: counter name → theoretical arrival time, in least recently used order.
        self._tat: collections.OrderedDict[str, float] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._tat)

    async def hit(self, kind: str, identity: str, rate: Rate) -> Decision:
        return self.hit_now(kind, identity, rate)

    def hit_now(self, kind: str, identity: str, rate: Rate) -> Decision:
        name = counter_name(self._salt, kind, identity)
        now = self._clock()
        interval = rate.interval
        tat = max(self._tat.get(name, now), now)
        new_tat = tat + interval
        allow_at = new_tat - rate.capacity * interval
        if now < allow_at:
            return Decision(False, allow_at - now, 0, _pseudonym(name))
        self._tat[name] = new_tat
        self._tat.move_to_end(name)
        if len(self._tat) > self._max_entries:
            self._prune(now)
        remaining = math.floor((now - allow_at) / interval + 1e-9)
        return Decision(True, 0.0, remaining, _pseudonym(name))

    def _prune(self, now: float) -> None:
        for name in [n for n, tat in self._tat.items() if tat <= now]:
            del self._tat[name]
        while len(self._tat) > self._max_entries:
            self._tat.popitem(last=False)

    async def aclose(self) -> None:
        self._tat.clear()


class RedisBackend:
    """Counters in Redis, shared by every worker and host: one atomic script per check.

    The client is made on first use, inside the worker's own event loop. Timeouts are
    short and there are no retries: a limiter that waits on a sick Redis would slow every
    request, so any failure is raised at once as `BackendUnavailable`.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "planasmun:ratelimit:",
        timeout: float = 0.5,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self._client: Any = None
        self._script: Any = None
        self._salt: bytes | None = None
        self._salt_read_at = 0.0

    def _connect(self) -> Any:
        if self._client is None:
            self._client = fail_fast_client(self.url, self.timeout)
            self._script = self._client.register_script(_GCRA_LUA)
        return self._client

    async def _shared_salt(self, client: Any) -> bytes:
        """The secret every worker keys counter names with, read again every minute (a
        restarted Redis gets a new one, and every worker must move to it together)."""
        if self._salt is None or time.monotonic() - self._salt_read_at > SALT_REREAD_SECONDS:
            key = f"{self.prefix}salt"
            await client.set(key, os.urandom(16).hex(), nx=True)
            value = await client.get(key)
            if value is None:
                raise BackendUnavailable("the counter salt vanished")
            self._salt, self._salt_read_at = bytes(value), time.monotonic()
        return self._salt

    async def hit(self, kind: str, identity: str, rate: Rate) -> Decision:
        try:
            client = self._connect()
            name = counter_name(await self._shared_salt(client), kind, identity)
            interval_us = max(1, round(rate.interval * 1_000_000))
            allowed, wait_us, remaining = await self._script(
                keys=[self.prefix + name], args=[interval_us, rate.capacity]
            )
        except (TimeoutError, RedisError, OSError) as exc:
            raise BackendUnavailable(type(exc).__name__) from exc
        return Decision(bool(allowed), int(wait_us) / 1_000_000, int(remaining), _pseudonym(name))

    async def aclose(self) -> None:
        client, self._client, self._script = self._client, None, None
        if client is not None:
            await client.aclose()
