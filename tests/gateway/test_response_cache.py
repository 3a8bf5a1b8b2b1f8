"""The response cache answers repeated public queries and nothing else."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from starlette.types import Receive, Scope, Send

from gateway.response_cache import ResponseCache, ResponseCacheMiddleware, cache_key


class CountingApp:
    def __init__(self, body: bytes = b'{"data":{"x":1}}', status: int = 200) -> None:
        self.calls = 0
        self.body = body
        self.status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await receive()
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": self.body})


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


QUERY = {"query": "query Q($id: ID!) { municipality(id: $id) { name } }", "variables": {"id": "x"}}


async def test_a_repeated_public_query_is_answered_once() -> None:
    upstream = CountingApp()
    async with _client(ResponseCacheMiddleware(upstream, ResponseCache(60))) as client:
        first = await client.post("/graphql", json=QUERY)
        second = await client.post("/graphql", json=QUERY)
        other = await client.post("/graphql", json={**QUERY, "variables": {"id": "y"}})
    assert first.content == second.content == other.content == upstream.body
    assert upstream.calls == 2


@pytest.mark.parametrize(
    "headers", [{"authorization": "Bearer x"}, {"cookie": "session=abc"}, {"x-api-key": "k"}]
)
async def test_callers_with_credentials_are_never_served_from_cache(
    headers: dict[str, str],
) -> None:
    upstream = CountingApp()
    async with _client(ResponseCacheMiddleware(upstream, ResponseCache(60))) as client:
        await client.post("/graphql", json=QUERY)
        await client.post("/graphql", json=QUERY, headers=headers)
    assert upstream.calls == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [(b'{"data":null,"errors":[{"message":"x"}]}', 200), (b"{}", 500)],
)
async def test_answers_with_errors_are_not_kept(body: bytes, status: int) -> None:
    upstream = CountingApp(body, status)
    async with _client(ResponseCacheMiddleware(upstream, ResponseCache(60))) as client:
        await client.post("/graphql", json=QUERY)
        await client.post("/graphql", json=QUERY)
    assert upstream.calls == 2


def test_only_queries_are_cacheable() -> None:
    assert cache_key(orjson.dumps(QUERY), "public") is not None
    for document in ("mutation { vote }", "subscription { s }", "{ broken"):
        assert cache_key(orjson.dumps({"query": document}), "public") is None
    assert cache_key(b"not json", "public") is None
    two = "query A { a } mutation B { b }"
    assert cache_key(orjson.dumps({"query": two, "operationName": "A"}), "public") is not None
    assert cache_key(orjson.dumps({"query": two, "operationName": "B"}), "public") is None


async def test_entries_expire_and_writes_invalidate() -> None:
    now = [0.0]
    cache = ResponseCache(10, clock=lambda: now[0])
    upstream = CountingApp()
    async with _client(ResponseCacheMiddleware(upstream, cache)) as client:
        await client.post("/graphql", json=QUERY)
        now[0] = 11
        await client.post("/graphql", json=QUERY)
        cache.invalidate()
        await client.post("/graphql", json=QUERY)
    assert upstream.calls == 3


async def test_variables_order_does_not_matter() -> None:
    a = cache_key(orjson.dumps({"query": "{ a }", "variables": {"x": 1, "y": 2}}), "public")
    b = cache_key(orjson.dumps({"query": "{ a }", "variables": {"y": 2, "x": 1}}), "public")
    assert a == b
    assert a != cache_key(orjson.dumps({"query": "{ a }", "variables": {"x": 1}}), "staff:sde")
