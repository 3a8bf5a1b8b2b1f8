"""CPU per SOAP call of the HTTP transports: the connector's aiohttp session against httpx.

    python -m benchmarks.soap_transport                     # 5,000 calls each, 1 and 8 at once
    python -m benchmarks.soap_transport --calls 20000 --legacy /path/to/old_transport.py

A keep-alive HTTP server in another process answers every POST at once with the same
SOAP answer (the size of the demo's `ObtenerServicios` for one record), so the CPU time
this process spends (`time.process_time`) is the client side of the exchange only: write
the request, parse the answer, read the body, keep the connection. The loop is uvloop, as
under uvicorn. What is printed is CPU microseconds per call and calls per second of
wall-clock time; the figures in `benchmarks/README.md` come from this script.

`--legacy` loads a module that defines a `LeanHttp` class with the former hand-written
transport's interface (`request_head(headers, length)`, `post(bytes)`, `aclose()`), for a
comparison with it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import multiprocessing
import socket
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvloop

from connectors.soap.transport import SoapHttp, prepare

DESCRIPTION = b"Permiso para construir, ampliar o remodelar. " * 8
ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soap11env:Envelope xmlns:soap11env="http://schemas.xmlsoap.org/soap/envelope/" '
    b'xmlns:tns="urn:sigem:municipal:v2"><soap11env:Body><tns:ObtenerServiciosResponse>'
    b"<tns:ObtenerServiciosResult><tns:Servicio>"
    b"<tns:CODIGO>licencia-construccion</tns:CODIGO>"
    b"<tns:NOMBRE>Licencia de construcci\xc3\xb3n</tns:NOMBRE>"
    b"<tns:DESCRIPCION>" + DESCRIPTION + b"</tns:DESCRIPCION>"
    b"<tns:TIPO>URB</tns:TIPO><tns:REQUISITOS>Planos; t\xc3\xadtulo; c\xc3\xa9dula</tns:REQUISITOS>"
    b"<tns:TARIFA>15000.00</tns:TARIFA><tns:DIAS_HABILES>30</tns:DIAS_HABILES>"
    b"<tns:CANALES>P,W</tns:CANALES><tns:BASE_LEGAL>Ley 176-07</tns:BASE_LEGAL>"
    b"<tns:COD_DEPENDENCIA>OPU</tns:COD_DEPENDENCIA>"
    b"</tns:Servicio></tns:ObtenerServiciosResult></tns:ObtenerServiciosResponse>"
    b"</soap11env:Body></soap11env:Envelope>"
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
    b"Server: bench\r\nContent-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER)
)
BODY = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<soap-env:Envelope '
    b'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>'
    b'<ns0:ObtenerServicios xmlns:ns0="urn:sigem:municipal:v2"><ns0:municipio>SDE</ns0:municipio>'
    b"<ns0:codigos><ns0:string>licencia-construccion</ns0:string></ns0:codigos>"
    b"</ns0:ObtenerServicios></soap-env:Body></soap-env:Envelope>"
)
HEADERS = [
    ("User-Agent", "Zeep/4.3.1 (www.python-zeep.org)"),
    ("Accept", "*/*"),
    ("SOAPAction", '"urn:sigem:municipal:v2/ObtenerServicios"'),
    ("Content-Type", 'text/xml; charset="utf-8"'),
]


class _Answer(asyncio.Protocol):
    """Answers each request (head, then Content-Length bytes) with RESPONSE."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            start = head.find(b"content-length:")
            length = int(head[start + 15 :].split(b"\r\n", 1)[0]) if start >= 0 else 0
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(RESPONSE)


def _serve(sock: socket.socket) -> None:
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Answer, sock=sock)
        await server.serve_forever()

    uvloop.run(main())


async def _measure(
    call: Callable[[], Awaitable[Any]], calls: int, concurrency: int
) -> tuple[float, float]:
    """(CPU µs per call, calls per second) for `calls` calls, `concurrency` at a time."""
    for _ in range(200):  # connections opened, caches warm
        await call()

    async def worker(n: int) -> None:
        for _ in range(n):
            await call()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done = (calls // concurrency) * concurrency
    return cpu / done * 1e6, done / wall


async def _bench(url: str, calls: int, rounds: int, legacy: str | None) -> None:
    kinds: dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]] = {}

    aio = SoapHttp(url, max_connections=8)
    prepared = prepare(HEADERS, BODY)
    kinds["aiohttp (SoapHttp)"] = (lambda: aio.post(prepared), aio.aclose)

    client = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=8))
    headers = dict(HEADERS)
    kinds["httpx AsyncClient (zeep's)"] = (
        lambda: client.post(url, content=BODY, headers=headers),
        client.aclose,
    )

    if legacy:
        spec = importlib.util.spec_from_file_location("legacy_transport", legacy)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        lean = module.LeanHttp(url, max_idle=8)
        request = lean.request_head(HEADERS, len(BODY)) + BODY
        kinds["hand-written httptools (former)"] = (lambda: lean.post(request), lean.aclose)

    print(f"{calls} calls per round, best and median of {rounds} rounds; uvloop")
    print(f"{'transport':<34} {'at once':>7} {'CPU µs/call':>16} {'calls/s':>14}")
    for concurrency in (1, 8):
        for name, (call, _) in kinds.items():
            results = [await _measure(call, calls, concurrency) for _ in range(rounds)]
            cpu = sorted(r[0] for r in results)
            rate = sorted(r[1] for r in results)
            print(
                f"{name:<34} {concurrency:>7} "
                f"{cpu[0]:>7.0f} ({statistics.median(cpu):>5.0f}) "
                f"{rate[-1]:>7.0f} ({statistics.median(rate):>5.0f})"
            )
    for _, close in kinds.values():
        await close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--legacy", help="a module with the former LeanHttp, for comparison")
    args = parser.parse_args()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(sock,))
    server.start()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/sigem/soap"
        uvloop.run(_bench(url, args.calls, args.rounds, args.legacy))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
