"""A simulated "Portal municipal API v1": Puerto Plata's JSON service, for the `rest` kind.

A real HTTP/1.1 server on the loopback interface (stdlib `ThreadingHTTPServer`, keep-alive,
`TCP_NODELAY`), serving the demo catalogue in the vendor's own shape: Spanish camelCase
fields, category codes, a nested fee, an envelope with a link to the next page (`next`)
and, for clients that page by number, `pagina` and `paginaSiguiente`::

    GET /api/v1/servicios?municipio=POP&page=N   5 per page, {"data": {"items", "next", …}}
    GET /api/v1/servicios?ids=a,b                several records at once (same envelope)
    GET /api/v1/servicios/{codigo}               {"data": {...}}, 404 when missing
    GET /api/v1/dependencias…                    likewise, for departments

From code (a context manager too: `with start() as service:`)::

    service = start()                   # any free port; start(token="…") wants a bearer
    service.url                         # 'http://127.0.0.1:PORT'
    service.calls["GET /api/v1/servicios"]
    service.stop()

`calls` counts requests by "METHOD path" (no query string); `targets` keeps each request's
full path and query, so a test can tell a batch (`?ids=`) from a page; `connections_opened`
counts TCP connections (a keep-alive client opens one and reuses it). `latency_ms` is
slept in every request, to model a slow system in benchmarks; `fail_with()` makes every
request fail (a 500, a 429, a body that is not JSON) until `heal()`.

Demo data only; run `python -m demo.rest_service` to try it by hand.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import json
import os
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from demo import catalogue
from demo.stoppable import Stoppable

MUNICIPALITY_ID = "puerto-plata"
MUNICIPALITY_CODE = "POP"
PAGE_SIZE = 5
API_PREFIX = "/api/v1"

#: How the vendor codes the hub's service categories and channels.
CATEGORY_CODES = {
    "urbanismo": "urb",
    "saneamiento": "san",
    "tributos": "trib",
    "espacio_publico": "esp",
    "cementerios": "cem",
    "certificaciones": "cert",
    "mercados": "merc",
    "social": "soc",
}
CHANNEL_CODES = {"presencial": "presencial", "en_linea": "web", "telefono": "telefono"}


def servicio(record: dict[str, Any]) -> dict[str, Any]:
    """A hub service record in the portal's shape."""
    fee: Decimal | None = record["fee_amount"]
    return {
        "codigo": record["id"],
        "nombre": record["name"],
        "descripcion": record["description"],
        "categoria": CATEGORY_CODES[record["category"]],
        "requisitos": list(record["requirements"]),
        "tarifa": None if fee is None else {"monto": float(fee), "moneda": "DOP"},
        "plazoDias": record["duration_days"],
        "canales": [CHANNEL_CODES[c] for c in record["channels"]],
        "baseLegal": record["legal_basis"],
        "dependenciaId": record["department_id"],
    }


def dependencia(record: dict[str, Any]) -> dict[str, Any]:
    """A hub department record in the portal's shape."""
    return {
        "codigo": record["id"],
        "nombre": record["name"],
        "encargado": record["head"],
        "telefono": record["phone"],
        "correo": record["email"],
        "ubicacion": record["location"],
        "horario": record["hours"],
    }


