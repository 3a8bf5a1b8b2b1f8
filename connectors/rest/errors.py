"""How httpx's exceptions and HTTP statuses become the connector error tree (`rest`).

A refused connection, a 5xx or a 429 is transient; a timeout is `UpstreamTimeout`;
another 4xx, or a redirect, is `UpstreamError` (credentials rejected say so to the
citizen too). Messages name the URL path, never the query string, the headers or a secret.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connectors.errors import ConnectorError, TransientError, UpstreamError, UpstreamTimeout
from words import Message

__all__ = ["AUTH_REJECTED", "http_error", "raise_for_status"]

AUTH_REJECTED = Message(
    "sources",
    "The municipality's system rejected PLANASMUN's credentials. "
    "The technical team must check the connection's configuration.",
)


def http_error(
    source: str, exc: BaseException, *, timeout: float, redact: Callable[[str], str]
) -> ConnectorError | None:
    """The error an exception of a GET becomes (`connectors.boundary`), or None.

    `source` is `<where>: GET <path>`; the exception's text has the revealed secrets hidden.
    """
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return UpstreamTimeout(f"{source}: no answer within {timeout:g} s ({type(exc).__name__})")
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError | httpx.ProxyError):
        return TransientError(f"{source}: {type(exc).__name__}: {redact(str(exc))}")
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return UpstreamError(f"{source}: {type(exc).__name__}: {redact(str(exc))}")
    return None


def raise_for_status(response: httpx.Response, where: str) -> None:
    """An answer that is not a 2xx, as the error it means."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"{where}: GET {response.url.path}: HTTP {status}"
    if status == 429 or status >= 500:
        raise TransientError(message)
    if status in (401, 403):
        raise UpstreamError(f"{message} (credentials rejected)", message=AUTH_REJECTED)
    if 300 <= status < 400:
        raise UpstreamError(f"{message} (a redirect: is base_url up to date?)")
    raise UpstreamError(message)
