"""Records inside a serialized SOAP reply, for reads and for the request writer alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import UpstreamError


def value_at(data: Any, path: str | None, where: str) -> Any:
    """The value at a binding's dotted `result_path` inside a serialized response (None
    where the path runs into nothing); a part the response lacks is an `UpstreamError`."""
    if not path:
        return data
    for part in path.split("."):
        if data is None:
            return None
        if not isinstance(data, Mapping) or part not in data:
            found = (
                f"keys {', '.join(map(str, data))}"
                if isinstance(data, Mapping)
                else type(data).__name__
            )
            raise UpstreamError(
                f"{where}: result_path '{path}': no '{part}' in the response ({found})"
            )
        data = data[part]
    return data


def rows_at(data: Any, path: str | None, where: str) -> list[Mapping[str, Any]]:
    """The records inside a serialized response: a list, one record, or nothing."""
    data = value_at(data, path, where)
    if data is None:
        return []
    items = data if isinstance(data, list) else [data]
    rows = [item for item in items if item is not None]
    for row in rows:
        if not isinstance(row, Mapping):
            raise UpstreamError(
                f"{where}: expected records (complex values) in the response, found "
                f"{type(row).__name__}; does the binding need a `result_path`?"
            )
    return rows
