"""The hub's HTTP protocol: an answer's head and body leave in one write; nothing else changes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from gateway.http_protocol import HTTP_PROTOCOL, CoalescingHttpProtocol, CoalescingTransport


class RecordingTransport(asyncio.Transport):
    """Stands for the socket: records each write the protocol makes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False
        self.eof = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def write_eof(self) -> None:
        self.eof = True

    def get_write_buffer_size(self) -> int:
        return 0


async def next_turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_writes_in_one_turn_leave_as_one() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
    transport.write(b"hello")
    assert raw.writes == []
    assert (
        transport.get_write_buffer_size() == len("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n") + 5
    )
    await next_turn()
    assert raw.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"]
    assert transport.get_write_buffer_size() == 0


async def test_writes_in_later_turns_leave_as_they_come() -> None:
    """A streamed body is not held back: each turn's part leaves at the end of its turn."""
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())
    transport.writelines([b"a", b"b"])
    await next_turn()
    transport.write(b"c")
    await next_turn()
    assert raw.writes == [b"ab", b"c"]


async def test_closing_sends_what_is_kept_first_and_aborting_drops_it() -> None:
    loop = asyncio.get_running_loop()
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, loop)
    transport.write(b"last words")
    transport.close()
    assert raw.writes == [b"last words"] and raw.closed

    raw = RecordingTransport()
    transport = CoalescingTransport(raw, loop)
    transport.write(b"x")
    transport.write_eof()
    assert raw.writes == [b"x"] and raw.eof

    raw = RecordingTransport()
    transport = CoalescingTransport(raw, loop)
    transport.write(b"never sent")
    transport.abort()
    await next_turn()
    assert raw.writes == [] and raw.aborted


async def test_nothing_is_written_to_a_connection_the_peer_closed_meanwhile() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())
    transport.write(b"answer")
    raw.closed = True  # connection_lost before the end of the turn
    await next_turn()
    assert raw.writes == []


# --------------------------------------------------------------------------- over HTTP


async def plain(request: Request) -> Response:
    return PlainTextResponse("hola " * 1000)


async def streamed(request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for n in range(5):
            await asyncio.sleep(0.01)
            yield f"parte {n}\n".encode()

    return StreamingResponse(parts(), media_type="text/plain")


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    message = await websocket.receive_text()
    await websocket.send_text(f"eco: {message}")
    await websocket.close()


APP = Starlette(
    routes=[Route("/plain", plain), Route("/stream", streamed), WebSocketRoute("/ws", echo)]
)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        APP, http=HTTP_PROTOCOL, ws="websockets-sansio", lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_answers_arrive_whole_over_keep_alive(
    server: str,
) -> None:
    address = server
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        for _ in range(20):
            answer = await http.get("/plain")
            assert answer.status_code == 200 and answer.text == "hola " * 1000
        streamed_answer = await http.get("/stream")
    assert streamed_answer.text == "".join(f"parte {n}\n" for n in range(5))


async def test_a_websocket_upgrade_gets_the_real_transport(
    server: str,
) -> None:
    from websockets.asyncio.client import connect

    address = server
    async with connect(f"ws://{address}/ws") as websocket:
        await websocket.send("hola")
        assert await asyncio.wait_for(websocket.recv(), 5) == "eco: hola"


async def test_the_hub_protocol_answers_over_the_coalescing_transport(server: str) -> None:
    """The protocol class the config names is the one that wraps the socket."""
    address = server
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        assert (await http.get("/plain")).status_code == 200
    assert uvicorn.Config(APP, http=HTTP_PROTOCOL).http == HTTP_PROTOCOL
    config = uvicorn.Config(APP, http=HTTP_PROTOCOL)
    config.load()
    assert config.http_protocol_class is CoalescingHttpProtocol
