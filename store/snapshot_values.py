"""A kept answer of a read and its tagged JSON (the contract of `store.snapshots`).

Values are stored as tagged JSON (`encode`/`decode`): exact decimals, dates and times come
back as they were, and nothing is unpickled from a database. Which capabilities may be kept
is the connectors' decision (`connectors.snapshots.KEPT_CAPABILITIES`).
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["NotStorable", "Snapshot", "SnapshotStore", "decode", "encode"]


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    value: Any
    #: Seconds since it was read from the source.
    age_seconds: float


class SnapshotStore(abc.ABC):
    """Where the last good answer of a read is kept, by an opaque key."""

    @abc.abstractmethod
    async def load(self, key: str) -> Snapshot | None:
        """The answer kept under `key`, if any (and not older than the store keeps)."""

    @abc.abstractmethod
    async def save(self, key: str, municipality_id: str, value: Any) -> None:
        """Keep `value` (already checked to be encodable) as the answer under `key`."""


class NotStorable(ValueError):
    """A value holds a type the snapshot encoding does not know."""


# -- tagged JSON -------------------------------------------------------------------------

_TAG_DECIMAL = "$decimal"
_TAG_DATETIME = "$datetime"
_TAG_DATE = "$date"
_TAG_MAP = "$map"


def encode(value: Any) -> Any:
    """`value` as JSON-ready data; raises `NotStorable` for a type it does not know."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return {_TAG_DECIMAL: str(value)}
    if isinstance(value, dt.datetime):
        return {_TAG_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG_DATE: value.isoformat()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NotStorable("a mapping with keys that are not text")
        encoded = {key: encode(item) for key, item in value.items()}
        # A record whose own field names look like tags is wrapped, so it reads back as is.
        if any(key.startswith("$") for key in value):
            return {_TAG_MAP: encoded}
        return encoded
    raise NotStorable(f"a value of type {type(value).__name__}")


def decode(data: Any) -> Any:
    """The value `encode` was given (lists come back as lists)."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        ((tag, inner),) = data.items()
        if tag == _TAG_DECIMAL:
            return Decimal(inner)
        if tag == _TAG_DATETIME:
            return dt.datetime.fromisoformat(inner)
        if tag == _TAG_DATE:
            return dt.date.fromisoformat(inner)
        if tag == _TAG_MAP:
            return {key: decode(item) for key, item in inner.items()}
    return {key: decode(item) for key, item in data.items()}
