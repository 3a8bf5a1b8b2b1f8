"""Refusals sent before the app runs (429, 413): Spanish first, English alongside.

API clients get JSON in the shape of a GraphQL error (`errors[0].message`, with a code in
`extensions`), so a GraphQL client shows it as it shows any other error; a browser asking
for a page gets a short, plain HTML page with the same words. No styles or scripts, so
the hub's strict Content-Security-Policy applies unchanged.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import orjson
from starlette.types import Scope, Send

from words import Message

#: The page's one link, back to where a visitor can start again.
HOME = Message("gateway", "Back to the home page")


def wants_html(scope: Scope) -> bool:
    """A browser navigating (HTML asked for, JSON not)."""
    accept = ""
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            accept += value.decode("latin-1").lower()
    return "text/html" in accept and "application/json" not in accept


def _html_page(title: str, spanish: str, english: str) -> bytes:
    home = HOME.es
    return (
        "<!DOCTYPE html>\n"
        '<html lang="es">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} — PLANASMUN</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>{html.escape(spanish)}</p>\n"
        f'<p lang="en">{html.escape(english)}</p>\n'
        f'<p><a href="/">{html.escape(home)}</a></p>\n'
        "</main>\n</body>\n</html>\n"
    ).encode()


def refusal_body(
    scope: Scope,
    *,
    title: Message,
    message: Message,
    code: str,
    extensions: Mapping[str, object] | None = None,
) -> tuple[bytes, bytes]:
    """(content type, body) for the caller: an HTML page for browsers, else JSON. The page
    is titled in Spanish; `message` is given in Spanish, then in English."""
    spanish, english = message.es, message.en
    if wants_html(scope):
        return b"text/html; charset=utf-8", _html_page(title.es, spanish, english)
    error = {
        "message": f"{spanish} ({english})",
        "extensions": {"code": code, **(extensions or {})},
    }
    return b"application/json", orjson.dumps({"data": None, "errors": [error]})


async def send_refusal(
    scope: Scope,
    send: Send,
    *,
    status: int,
    title: Message,
    message: Message,
    code: str,
    extensions: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    content_type, body = refusal_body(
        scope, title=title, message=message, code=code, extensions=extensions
    )
    raw_headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()),
    ]
    if scope["type"] == "websocket":
        # Refused during the handshake: an HTTP answer where the server allows one
        # (ASGI's websocket.http.response extension), else a policy-violation close.
        if "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {"type": "websocket.http.response.start", "status": status, "headers": raw_headers}
            )
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
