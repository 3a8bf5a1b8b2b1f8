"""What a failed read falls back on: the last good answer, wherever it is kept.

First the worker's own binding cache; then the snapshot store (`connectors.snapshots`),
where every worker keeps the last good answer of each cached public read, for the other
workers and the next start; and for one record asked by id, the record in its
municipality's last known list (a catalogue read as a list answers for each service in it,
including "no such service"). Whatever is found is served marked stale, with its age.

Keeping a fresh answer runs in the background: the caller never waits for the store, and a
store that fails costs only the snapshot (logged without the data).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

from connectors.cache import CacheEntry, SourceCache
from connectors.snapshots import NotStorable, SnapshotStore

log = logging.getLogger(__name__)

#: How long a failing read waits for the snapshot store before answering without it (on
#: top of the source's own timeout: a hub store that hangs must not hold answers long).
RECALL_TIMEOUT_SECONDS = 0.5
#: After the store had nothing for a read (or did not answer), it is not asked again for
#: that read for this long: an outage of a source with nothing kept, or of the store
#: itself, costs one look-up per read and half-minute, not one per request.
MISS_SECONDS = 30.0


class LastKnownAnswers:
    def __init__(self, cache: SourceCache, snapshots: SnapshotStore | None = None) -> None:
        self.cache = cache
        #: The last good answers where every worker and the next start find them.
        self.snapshots = snapshots
        self._saving: set[asyncio.Task[None]] = set()
        #: Snapshot key → when (the cache's clock) the store last had nothing for it.
        self._misses: dict[str, float] = {}

    def keep(self, cache_scope: str, key: Any, municipality_id: str, value: Any) -> None:
        """Keep a fresh answer in the snapshot store, in the background (the answer to the
        caller never waits for it, and a store that fails loses only the snapshot)."""
        if self.snapshots is None:
            return
        task = asyncio.ensure_future(
            self._save(self.snapshots, _snapshot_key(cache_scope, key), municipality_id, value)
        )
        self._saving.add(task)
        task.add_done_callback(self._saving.discard)

    @staticmethod
    async def _save(store: SnapshotStore, key: str, municipality_id: str, value: Any) -> None:
        try:
            await store.save(key, municipality_id, value)
        except NotStorable as exc:  # a connector's value of an odd type: only its kind shown
            log.warning("snapshot of %s not kept: %s", municipality_id, exc)
        except Exception as exc:  # the store is down: the live answer was given anyway
            log.warning("snapshot of %s not kept: %s", municipality_id, type(exc).__name__)

    async def find(self, cache_scope: str, key: Any, *, durable: bool) -> CacheEntry | None:
        """The last good answer for a failed read: this worker's cache, else the snapshot
        store; for one record, else the record in its municipality's last known list (a
        catalogue read as a list answers for each of its services)."""
        entry = self.cache.get((cache_scope, key))
        if entry is None and durable:
            entry = await self._recall(cache_scope, key)
        if entry is not None or not cache_scope.startswith("get|"):
            return entry
        municipality_id, record_id = key
        list_scope = "list|" + cache_scope.removeprefix("get|")
        listing = self.cache.get((list_scope, municipality_id))
        if listing is None and durable:
            listing = await self._recall(list_scope, municipality_id)
        if listing is None or not isinstance(listing.value, list):
            return None
        found = next((r for r in listing.value if str(r.get("id")) == record_id), None)
        return CacheEntry(found, listing.stored_at)

    async def _recall(self, cache_scope: str, key: Any) -> CacheEntry | None:
        """The last good answer kept by any worker or an earlier start, as a cache entry
        (and into this worker's cache, so that the next failure needs no store read)."""
        if self.snapshots is None:
            return None
        snapshot_key = _snapshot_key(cache_scope, key)
        now = self.cache.now()
        missed = self._misses.get(snapshot_key)
        if missed is not None and now - missed < MISS_SECONDS:
            return None
        try:
            async with asyncio.timeout(RECALL_TIMEOUT_SECONDS):
                snapshot = await self.snapshots.load(snapshot_key)
        except Exception as exc:
            log.warning("snapshot not read: %s", type(exc).__name__)
            snapshot = None
        if snapshot is None:
            if len(self._misses) > 10_000:
                self._misses.clear()
            self._misses[snapshot_key] = now
            return None
        self._misses.pop(snapshot_key, None)
        stored_at = self.cache.now() - snapshot.age_seconds
        self.cache.restore((cache_scope, key), snapshot.value, stored_at)
        return CacheEntry(snapshot.value, stored_at)

    async def settled(self) -> None:
        """Wait for the answers being kept."""
        while self._saving:
            await asyncio.gather(*list(self._saving), return_exceptions=True)


def _snapshot_key(cache_scope: str, key: Any) -> str:
    """An opaque, stable key for a read: the same in every worker and after a restart."""
    text = json.dumps([cache_scope, key], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
