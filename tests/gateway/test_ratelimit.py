"""Rate limits per address and per API key: in process, in the real app, and shared by two
uvicorn workers through a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from gateway.app import create_app
from gateway.ratelimit import (
    ClientAddress,
    Decision,
    MemoryBackend,
    Rate,
    RateLimiter,
    RateLimitMiddleware,
    RedisBackend,
    counted_as,
    key_digest,
    parse_address,
)
from gateway.settings import Settings
from schema.developers.keys import ApiKeys, ApiScope
from schema.principal import Principal, PrincipalKind
from tests.fixtures import MUNICIPALITIES_DIR, FakeClock
from tests.support import PROJECT_ROOT, free_port, require, running_hub

REDIS_URL = os.environ.get("PLANASMUN_TEST_REDIS_URL")
IP_RATE = Rate(3)
KEY_RATE = Rate(5)


class Ok:
    """The app behind the limiter: counts what reaches it."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def limited(
    app: Any = None,
    *,
    per_ip: Rate = IP_RATE,
    per_key: Rate = KEY_RATE,
    limiter: RateLimiter | None = None,
    **options: Any,
) -> RateLimitMiddleware:
    return RateLimitMiddleware(
        app or Ok(),
        limiter=limiter or RateLimiter(),
        per_ip=per_ip,
        per_key=per_key,
        **options,
    )


def client(app: Any, ip: str = "203.0.113.10") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://hub"
    )


async def statuses(
    http: httpx.AsyncClient, count: int, path: str = "/", **headers: str
) -> list[int]:
    return [(await http.get(path, headers=headers)).status_code for _ in range(count)]


# --- in process -------------------------------------------------------------------------


def refused_count(kind: str) -> float:
    return REGISTRY.get_sample_value("planasmun_rate_limited_total", {"kind": kind}) or 0.0


