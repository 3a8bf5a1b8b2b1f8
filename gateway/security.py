"""Security headers on every HTTP response (pure ASGI, so streaming is unaffected)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: No inline scripts or styles anywhere, including the explorer: every asset is a file
#: the hub serves itself, so the policy can stay this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: Set on every answer that does not set them itself (names lower-case, as ASGI has them).
DEFAULT_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("latin-1")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts
        self.defaults = (*DEFAULT_HEADERS, HSTS) if hsts else DEFAULT_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self.defaults

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # What MutableHeaders.setdefault does for each, in one pass over the headers.
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in defaults if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
