"""The last known answers of cached reads, in the hub store (see `connectors.snapshots`).

One row per read: an opaque key (a SHA-256 of what the read was), the municipality it is
about (for an operator's eyes and clean-up), the answer as tagged JSON and when it was
read. Rows older than `keep_seconds` are never served and are removed as new ones come.

Only public capability data is written here (the dispatcher checks it): nothing in this
table is personal, and it may be shared by every worker and kept across restarts.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from store.snapshot_values import Snapshot, SnapshotStore, decode, encode
from store.store import metadata

__all__ = ["HubSnapshots", "source_snapshots"]

KEY_LENGTH = 64
#: How often, at most, old rows are swept (seconds).
SWEEP_EVERY_SECONDS = 3600.0

source_snapshots = sa.Table(
    "source_snapshots",
    metadata,
    sa.Column("key", sa.String(KEY_LENGTH), primary_key=True),
    sa.Column("municipality_id", sa.String(64), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_source_snapshots_stored_at", "stored_at"),
)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class HubSnapshots(SnapshotStore):
    def __init__(
        self,
        engine: AsyncEngine,
        keep_seconds: float = 24 * 3600,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.engine = engine
        self.keep_seconds = keep_seconds
        self._now = now
        self._last_sweep = float("-inf")

    async def load(self, key: str) -> Snapshot | None:
        query = sa.select(source_snapshots.c.value, source_snapshots.c.stored_at).where(
            source_snapshots.c.key == key
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            return None
        age = (self._now() - _utc(row.stored_at)).total_seconds()
        if age > self.keep_seconds:
            return None
        return Snapshot(decode(json.loads(row.value)), max(0.0, age))

    async def save(self, key: str, municipality_id: str, value: Any) -> None:
        text = json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"))
        now = self._now()
        table = source_snapshots
        async with self.engine.begin() as connection:
            updated = await connection.execute(
                table.update()
                .where(table.c.key == key)
                .values(value=text, stored_at=now, municipality_id=municipality_id)
            )
            if updated.rowcount == 0:
                try:
                    async with connection.begin_nested():
                        await connection.execute(
                            table.insert().values(
                                key=key, municipality_id=municipality_id, value=text, stored_at=now
                            )
                        )
                except IntegrityError:
                    pass  # another worker kept the same read a moment ago: either will do
            if time.monotonic() - self._last_sweep > SWEEP_EVERY_SECONDS:
                self._last_sweep = time.monotonic()
                cutoff = now - dt.timedelta(seconds=self.keep_seconds)
                await connection.execute(table.delete().where(table.c.stored_at < cutoff))