def collections_of(municipality_id: str) -> dict[str, list[dict[str, Any]]]:
    """Each collection the portal serves, by URL segment, in the portal's shape."""
    return {
        "servicios": [servicio(s) for s in catalogue.services(municipality_id)],
        "dependencias": [dependencia(d) for d in catalogue.departments(municipality_id)],
    }


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """What every request gets while the service is told to fail."""

    status: int = 500
    body: bytes = b'{"error": "error interno del servidor"}'
    content_type: str = "application/json; charset=utf-8"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: RestService) -> None:
        self.service = service
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real portal behind a web server
    disable_nagle_algorithm = True  # TCP_NODELAY: no ~40 ms delayed-ACK floor
    timeout = 30  # an idle keep-alive connection is dropped after this
    server: _Server
    server_version = "PortalMunicipal/1.0"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.server.service._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.service._closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        service = self.server.service
        target = urlsplit(self.path)
        service._record(f"GET {target.path}", self.path)
        if service.latency_ms > 0:
            time.sleep(service.latency_ms / 1000)
        fault = service.fault
        if fault is not None:
            self._send(fault.status, fault.body, fault.content_type)
            return
        if service.token is not None and not self._authorised(service.token):
            self._json(401, {"error": "no autorizado"}, {"WWW-Authenticate": 'Bearer realm="api"'})
            return
        status, payload = service.answer(target.path, parse_qs(target.query))
        self._json(status, payload)

    def _refuse(self) -> None:
        self.server.service._record(f"{self.command} {urlsplit(self.path).path}", self.path)
        self._json(405, {"error": "método no permitido"}, {"Allow": "GET"})

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

    def _authorised(self, token: str) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {token}"

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class RestService(Stoppable):
    """A running portal; use `start()` to get one. Also a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        token: str | None = None,
        municipality_id: str = MUNICIPALITY_ID,
        municipality_code: str = MUNICIPALITY_CODE,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.latency_ms = latency_ms
        self.token = token
        self.municipality_code = municipality_code
        self.page_size = page_size
        self.fault: Fault | None = None
        self.calls: collections.Counter[str] = collections.Counter()
        self.targets: list[str] = []
        #: TCP connections accepted so far (keep-alive clients reuse theirs).
        self.connections_opened = 0
        self._collections = collections_of(municipality_id)
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server = _Server((host, port), self)
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"rest-service-{bound_port}",
            daemon=True,
        )
        self._thread.start()

    # ----------------------------------------------------------------------- control

    def fail_with(
        self, status: int = 500, body: bytes | None = None, content_type: str | None = None
    ) -> None:
        """Answer every request with `status` (and `body`) until `heal()`."""
        default = Fault()
        self.fault = Fault(
            status,
            default.body if body is None else body,
            content_type or default.content_type,
        )

    def heal(self) -> None:
        self.fault = None

    def reset(self) -> None:
        """Forget the calls and connections counted so far."""
        with self._lock:
            self.calls.clear()
            self.targets.clear()
            self.connections_opened = 0

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections; calling it twice is harmless."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        with self._lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()

    # ----------------------------------------------------------------------- the API

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        """(status, JSON payload) for a GET of `path` with `query`."""
        segments = [unquote(s) for s in path.removeprefix(API_PREFIX).split("/") if s]
        if not path.startswith(API_PREFIX + "/") or not 1 <= len(segments) <= 2:
            return 404, {"error": "recurso no encontrado"}
        rows = self._collections.get(segments[0])
        if rows is None:
            return 404, {"error": "recurso no encontrado"}
        municipio = _first(query, "municipio")
        if municipio is not None and municipio != self.municipality_code:
            rows = []
        if len(segments) == 2:
            found = next((row for row in rows if row["codigo"] == segments[1]), None)
            if found is None:
                return 404, {"error": f"no existe el registro '{segments[1]}'"}
            return 200, {"data": found}
        ids = _first(query, "ids")
        if ids is not None:
            by_code = {row["codigo"]: row for row in rows}
            wanted = dict.fromkeys(i.strip() for i in ids.split(",") if i.strip())
            items = [by_code[i] for i in wanted if i in by_code]
            return 200, {"data": {"items": items, "next": None}}
        page_text = _first(query, "page") or "1"
        if not page_text.isdigit() or int(page_text) < 1:
            return 400, {"error": "el parámetro 'page' debe ser un número desde 1"}
        page = int(page_text)
        start = (page - 1) * self.page_size
        items = rows[start : start + self.page_size]
        following = next_page = None
        if start + self.page_size < len(rows):
            next_page = page + 1
            params = {k: v[0] for k, v in query.items() if k != "page"}
            following = f"{path}?{urlencode({**params, 'page': next_page})}"
        return 200, {
            "data": {
                "items": items,
                "next": following,
                "pagina": page,
                "paginaSiguiente": next_page,
            }
        }

    # ----------------------------------------------------------------------- bookkeeping

    def _record(self, call: str, target: str) -> None:
        with self._lock:
            self.calls[call] += 1
            self.targets.append(target)

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)
            self.connections_opened += 1

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def start(port: int = 0, latency_ms: float = 0.0, token: str | None = None) -> RestService:
    """Start Puerto Plata's portal on 127.0.0.1 (`port=0`: any free port)."""
    return RestService(port=port, latency_ms=latency_ms, token=token)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demo.rest_service",
        description="Puerto Plata's simulated 'Portal municipal API v1' (demo data).",
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--token-env",
        metavar="NAME",
        help="require 'Authorization: Bearer <token>', the token read from this variable",
    )
    args = parser.parse_args(argv)
    token = os.environ.get(args.token_env) if args.token_env else None
    if args.token_env and not token:
        parser.error(f"environment variable {args.token_env} is not set")
    with start(port=args.port, latency_ms=args.latency_ms, token=token) as service:
        print(f"Portal municipal API v1 (puerto-plata) on {service.url}{API_PREFIX}/servicios")
        print("Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
