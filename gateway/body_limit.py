"""A ceiling on request bodies (pure ASGI): `413 Payload Too Large` past it.

A declared `Content-Length` over the limit is refused before a byte of the body is read.
A body without one (chunked) is counted as it streams through to the app; the chunk that
crosses the limit is never handed over: the app's read fails, and the caller gets the
413 instead of whatever the app would have answered. So nothing reads more than the
limit (plus at most one chunk, which the server had already received).

Paths may have their own ceiling: `overrides=[("/uploads/", 20 << 20)]`, the longest
matching prefix wins. Where files are taken, a multipart body (and only a multipart
body: a JSON or urlencoded one keeps the ordinary ceiling) may have a higher one:
`uploads=[(re.compile(r"^/graphql$"), 16 << 20)]`, the first matching pattern wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

import words
from gateway.ratelimit.refusal import send_refusal

DEFAULT_MAX_BODY_BYTES = 1 << 20


class BodyTooLarge(Exception):
    """Raised into the app from `receive` when the body passes the limit."""


def _size(limit: int) -> str:
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    if limit >= 1 << 10 and limit % (1 << 10) == 0:
        return f"{limit >> 10} KiB"
    return f"{limit} bytes"


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        overrides: Sequence[tuple[str, int]] = (),
        uploads: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = sorted(overrides, key=lambda o: len(o[0]), reverse=True)
        self.uploads = list(uploads)

    def limit_for(self, path: str, *, multipart: bool = False) -> int:
        if multipart:
            for pattern, limit in self.uploads:
                if pattern.match(path):
                    return limit
        return next(
            (limit for prefix, limit in self.overrides if path.startswith(prefix)), self.max_bytes
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"], multipart=_is_multipart(scope))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_too_large(scope, send, limit)
            return

        received = 0
        exceeded = False
        response_started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started, refused
            if refused:
                return  # the rest of the app's answer, replaced by the 413
            if message["type"] == "http.response.start":
                if exceeded and not response_started:
                    # The app caught the failed read and answered anyway (an error page):
                    # the caller gets the 413 instead.
                    refused = True
                    await _send_too_large(scope, send, limit)
                    return
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not response_started and not refused:
                await _send_too_large(scope, send, limit)


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.partition(b";")[0].strip().lower()
            return media_type == b"multipart/form-data"
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_too_large(scope: Scope, send: Send, limit: int) -> None:
    size = _size(limit)
    await send_refusal(
        scope,
        send,
        status=413,
        title=words.Message("gateway", "Request too large"),
        message=words.Message(
            "gateway", "The request body is too large: the maximum is %(size)s.", {"size": size}
        ),
        code="PAYLOAD_TOO_LARGE",
        extensions={"maximum": limit},
        # The rest of the body is never read, so the connection cannot be reused.
        headers={"Connection": "close"},
    )
