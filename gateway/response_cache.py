"""A response cache for public GraphQL queries, in front of the GraphQL endpoint.

Keyed by the operation's text, its variables, its name and the caller's scope, so that a
repeated public query (the journalist's dashboard, a municipality page polled by many
phones) is answered without parsing or executing anything. Only complete answers are
kept (no errors, so no failed or stale parts); entries expire after a short lifetime and
every write clears the cache. Callers that present credentials bypass it: their answers
may hold personal data, which never goes into a cache shared between users.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import time
from collections.abc import Callable

import orjson
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLSyntaxError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.graphql_media import JSON, preferred_media_type

_PRIVATE_HEADERS = (b"authorization", b"cookie", b"x-api-key")


@functools.lru_cache(maxsize=1024)
def _is_query(document: str, operation_name: str | None) -> bool:
    """True only for a query operation (never a mutation or a subscription)."""
    try:
        parsed = parse(document, no_location=True)
    except GraphQLSyntaxError:
        return False
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    return len(chosen) == 1 and chosen[0].operation is OperationType.QUERY


class ResponseCache:
    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: collections.OrderedDict[bytes, tuple[float, list[Message]]] = (
            collections.OrderedDict()
        )
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> list[Message] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, messages = entry
        if self._clock() - stored_at > self.ttl_seconds:
            del self._entries[key]
            return None
        return messages

    def put(self, key: bytes, messages: list[Message]) -> None:
        self._entries[key] = (self._clock(), messages)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self) -> None:
        """Called after any write: a cached answer may now be out of date."""
        self._entries.clear()


def cache_key(body: bytes, scope_name: str, media_type: str = JSON) -> bytes | None:
    """The key of a cacheable public query in a POST body, or None. `media_type` is the
    answer's (the same query is answered differently to `application/graphql-response+json`),
    and a body whose `variables` or `extensions` are not objects is never cached: the
    endpoint refuses it."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    document = payload.get("query")
    operation_name = payload.get("operationName")
    if not isinstance(document, str) or not (
        operation_name is None or isinstance(operation_name, str)
    ):
        return None
    variables_given, extensions = payload.get("variables"), payload.get("extensions")
    if not isinstance(variables_given, dict | None) or not isinstance(extensions, dict | None):
        return None
    if not _is_query(document, operation_name):
        return None
    variables = orjson.dumps(variables_given or {}, option=orjson.OPT_SORT_KEYS)
    extension_bytes = orjson.dumps(extensions or {}, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.blake2b(digest_size=20)
    for part in (
        scope_name.encode(),
        media_type.encode(),
        document.encode(),
        variables,
        extension_bytes,
        (operation_name or "").encode(),
    ):
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return digest.digest()


class ResponseCacheMiddleware:
    """ASGI wrapper of the GraphQL endpoint (POST only; GET is cached by HTTP itself)."""

    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or self.cache.ttl_seconds <= 0
            or any(name in _PRIVATE_HEADERS for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        accept = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"accept"), None)
        key = cache_key(body, "public", preferred_media_type(accept))
        if key is not None:
            cached = self.cache.get(key)
            if cached is not None:
                self.cache.hits += 1
                for message in cached:
                    await send(message)
                return
            self.cache.misses += 1
        sent: list[Message] = []

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def record(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, replay, record)
        if key is not None and _complete_success(sent):
            self.cache.put(key, sent)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _complete_success(messages: list[Message]) -> bool:
    if not messages or messages[0].get("status") != 200:
        return False
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return b'"errors"' not in body
