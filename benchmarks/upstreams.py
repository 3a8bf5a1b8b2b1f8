"""Simulated municipal systems for the benchmark, in their own process.

Starts the demo's systems (spyne SOAP vendors, the REST portal, the SQL databases and
workbooks) and puts a fast recording proxy in front of each HTTP one: the first time a
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
from pathlib import Path
from urllib.parse import urlsplit

from gateway.demo.systems import DemoPorts, start_demo_systems


class RecordingProxy:
    def __init__(self, target: str, latency_ms: float) -> None:
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.latency = latency_ms / 1000
        self.recorded: dict[tuple[str, str, bytes], tuple[int, str, bytes]] = {}
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

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                self.calls += 1
                key = (method, path, body)
                if key not in self.recorded:
                    self.recorded[key] = await asyncio.to_thread(
                        self._forward, method, path, body, headers
                    )
                status, content_type, payload = self.recorded[key]
                if self.latency:
                    await asyncio.sleep(self.latency)
                writer.write(
                    f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode("latin-1")
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve(self, ready: threading.Event) -> None:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await server.serve_forever()


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
        threading.Thread(target=asyncio.run, args=(proxy.serve(ready),), daemon=True).start()
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
