"""uvicorn's HTTP protocol, sending each answer's head and body in one write.

uvicorn writes the status line and headers as soon as the app starts its answer, then
the body as a second write. On a TCP connection each write is a system call and, with
Nagle's algorithm off, a segment of its own that wakes the client twice. Under load the
two writes were a third to a half of a worker's CPU for a small cached answer (py-spy:
`RequestResponseCycle.send`, see `benchmarks/README.md`).

`CoalescingTransport` keeps what is written during one turn of the event loop and hands
it to the socket as one write at the end of that turn (`loop.call_soon`), so a head and a
body sent together leave together; a body streamed over several turns still leaves piece
by piece, as the app sends it, and nothing waits longer than the current turn. Closing
the connection or ending the write side sends what is kept first; aborting drops it, as
aborting a transport drops its buffer. A WebSocket upgrade hands the real transport to
the WebSocket protocol.

`planasmun serve` runs uvicorn with `http=HTTP_PROTOCOL`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: What `uvicorn.run(http=...)` is given.
HTTP_PROTOCOL = "gateway.http_protocol:CoalescingHttpProtocol"


class CoalescingTransport(asyncio.Transport):
    """A TCP transport whose writes in one event-loop turn go out as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._pending_bytes = 0

    # ---------------------------------------------------------------- writing

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if self.transport.is_closing():
            self.transport.write(data)  # the transport's own handling of a late write
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))
        self._pending_bytes += len(data)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what was kept, as one write."""
        if not self._pending:
            return
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        if self.transport.is_closing():
            return  # the peer went away during this turn: nobody to send it to
        self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() + self._pending_bytes

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.transport.set_write_buffer_limits(high, low)

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def can_write_eof(self) -> bool:
        return self.transport.can_write_eof()

    # ---------------------------------------------------------------- closing

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self._pending, self._pending_bytes = [], 0
        self.transport.abort()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    # ---------------------------------------------------------------- the rest as is

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.transport.get_protocol()

    def is_reading(self) -> bool:
        return self.transport.is_reading()

    def pause_reading(self) -> None:
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        self.transport.resume_reading()


class CoalescingHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a `CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._raw_transport = transport
        self.transport = CoalescingTransport(transport, asyncio.get_running_loop())

    def handle_websocket_upgrade(self) -> None:
        if isinstance(self.transport, CoalescingTransport):
            self.transport.flush()
            self.transport = self._raw_transport
        super().handle_websocket_upgrade()
