"""The binding cache: fresh reads within a binding's lifetime, stale ones when a source fails.

In-process by default (one worker); a shared backend can replace it behind the same two
methods. Only public capability data goes here: entries are shared between all callers.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Hashable
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class CacheEntry:
    value: Any
    stored_at: float


class SourceCache:
    def __init__(
        self,
        max_entries: int = 50_000,
        keep_stale_seconds: float = 24 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.keep_stale_seconds = keep_stale_seconds
        self._clock = clock
        self._entries: collections.OrderedDict[Hashable, CacheEntry] = collections.OrderedDict()

    def now(self) -> float:
        return self._clock()

    def get(self, key: Hashable) -> CacheEntry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() - entry.stored_at > self.keep_stale_seconds:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def set(self, key: Hashable, value: Any, stored_at: float | None = None) -> None:
        """Keep `value`, read from its source now (or at `stored_at`, this cache's clock)."""
        when = self._clock() if stored_at is None else stored_at
        self._entries[key] = CacheEntry(value, when)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def restore(self, key: Hashable, value: Any, stored_at: float) -> None:
        """Put back a value read from the source at `stored_at` (this cache's clock),
        unless a fresher one is already here."""
        entry = self._entries.get(key)
        if entry is not None and entry.stored_at >= stored_at:
            return
        self.set(key, value, stored_at)

    def clear(self) -> None:
        self._entries.clear()
