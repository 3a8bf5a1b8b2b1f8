"""Splitting one call's keys into the batches an upstream operation accepts (`max_batch`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["in_batches"]

T = TypeVar("T")


def in_batches(keys: Sequence[T], max_batch: int | None) -> Iterator[Sequence[T]]:
    """`keys` in order, at most `max_batch` at a time (all at once when there is no limit)."""
    if max_batch is not None and max_batch < 1:
        raise ValueError(f"max_batch must be at least 1, not {max_batch}")
    if not keys:
        return
    size = len(keys) if max_batch is None else max_batch
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
