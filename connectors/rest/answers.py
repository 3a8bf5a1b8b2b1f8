"""Reading a JSON answer: where its records are (dotted paths) and where the next page is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from connectors.errors import UpstreamError

__all__ = ["MISSING", "decoded", "dig", "is_link", "origin", "records_at"]

#: What `dig` answers for a path that is not in the answer.
MISSING: Any = object()


def dig(node: Any, path: str) -> Any:
    """The value at a dotted path in decoded JSON (list items by index), or `MISSING`."""
    if not path:
        return node
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def decoded(response: httpx.Response, where: str, records_path: str) -> Any:
    """The answer's JSON; an `UpstreamError` when it is not JSON."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        shown = records_path or "the top level"
        raise UpstreamError(
            f"{where}: GET {response.url.path}: the answer is not valid JSON, so it has "
            f"no records at '{shown}' (records_path)"
        ) from None


def records_at(
    payload: Any, response: httpx.Response, where: str, records_path: str
) -> list[Mapping[str, Any]]:
    """The list of records at `records_path`; an `UpstreamError` when it is not there."""
    node = dig(payload, records_path)
    shown = records_path or "the top level"
    if node is MISSING:
        raise UpstreamError(
            f"{where}: GET {response.url.path}: the answer has no '{shown}' (records_path)"
        )
    if node is None:
        return []
    if not isinstance(node, list) or not all(isinstance(row, Mapping) for row in node):
        raise UpstreamError(
            f"{where}: GET {response.url.path}: '{shown}' (records_path) is not a list of objects"
        )
    return node


def is_link(value: str) -> bool:
    return value.startswith(("/", "?", "http://", "https://"))


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port
