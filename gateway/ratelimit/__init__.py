"""Rate limits per client address and per API key (see `middleware` for the policy).

Wiring: `RateLimitMiddleware(app, limiter=RateLimiter.for_url(settings.redis_url), ...)`;
in-process counters by default, Redis when `PLANASMUN_REDIS_URL` is set so that every
worker and host shares them.
"""

from gateway.ratelimit.backends import (
    Backend,
    BackendUnavailable,
    Decision,
    MemoryBackend,
    Rate,
    RedisBackend,
)
from gateway.ratelimit.client import ClientAddress, counted_as, parse_address
from gateway.ratelimit.middleware import (
    DEFAULT_EXEMPT,
    RateLimiter,
    RateLimitMiddleware,
    key_digest,
)

__all__ = [
    "DEFAULT_EXEMPT",
    "Backend",
    "BackendUnavailable",
    "ClientAddress",
    "Decision",
    "MemoryBackend",
    "Rate",
    "RateLimitMiddleware",
    "RateLimiter",
    "RedisBackend",
    "counted_as",
    "key_digest",
    "parse_address",
]
