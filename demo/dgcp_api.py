"""A simulated DGCP open-data API: OCDS release packages, paginated, on the loopback interface.

In the shape the Dirección General de Contrataciones Públicas publishes: each page is a
release package whose `links.next` names the following page (a path relative to the
server; absent on the last page)::

    GET /api/v1/releases?page=N      PAGE_SIZE releases per page, {"releases": […], "links"}

From code (a context manager too)::

    api = start(page_size=2)            # any free port; `api.url` is the first page
    api.pages_served                    # pages answered so far
    api.fail_with(503); api.heal()
    api.stop()

Demo data only (`demo.procurement.dgcp_releases`); `python -m demo.dgcp_api` serves it.
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from demo.procurement import dgcp_package, dgcp_releases
from demo.stoppable import Stoppable

PATH = "/api/v1/releases"
PAGE_SIZE = 2


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: DgcpApi) -> None:
        self.api = api
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `pages_served`

    def do_GET(self) -> None:
        status, payload = self.server.api.answer(self.path)
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class DgcpApi(Stoppable):
    def __init__(
        self,
        *,
        port: int = 0,
        page_size: int = PAGE_SIZE,
        releases: list[dict[str, Any]] | None = None,
    ) -> None:
        self.page_size = page_size
        self.releases = dgcp_releases() if releases is None else releases
        self.pages_served = 0
        self.failing: int | None = None
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self)
        host, bound = self._server.server_address[:2]
        self.url = f"http://{host!s}:{bound}{PATH}?page=1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def fail_with(self, status: int = 503) -> None:
        self.failing = status

    def heal(self) -> None:
        self.failing = None

    def answer(self, target: str) -> tuple[int, Any]:
        if self.failing is not None:
            return self.failing, {"error": "servicio no disponible"}
        parts = urlsplit(target)
        if parts.path != PATH:
            return 404, {"error": "no encontrado"}
        try:
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
        except ValueError:
            return 400, {"error": "página inválida"}
        start = (page - 1) * self.page_size
        chosen = self.releases[start : start + self.page_size]
        package = dgcp_package(chosen)
        if start + self.page_size < len(self.releases):
            package["links"] = {"next": f"{PATH}?page={page + 1}"}
        with self._lock:
            self.pages_served += 1
        return 200, package

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


def start(port: int = 0, page_size: int = PAGE_SIZE) -> DgcpApi:
    return DgcpApi(port=port, page_size=page_size)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A simulated DGCP OCDS API on loopback.")
    parser.add_argument("--port", type=int, default=8705)
    args = parser.parse_args(argv)
    api = start(args.port)
    print(f"DGCP API: {api.url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        api.stop()


if __name__ == "__main__":
    main()
