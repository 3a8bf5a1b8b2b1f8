"""A tiny ASGI app behind the rate limiter, for `uvicorn --workers 2` in the tests.

Configured by environment: RATELIMIT_TEST_REDIS_URL (absent: in-process counters),
RATELIMIT_TEST_LIMIT (requests per hour, all allowed at once), RATELIMIT_TEST_PREFIX
(Redis key prefix, one per test). Every answer, refusals included, names the worker's
pid in `X-Worker`. Each request holds its worker for a moment (a blocking sleep), so that
concurrent connections are spread over both workers instead of one accepting them all.
"""

from __future__ import annotations

import os
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.ratelimit import Rate, RateLimiter, RateLimitMiddleware, RedisBackend

HOLD_SECONDS = 0.03


async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    time.sleep(HOLD_SECONDS)  # noqa: ASYNC251 - on purpose: keep this worker busy
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


class WorkerHeader:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-worker", self.pid)]}
            await send(message)

        await self.app(scope, receive, named)


def _build() -> ASGIApp:
    url = os.environ.get("RATELIMIT_TEST_REDIS_URL")
    prefix = os.environ.get("RATELIMIT_TEST_PREFIX", "planasmun:test:ratelimit:")
    rate = Rate(int(os.environ.get("RATELIMIT_TEST_LIMIT", "20")), period=3600)
    limiter = RateLimiter(RedisBackend(url, prefix=prefix) if url else None)
    return WorkerHeader(RateLimitMiddleware(endpoint, limiter=limiter, per_ip=rate, per_key=rate))


app = _build()
