"""HTTP for SOAP calls: aiohttp's client, one bounded keep-alive pool per service address.

A SOAP call is one POST of bytes that are known before the call (the envelope and its
headers, prepared once and cached by `client.LoadedService`) to one address, and one
answer read whole. zeep's own transport does that through httpx, whose per-call work
(request and response models, the pool's expiry checks, anyio stream wrappers, h11)
costs several times the CPU of the rest of a call; aiohttp's client, with its C HTTP
parser, costs a fraction of it (see `benchmarks/soap_transport.py` and the figures in
`benchmarks/README.md`).

How the session is set up, and why:

- **A bounded pool per source**: one `aiohttp.TCPConnector` per service address, at most
  `max_connections` connections (the source's `max_concurrent_calls`), idle ones kept
  alive for `keepalive_expiry` seconds and reused. A connection the server closed while
  idle is noticed when it is taken from the pool and replaced by a new one.
- **Never a retried POST**: aiohttp retries only idempotent methods; a connection that
  breaks after the request was sent is an error (a transient one for the connector,
  whose reads are retried by the dispatcher and whose writes go through the outbox, which
  asks the source before any retry).
- **No redirects** (`allow_redirects=False`): a 3xx answer is handed to zeep, which
  reports it as an HTTP error, as with httpx.
- **TLS** with httpx's default context (certifi, or `SSL_CERT_FILE`), the same trust
  store zeep's httpx client and the WSDL download use; hostnames verified.
- **Proxies**: the session does not read the proxy environment (`trust_env=False`, which
  also spares a look-up of the environment on every call); where the environment routes
  an address through a proxy, `uses_proxy` tells the caller to keep zeep's httpx
  transport, which honours it.
- **Cancelled calls**: a call cancelled (or failing) before its answer was read whole
  closes its connection (`ClientResponse.close`); a half-read connection never goes
  back to the pool.
- **Answers** framed by Content-Length, chunked encoding or the end of the connection,
  interim 1xx answers skipped, gzip/deflate bodies decoded; no cookies kept; timeouts
  left to the caller (the connector bounds each call with `asyncio.timeout`).

Errors are `RemoteProtocolError`, a `ConnectionError` (hence an `OSError`, which the
connector maps to a transient upstream error), whatever aiohttp raised underneath.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import aiohttp
import httpx
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL


class RemoteProtocolError(ConnectionError):
    """The exchange failed: refused, reset, closed mid-answer, or a malformed answer."""


class Reply(NamedTuple):
    status: int
    #: The answer's headers; names are looked up case-insensitively.
    headers: Mapping[str, str]
    content: bytes


class Prepared(NamedTuple):
    """A request that does not change between calls: its body and its headers."""

    body: bytes
    headers: CIMultiDictProxy[str]


def prepare(headers: Iterable[tuple[str, str]], body: bytes) -> Prepared:
    """`body` with `headers`, checked once (no line breaks: nothing can be injected)."""
    checked: CIMultiDict[str] = CIMultiDict()
    for name, value in headers:
        if any(c in name or c in value for c in "\r\n\0") or ":" in name:
            raise ValueError(f"invalid HTTP header {name!r}")
        checked.add(name, value)
    return Prepared(body, CIMultiDictProxy(checked))


def uses_proxy(address: str) -> bool:
    """Whether the environment routes `address` through a proxy (httpx honours that)."""
    url = httpx.URL(address)
    proxies = urllib.request.getproxies_environment()
    if not (proxies.get(url.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(url.netloc.decode("ascii"))


#: No timeouts of aiohttp's own (and so no timer per call): the caller bounds each call.
_NO_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=None, sock_read=None, sock_connect=None)


class SoapHttp:
    """aiohttp session for one service address; `post` sends a prepared request."""

    def __init__(
        self,
        address: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 8,
        keepalive_expiry: float = 4.0,
    ) -> None:
        url = URL(address)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"not an http(s) address: {address}")
        self.url = url
        self._ssl: ssl.SSLContext | bool = False
        if url.scheme == "https":
            self._ssl = ssl_context or httpx.create_ssl_context()
        self._max_connections = max_connections
        self._expiry = keepalive_expiry
        # Made on the first call, in the loop that runs it (the WSDL loads in a thread).
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.is_closed = False

    def _session_for(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        if self._session is not None:
            self._discard()  # connections belong to the loop that opened them
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=self._max_connections,
            keepalive_timeout=self._expiry,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=_NO_TIMEOUT,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=True,
        )
        self._loop = loop
        return self._session

    async def post(self, request: Prepared) -> Reply:
        """Send `request` and read the whole answer."""
        if self.is_closed:
            raise RuntimeError("the SOAP HTTP client has been closed")
        session = self._session
        if session is None or self._loop is not asyncio.get_running_loop():
            session = self._session_for(asyncio.get_running_loop())
        try:
            response = await session.post(
                self.url, data=request.body, headers=request.headers, allow_redirects=False
            )
            try:
                content = await response.read()
            except BaseException:
                response.close()  # cancelled or broken mid-answer: never reused
                raise
        except aiohttp.ClientError as exc:
            raise RemoteProtocolError(f"{type(exc).__name__}: {exc}") from exc
        return Reply(response.status, response.headers, content)

    def _discard(self) -> None:
        """Let go of the session without awaiting (its loop may be another, or closed)."""
        session, loop, self._session, self._loop = self._session, self._loop, None, None
        connector = session.connector if session is not None else None
        if connector is None or connector.closed:
            return
        # TCPConnector.close() is a coroutine of the session's own loop; its synchronous
        # part closes the transports (with the loop closed, it only marks them closed).
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or loop is running or loop.is_closed() or not loop.is_running():
            connector._close()
        else:  # a loop running in another thread
            loop.call_soon_threadsafe(connector._close)

    async def aclose(self) -> None:
        self.is_closed = True
        session, loop = self._session, self._loop
        if session is None:
            return
        if loop is asyncio.get_running_loop():
            self._session = self._loop = None
            await session.close()
        else:
            self._discard()
