"""Request bodies over the limit get 413, declared or streamed, without reading past it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from gateway.app import create_app
from gateway.body_limit import BodyLimitMiddleware
from gateway.settings import Settings
from tests.fixtures import MUNICIPALITIES_DIR
from tests.support import free_port

LIMIT = 1 << 20
CHUNK = 64 << 10


class Echo:
    """Reads the whole body, answers with its length; counts calls."""

    def __init__(self, swallow_errors: bool = False) -> None:
        self.calls = 0
        self.swallow_errors = swallow_errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        size = 0
        try:
            while True:
                message = await receive()
                size += len(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except Exception:
            if not self.swallow_errors:
                raise
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"boom"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


class Chunks:
    """A chunked body (no Content-Length) that records how much was pulled from it."""

    def __init__(self, total: int, chunk: int = CHUNK) -> None:
        self.total = total
        self.chunk = chunk
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            self.pulled += self.chunk
            yield b"x" * self.chunk


def assert_413(response: httpx.Response, limit: int = LIMIT) -> None:
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maximum": limit}
    assert error["message"] == (
        "La solicitud es demasiado grande: el máximo es 1 MiB. "
        "(The request body is too large: the maximum is 1 MiB.)"
    )


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    echo = Echo()
    async with client(BodyLimitMiddleware(echo, max_bytes=LIMIT)) as http:
        response = await http.post("/graphql", content=b"x" * (LIMIT + 1))
    assert_413(response)
    assert echo.calls == 0


async def test_a_streamed_body_over_the_limit_is_refused_without_reading_it_all() -> None:
    echo = Echo()
    body = Chunks(total=8 * LIMIT)
    async with client(BodyLimitMiddleware(echo, max_bytes=LIMIT)) as http:
        response = await http.post("/graphql", content=body)
    assert_413(response)
    # The limit, and the one chunk that crossed it: never the remaining 7 MiB.
    assert body.pulled <= LIMIT + CHUNK


async def test_an_app_that_swallows_the_failed_read_still_yields_413() -> None:
    echo = Echo(swallow_errors=True)
    async with client(BodyLimitMiddleware(echo, max_bytes=LIMIT)) as http:
        response = await http.post("/graphql", content=Chunks(total=2 * LIMIT))
    assert_413(response)


async def test_bodies_within_the_limit_pass_untouched() -> None:
    async with client(BodyLimitMiddleware(Echo(), max_bytes=LIMIT)) as http:
        declared = await http.post("/graphql", content=b"x" * LIMIT)
        streamed = await http.post("/graphql", content=Chunks(total=LIMIT))
    assert (declared.status_code, declared.text) == (200, str(LIMIT))
    assert (streamed.status_code, streamed.text) == (200, str(LIMIT))


async def test_a_path_may_have_its_own_limit() -> None:
    app = BodyLimitMiddleware(Echo(), max_bytes=1024, overrides=[("/uploads/", 4096)])
    async with client(app) as http:
        assert (await http.post("/uploads/photo", content=b"x" * 4096)).status_code == 200
        assert (await http.post("/uploads/photo", content=b"x" * 4097)).status_code == 413
        refused = await http.post("/graphql", content=b"x" * 1025)
    assert refused.status_code == 413
    assert "1 KiB" in refused.json()["errors"][0]["message"]


async def test_browsers_get_a_page() -> None:
    async with client(BodyLimitMiddleware(Echo(), max_bytes=10)) as http:
        response = await http.post(
            "/solicitudes", content=b"x" * 11, headers={"accept": "text/html"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Solicitud demasiado grande</h1>" in response.text


async def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        pass

    await BodyLimitMiddleware(app, max_bytes=1)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]


# --- the real app -------------------------------------------------------------------------


@pytest.fixture
async def hub_app(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=MUNICIPALITIES_DIR,
        demo_data_dir=tmp_path / "demo",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_the_graphql_endpoint_refuses_oversized_bodies(hub_app: Starlette) -> None:
    padding = "#" + "x" * LIMIT + "\n"
    big = orjson.dumps({"query": padding + "{ municipalities { id } }"})
    async with client(BodyLimitMiddleware(hub_app, max_bytes=LIMIT)) as http:
        declared = await http.post(
            "/graphql", content=big, headers={"content-type": "application/json"}
        )
        chunks = [big[i : i + CHUNK] for i in range(0, len(big), CHUNK)]

        async def stream() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        streamed = await http.post(
            "/graphql", content=stream(), headers={"content-type": "application/json"}
        )
        small = await http.post("/graphql", json={"query": "{ municipalities { id } }"})
    assert_413(declared)
    assert_413(streamed)
    assert small.status_code == 200


async def test_over_real_http_a_huge_declared_length_is_answered_at_once() -> None:
    """Under uvicorn, the 413 comes back before the client has sent any of the body."""
    port = free_port()
    config = uvicorn.Config(
        BodyLimitMiddleware(Echo(), max_bytes=LIMIT),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(250):
            if server.started:
                break
            await asyncio.sleep(0.02)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.close()
        await writer.wait_closed()
    finally:
        server.should_exit = True
        await task
    status_line, _, headers = head.decode("latin-1").partition("\r\n")
    assert status_line.startswith("HTTP/1.1 413 ")
    assert "connection: close" in headers.lower()