async def test_over_the_address_limit_is_429_with_retry_after_and_a_clear_message() -> None:
    app = limited(per_ip=Rate(3, period=60))
    before = refused_count("ip")
    async with client(app) as http:
        assert await statuses(http, 3) == [200, 200, 200]
        refused = await http.get("/graphql", headers={"accept": "application/json"})
    assert refused.status_code == 429
    retry_after = refused.headers["retry-after"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= 20  # one request every 60 / 3 = 20 s
    assert refused.headers["content-type"] == "application/json"
    assert refused.headers["cache-control"] == "no-store"
    (error,) = refused.json()["errors"]
    assert error["message"].startswith("Demasiadas solicitudes en poco tiempo. Espere ")
    assert f"(Too many requests. Wait {retry_after} seconds and try again.)" in error["message"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": int(retry_after)}
    assert app.app.calls == 3  # type: ignore[attr-defined]
    assert refused_count("ip") == before + 1  # /metrics: refusals by counter kind


async def test_browsers_get_a_plain_accessible_page() -> None:
    app = limited(per_ip=Rate(1))
    async with client(app) as http:
        await http.get("/")
        page = await http.get("/", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 429
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="es">' in page.text
    assert "<h1>Demasiadas solicitudes</h1>" in page.text
    assert '<p lang="en">Too many requests. Wait' in page.text
    assert "<script" not in page.text and "style" not in page.text


async def test_another_address_has_its_own_budget() -> None:
    app = limited(per_ip=Rate(2))
    async with client(app, "203.0.113.10") as first, client(app, "198.51.100.20") as second:
        assert await statuses(first, 3) == [200, 200, 429]
        assert await statuses(second, 2) == [200, 200]
        assert await statuses(first, 1) == [429]


async def test_the_budget_refills_at_the_steady_rate() -> None:
    clock = FakeClock()
    app = limited(
        per_ip=Rate(6, period=60, burst=2), limiter=RateLimiter(local=MemoryBackend(clock=clock))
    )
    async with client(app) as http:
        assert await statuses(http, 3) == [200, 200, 429]
        clock.now += 9.9
        assert await statuses(http, 1) == [429]
        clock.now += 0.2  # one request per 10 s
        assert await statuses(http, 2) == [200, 429]


async def test_an_api_key_has_its_own_larger_budget() -> None:
    app = limited(per_ip=Rate(2), per_key=Rate(5))
    async with client(app, "203.0.113.10") as http, client(app, "198.51.100.20") as elsewhere:
        assert await statuses(http, 5, **{"x-api-key": "dev-key-A"}) == [200] * 5
        assert await statuses(http, 1, **{"x-api-key": "dev-key-A"}) == [429]
        # The same address without a key still has its own budget.
        assert await statuses(http, 3) == [200, 200, 429]
        # The key is spent wherever it is used from.
        assert await statuses(elsewhere, 1, **{"x-api-key": "dev-key-A"}) == [429]
        # A made-up key from the same address buys no fresh budget ...
        assert await statuses(http, 1, **{"x-api-key": "made-up"}) == [429]
        # ... while another key from another address has its own.
        assert await statuses(elsewhere, 5, **{"x-api-key": "dev-key-B"}) == [200] * 5


async def test_a_verified_key_is_counted_as_itself_an_unknown_one_as_its_address() -> None:
    async def verify(key: str) -> bool:
        return key == "known"

    app = limited(per_ip=Rate(2), per_key=Rate(4), verify_key=verify)
    async with client(app) as http:
        assert await statuses(http, 3, **{"x-api-key": "unknown"}) == [200, 200, 429]
        assert await statuses(http, 5, **{"x-api-key": "known"}) == [200] * 4 + [429]


async def test_counters_never_hold_an_address_or_a_key() -> None:
    local = MemoryBackend()
    app = limited(limiter=RateLimiter(local=local))
    async with client(app, "203.0.113.77") as http:
        await http.get("/")
        await http.get("/", headers={"x-api-key": "secret-key-123"})
    names = list(local._tat)
    assert len(names) == 3  # ip, key, ipk
    for name in names:
        assert "203.0.113" not in name and "secret-key" not in name
        assert key_digest("secret-key-123") not in name  # keyed, so not even the bare hash


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/static/css/site.css", "/explorer/x.js"])
async def test_probes_and_static_assets_are_never_counted(path: str) -> None:
    app = limited(per_ip=Rate(1))
    async with client(app) as http:
        assert await statuses(http, 5, path) == [200] * 5
        assert await statuses(http, 2, "/") == [200, 429]
        assert await statuses(http, 1, path) == [200]


async def test_forwarded_for_is_ignored_from_an_untrusted_peer() -> None:
    app = limited(per_ip=Rate(2), trusted_proxies=["10.0.0.0/8"])
    async with client(app, "203.0.113.10") as http:
        got = [
            (await http.get("/", headers={"x-forwarded-for": f"198.51.100.{n}"})).status_code
            for n in range(4)
        ]
    assert got == [200, 200, 429, 429]  # a new made-up address each time changes nothing


async def test_forwarded_for_is_honoured_from_a_trusted_proxy() -> None:
    app = limited(per_ip=Rate(2), trusted_proxies=["10.0.0.0/8"])
    async with client(app, "10.0.0.5") as proxy:

        async def from_client(address: str) -> int:
            # The client's own (forged) hop on the left, our two proxies on the right.
            chain = f"1.2.3.4, {address}, 10.0.0.9"
            response = await proxy.get("/", headers={"x-forwarded-for": chain})
            return response.status_code

        assert [await from_client("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert [await from_client("198.51.100.2") for _ in range(2)] == [200, 200]


def test_client_address_parsing() -> None:
    trusted = ClientAddress(["10.0.0.0/8", "2001:db8:ffff::/48"])

    def scope(peer: str, *forwarded: str) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", f.encode()) for f in forwarded]
        return {"client": (peer, 1), "headers": headers}

    assert trusted(scope("10.1.1.1", "198.51.100.7:5555")) == ipaddress.ip_address("198.51.100.7")
    assert trusted(scope("10.1.1.1", "[2001:db8::1]:443")) == ipaddress.ip_address("2001:db8::1")
    # Two headers are one list; the rightmost untrusted hop is the client.
    assert trusted(scope("10.1.1.1", "9.9.9.9", "198.51.100.7, 10.2.2.2")) == ipaddress.ip_address(
        "198.51.100.7"
    )
    # Garbage stops the walk at the last hop known good (here: the proxy itself).
    assert trusted(scope("10.1.1.1", "198.51.100.7, unknown")) == ipaddress.ip_address("10.1.1.1")
    assert trusted(scope("203.0.113.1", "198.51.100.7")) == ipaddress.ip_address("203.0.113.1")
    assert trusted({"client": None, "headers": []}) is None
    assert parse_address("::ffff:192.0.2.1") == ipaddress.ip_address("192.0.2.1")
    # IPv6 is counted per /64: a client cannot rotate addresses inside its own line.
    assert counted_as(parse_address("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert counted_as(parse_address("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert counted_as(parse_address("198.51.100.7")) == "198.51.100.7"
    assert counted_as(None) == "unknown"


async def test_redis_down_requests_are_still_served_and_a_warning_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    limiter = RateLimiter(down, retry_shared_after=30)
    app = limited(per_ip=Rate(50), limiter=limiter)
    try:
        with caplog.at_level(logging.WARNING, logger="planasmun.ratelimit"):
            async with client(app, "203.0.113.99") as http:
                assert await statuses(http, 10) == [200] * 10
    finally:
        await limiter.aclose()
    warnings = [r for r in caplog.records if r.name == "planasmun.ratelimit"]
    assert len(warnings) == 1  # once per episode, not once per request
    message = warnings[0].getMessage()
    assert "Rate limits: shared store unavailable" in message
    assert "203.0.113" not in message
    assert limiter.fallbacks == 10  # still counted, by this worker alone


async def test_a_refused_websocket_handshake_gets_429_or_a_policy_close() -> None:
    app = limited(per_ip=Rate(1))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"websocket.http.response": {}}, "websocket.http.response.start"),
        ({}, "websocket.close"),
    ]
    for extensions, expected in cases:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "websocket.connect"}

        async def send(message: Message, sent: list[Message] = sent) -> None:
            sent.append(message)

        scope = {
            "type": "websocket",
            "path": "/graphql",
            "headers": [],
            "client": (f"203.0.113.{len(extensions)}", 1),
            "extensions": extensions,
        }
        await app(scope, receive, send)  # the first is let through (Ok answers http-style)
        sent.clear()
        await app(scope, receive, send)
        assert sent[0]["type"] == expected
        if expected == "websocket.http.response.start":
            assert sent[0]["status"] == 429
        else:
            assert sent[0]["code"] == 1008


async def test_the_shared_client_is_closed_at_shutdown() -> None:
    class Shared:
        closed = False

        async def hit(self, kind: str, identity: str, rate: Rate) -> Decision:
            return Decision(True, 0, 1, "x")

        async def aclose(self) -> None:
            self.closed = True

    shared = Shared()

    async def lifespan_app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> Message:
        return next(messages)

    async def send(message: Message) -> None:
        pass

    app = limited(lifespan_app, limiter=RateLimiter(shared))
    await app({"type": "lifespan"}, receive, send)
    assert shared.closed


# --- the real app -------------------------------------------------------------------------


@pytest.fixture
async def hub_app(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=MUNICIPALITIES_DIR,
        demo_data_dir=tmp_path / "demo",
        response_cache_seconds=0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_the_real_app_answers_429_on_graphql_and_still_serves_probes(
    hub_app: Starlette,
) -> None:
    app = limited(hub_app, per_ip=Rate(2))
    query = {"query": "{ municipalities { id } }"}
    async with client(app) as http:
        answers = [await http.post("/graphql", json=query) for _ in range(3)]
        assert (await http.get("/healthz")).status_code == 200
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert len(answers[0].json()["data"]["municipalities"]) == 10
    assert answers[2].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


# --- Redis, shared by workers ---------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    require(REDIS_URL is not None, "Redis (PLANASMUN_TEST_REDIS_URL)")
    assert REDIS_URL is not None
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    import redis

    prefix = f"planasmun:test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    with redis.Redis.from_url(redis_url) as connection:
        for key in connection.scan_iter(f"{prefix}*"):
            connection.delete(key)


async def test_two_limiters_on_one_redis_share_their_counters(
    redis_url: str, redis_prefix: str
) -> None:
    import redis

    first = RateLimiter(RedisBackend(redis_url, prefix=redis_prefix))
    second = RateLimiter(RedisBackend(redis_url, prefix=redis_prefix))
    rate = Rate(4, period=3600)
    try:
        decisions = [
            await limiter.hit("ip", "198.51.100.1", rate) for limiter in (first, second) * 3
        ]
    finally:
        await first.aclose()
        await second.aclose()
    assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2
    assert [d.remaining for d in decisions[:4]] == [3, 2, 1, 0]
    assert 899 <= decisions[-1].retry_after <= 900  # one per 3600 / 4 s
    assert first.fallbacks == second.fallbacks == 0
    with redis.Redis.from_url(redis_url) as connection:
        keys = [k.decode() for k in connection.scan_iter(f"{redis_prefix}*")]
    assert sorted(k.removeprefix(redis_prefix).split(":")[0] for k in keys) == ["ip", "salt"]
    assert not any("198.51.100" in k for k in keys)


@contextlib.contextmanager
def two_workers(tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    """tests/gateway/ratelimit_app.py under `uvicorn --workers 2` on 127.0.0.1."""
    port = free_port()
    log_path = tmp_path / f"uvicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "tests.gateway.ratelimit_app:app",
                "--workers", "2", "--host", "127.0.0.1", "--port", str(port),
                "--no-access-log", "--lifespan", "on",
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_both_workers(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_both_workers(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until both workers have answered the (uncounted) health probe."""
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    while len(seen) < 2:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"workers did not come up:\n{log.read_text(errors='replace')}")
        responses = asyncio.run(_spread(base, "/healthz", 16))
        seen |= {r[1] for r in responses if r[1]}
        if len(seen) < 2:
            time.sleep(0.2)


async def _spread(base: str, path: str, count: int) -> list[tuple[int, str]]:
    """`count` requests, 8 at a time, each on a new connection (so either worker may take it)."""
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as http:

        async def one() -> tuple[int, str]:
            try:
                response = await http.get(path)
            except httpx.TransportError:
                return 0, ""
            return response.status_code, response.headers.get("x-worker", "")

        return list(await asyncio.gather(*(one() for _ in range(count))))


def test_two_uvicorn_workers_share_the_limit_through_redis(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    limit, sent = 20, 60
    env = {
        "RATELIMIT_TEST_REDIS_URL": redis_url,
        "RATELIMIT_TEST_PREFIX": redis_prefix,
        "RATELIMIT_TEST_LIMIT": str(limit),
    }
    with two_workers(tmp_path, env) as base:
        responses = asyncio.run(_spread(base, "/data", sent))
    codes = [code for code, _ in responses]
    workers = {worker for _, worker in responses}
    assert 0 not in codes and len(workers) == 2, "both workers must have answered"
    assert codes.count(200) == limit
    assert codes.count(429) == sent - limit


def test_two_uvicorn_workers_without_redis_count_separately(tmp_path: Path) -> None:
    """Documents why production needs PLANASMUN_REDIS_URL with several workers.

    With in-process counters each worker lets its own `limit` through, so two workers let
    through between `limit + 1` and `2 × limit` of the same client's requests, depending
    on how connections fall on them (e.g. 32 or 40 of 60 with a limit of 20). Only the lower
    bound is certain, once both workers have answered.
    """
    limit, sent = 20, 60
    with two_workers(tmp_path, {"RATELIMIT_TEST_LIMIT": str(limit)}) as base:
        responses = asyncio.run(_spread(base, "/data", sent))
    codes = [code for code, _ in responses]
    workers = {worker for _, worker in responses}
    assert 0 not in codes and len(workers) == 2, "both workers must have answered"
    assert limit < codes.count(200) <= 2 * limit


def test_the_hub_with_two_workers_and_redis_enforces_all_three_limits(
    tmp_path: Path, redis_url: str
) -> None:
    """`planasmun serve` itself: 2 workers, shared counters, cost and body limits wired."""
    import redis

    def clear() -> None:  # the hub's own key prefix, on the test server only
        with redis.Redis.from_url(redis_url) as connection:
            for key in connection.scan_iter("planasmun:ratelimit:*"):
                connection.delete(key)

    burst, sent = 15, 40
    env = {
        "PLANASMUN_WORKERS": "2",
        "PLANASMUN_REDIS_URL": redis_url,
        "PLANASMUN_RATE_LIMIT_PER_MINUTE_IP": "1",
        "PLANASMUN_RATE_LIMIT_BURST_IP": str(burst),
    }
    clear()
    try:
        with running_hub(tmp_path, env) as base:
            codes = asyncio.run(_post_spread(base, sent))
            costly = "{ municipalities { services(first: 200) { id name department { name } } } }"
            # A known key has a budget of its own: the address's is spent.
            key = {"x-api-key": asyncio.run(_issue_key(tmp_path / "hub.db"))}
            too_costly = httpx.post(
                f"{base}/graphql", json={"query": costly}, headers=key, timeout=10
            )
            too_large = httpx.post(
                f"{base}/graphql",
                content=b" " * (2 << 20),
                headers={**key, "content-type": "application/json"},
                timeout=10,
            )
            probe = httpx.get(f"{base}/healthz", timeout=10)
    finally:
        clear()
    assert codes.count(200) == burst
    assert codes.count(429) == sent - burst
    assert too_costly.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert too_large.status_code == 413
    assert probe.status_code == 200


async def _issue_key(database: Path) -> str:
    keys = ApiKeys(f"sqlite+aiosqlite:///{database}")
    try:
        issued = await keys.issue(
            name="Prueba de límites",
            contact_email="limites@example.do",
            scopes=[ApiScope.READ_PUBLIC],
            by=Principal("demo-lmd-0006", "Luis Manuel Díaz", PrincipalKind.NATIONAL_ADMIN),
        )
    finally:
        await keys.aclose()
    return issued.key


async def _post_spread(base: str, count: int) -> list[int]:
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as http:

        async def one() -> int:
            response = await http.post("/graphql", json={"query": "{ municipalities { id } }"})
            return response.status_code

        return list(await asyncio.gather(*(one() for _ in range(count))))
