"""Rate limits per client address and per API key, before anything else runs (pure ASGI).

Each request is counted against its client's address (see `client.py`). A request that
carries an `X-Api-Key` is counted against the key instead, at the key's own (larger)
rate, and also against its address at that same rate: until a key can be checked, a made-
up key per request must not buy a fresh budget. A `verify_key` hook lifts that (the app
passes `schema.developers.keys.ApiKeys.is_known`): a known key is counted only as itself, an
unknown or revoked one as its address.

Over the limit → `429 Too Many Requests` with `Retry-After` (whole seconds) and a message
in Spanish and English (JSON, or a plain page for browsers). Health probes and static
assets are never counted.

When the shared store (Redis) fails, requests are counted by this worker alone for a few
seconds before Redis is tried again, and a warning is logged (once per episode): the
hub keeps answering — nothing is refused that the shared count would have let through —
and a flood is still bounded per worker. Logs never show an address or a key, only a
short keyed-hash pseudonym of the counter.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import words
from gateway.ratelimit.backends import (
    Backend,
    BackendUnavailable,
    Decision,
    MemoryBackend,
    Rate,
    RedisBackend,
)
from gateway.ratelimit.client import ClientAddress, counted_as
from gateway.ratelimit.refusal import send_refusal

log = logging.getLogger("planasmun.ratelimit")

REFUSED = Counter(
    "planasmun_rate_limited",
    "Requests refused with 429, by counter kind (ip, key, ipk: a key's address).",
    ["kind"],
)
FALLBACKS = Counter(
    "planasmun_rate_limit_fallbacks",
    "Checks counted in the worker alone because the shared store was unavailable.",
)

API_KEY_HEADER = b"x-api-key"

#: Never counted: exact paths, and prefixes (ending in "/").
DEFAULT_EXEMPT: tuple[str, ...] = ("/healthz", "/readyz", "/static/", "/explorer/")


class RateLimiter:
    """The shared backend when there is one and it answers, else this process's counters."""

    def __init__(
        self,
        shared: Backend | None = None,
        *,
        local: MemoryBackend | None = None,
        retry_shared_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self.local = local if local is not None else MemoryBackend()
        self.retry_shared_after = retry_shared_after
        self._clock = clock
        self._shared_down_until = 0.0
        #: Checks answered locally because the shared backend was unavailable.
        self.fallbacks = 0

    @classmethod
    def for_url(cls, redis_url: str | None) -> RateLimiter:
        """In-process counters, or Redis when a URL is given (`PLANASMUN_REDIS_URL`)."""
        return cls(RedisBackend(redis_url) if redis_url else None)

    async def hit(self, kind: str, identity: str, rate: Rate) -> Decision:
        if self.shared is not None and self._clock() >= self._shared_down_until:
            try:
                return await self.shared.hit(kind, identity, rate)
            except BackendUnavailable as exc:
                self._shared_down_until = self._clock() + self.retry_shared_after
                log.warning(
                    "Rate limits: shared store unavailable (%s); counting in this worker only "
                    "for %.0f s.",
                    exc,
                    self.retry_shared_after,
                )
        if self.shared is not None:
            self.fallbacks += 1
            FALLBACKS.inc()
        return await self.local.hit(kind, identity, rate)

    async def aclose(self) -> None:
        if self.shared is not None:
            await self.shared.aclose()
        await self.local.aclose()


#: An address's counter name (an IPv6 /64 takes some work); the same few clients repeat.
_counted_as = functools.lru_cache(maxsize=4096)(counted_as)


def key_digest(key: str) -> str:
    """What a key is counted under: its SHA-256, never the key itself."""
    return hashlib.sha256(key.encode()).hexdigest()


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        per_ip: Rate,
        per_key: Rate,
        trusted_proxies: Iterable[str] = (),
        exempt: Sequence[str] = DEFAULT_EXEMPT,
        verify_key: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.per_ip = per_ip
        self.per_key = per_key
        self.client_address = ClientAddress(trusted_proxies)
        self.exempt_paths = frozenset(p for p in exempt if not p.endswith("/"))
        self.exempt_prefixes = tuple(p for p in exempt if p.endswith("/"))
        self.verify_key = verify_key
        self._logged: collections.OrderedDict[str, float] = collections.OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing_on_shutdown(send))
            return
        if scope["type"] not in ("http", "websocket") or self._is_exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        for kind, identity, rate in await self._counters(scope):
            decision = await self.limiter.hit(kind, identity, rate)
            if not decision.allowed:
                REFUSED.labels(kind).inc()
                self._log_refusal(decision)
                if scope["type"] == "websocket":
                    await receive()  # websocket.connect
                await _send_too_many(scope, send, decision)
                return
        await self.app(scope, receive, send)

    def _is_exempt(self, path: str) -> bool:
        return path in self.exempt_paths or path.startswith(self.exempt_prefixes)

    async def _counters(self, scope: Scope) -> list[tuple[str, str, Rate]]:
        address = _counted_as(self.client_address(scope))
        key = next(
            (v.decode("latin-1").strip() for n, v in scope["headers"] if n == API_KEY_HEADER),
            "",
        )
        if not key:
            return [("ip", address, self.per_ip)]
        if self.verify_key is None:
            return [("key", key_digest(key), self.per_key), ("ipk", address, self.per_key)]
        if await self.verify_key(key):
            return [("key", key_digest(key), self.per_key)]
        return [("ip", address, self.per_ip)]

    def _log_refusal(self, decision: Decision) -> None:
        """Once a minute per counter at most: a flood must not become a flood of logs."""
        now = time.monotonic()
        last = self._logged.get(decision.pseudonym)
        if last is not None and now - last < 60:
            return
        self._logged[decision.pseudonym] = now
        self._logged.move_to_end(decision.pseudonym)
        while len(self._logged) > 1024:
            self._logged.popitem(last=False)
        log.info(
            "rate limit reached by %s; retry in %ds",
            decision.pseudonym,
            decision.retry_after_seconds,
        )

    def _closing_on_shutdown(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await self.limiter.aclose()
            await send(message)

        return wrapped


async def _send_too_many(scope: Scope, send: Send, decision: Decision) -> None:
    seconds = decision.retry_after_seconds
    await send_refusal(
        scope,
        send,
        status=429,
        title=words.Message("gateway", "Too many requests"),
        message=words.Message(
            "gateway",
            "Too many requests. Wait %(seconds)s seconds and try again.",
            {"seconds": seconds},
        ),
        code="RATE_LIMITED",
        extensions={"retryAfter": seconds},
        headers={"Retry-After": str(seconds)},
    )
