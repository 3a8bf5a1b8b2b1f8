"""Simulated municipal systems for the benchmark, in their own process.

Starts the demo's systems (spyne SOAP vendors, the REST portal, the SQL databases and
workbooks) and puts a fast recording proxy (an asyncio protocol on uvloop) in front of each
HTTP one: the first time a
proxy sees a request it asks the real simulator, then it answers the same request from
memory after the configured latency. Spyne needs milliseconds of CPU per call; the
proxies let the benchmark measure the hub, not the simulators.

Prints one JSON line with the environment the hub needs, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import signal
import socket
import sys
import tempfile
import threading
import typing
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

from demo.systems import DemoPorts, start_demo_systems


class RecordingProxy:
    def __init__(self, target: str, latency_ms: float) -> None:
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.latency = latency_ms / 1000
        self.answers: dict[tuple[str, str, bytes], bytes] = {}
        self.calls = 0
        self.port = 0

    def _forward(
        self, method: str, path: str, body: bytes, headers_in: dict[str, str]
    ) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection(self.target_host, self.target_port, timeout=30)
        try:
            headers = {
                k: v
                for k, v in headers_in.items()
                if k in ("host", "content-type", "soapaction", "authorization", "accept")
            }
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return (
                response.status,
                response.getheader("Content-Type", "text/xml; charset=utf-8"),
                response.read(),
            )
        finally:
            connection.close()

    def recorded_answer(self, method: str, path: str, body: bytes) -> bytes | None:
        """The whole HTTP answer to a request seen before; None the first time."""
        self.calls += 1
        return self.answers.get((method, path, body))

    async def record(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        """Ask the real simulator, once per distinct request."""
        status, content_type, payload = await asyncio.to_thread(
            self._forward, method, path, body, headers
        )
        answer = self.answers[(method, path, body)] = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode("latin-1")
            + payload
        )
        return answer

    async def serve(self, ready: threading.Event) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _ProxyConnection(self), "127.0.0.1", 0, backlog=1024
        )
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await server.serve_forever()


class _ProxyConnection(asyncio.Protocol):
    """One client connection: requests read as they come, answered in order after the
    latency (a bare protocol on uvloop: the proxy must cost the machine little CPU, which
    the hub and wrk share with it)."""

    def __init__(self, proxy: RecordingProxy) -> None:
        self.proxy = proxy
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.busy = False
        self.recording: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)  # uvloop's own class
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def _next(self) -> None:
        if self.busy:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return
        body = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        method, path, _ = lines[0].split(" ", 2)
        self.busy = True
        answer = self.proxy.recorded_answer(method, path, body)
        if answer is not None:
            asyncio.get_running_loop().call_later(self.proxy.latency, self._send, answer)
        else:
            self.recording = asyncio.ensure_future(self._record(method, path, body, headers))

    async def _record(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        answer = await self.proxy.record(method, path, body, headers)
        await asyncio.sleep(self.proxy.latency)
        self._send(answer)

    def _send(self, answer: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(answer)
        self.busy = False
        self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=2.0)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="planasmun-bench-"))
    # The simulators answer the first request of each kind; the proxies repeat it after
    # the latency. Their own speed is therefore not what is measured.
    systems = start_demo_systems(data_dir, DemoPorts(0, 0, 0), 0.0)
    environment = systems.environment()
    for name, url in (
        ("SIGEM", systems.sigem.url),
        ("MUNISOFT", systems.munisoft.url),
        ("PORTAL", systems.portal.url),
    ):
        proxy = RecordingProxy(url, args.latency_ms)
        ready = threading.Event()
        threading.Thread(target=uvloop.run, args=(proxy.serve(ready),), daemon=True).start()
        ready.wait(10)
        environment[f"PLANASMUN_DEMO_{name}_PORT"] = str(proxy.port)
    print(json.dumps(environment), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    systems.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
