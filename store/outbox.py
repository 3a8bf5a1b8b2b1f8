"""The hub's durable outbox: work that must reach a system outside the hub (a request to
the municipality's system of record, an e-mail), committed in the same transaction as the
change that caused it, and delivered by workers with backoff until it is done.

Several workers (processes, hosts) share the outbox: a worker *claims* an item with a
lease (a conditional UPDATE that only one of them can win) and the item comes back to
the pool if the worker dies before finishing. A claim counts as an attempt, so after a
crash the next worker knows that an earlier attempt may have reached the upstream and
asks it before sending again (see `connectors.writes`).

Payloads name records by id, never by personal value: the worker reads the record when
it delivers, so that a cancellation (Ley 172-13) in the meantime is honoured.

This module owns the outbox's whole life: `enqueue` (inside the caller's transaction),
`Outbox.claim` (the lease), `Outbox.retry_later` (backoff), `Outbox.fail` (give up, kept
for a person) and `Outbox.retry` (a person's retry). The worker that delivers is
`gateway/outbox_delivery/worker.py`; the GraphQL for failed items is `schema/deliveries/`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.store import metadata

__all__ = [
    "MAX_BACKOFF_SECONDS",
    "MAX_FAILED_PAGE",
    "REASON_LENGTH",
    "Outbox",
    "OutboxItem",
    "OutboxKind",
    "OutboxState",
    "enqueue",
    "outbox",
]

ID_LENGTH = 32
#: The longest pause between two attempts.
MAX_BACKOFF_SECONDS = 300.0
#: Most FAILED items one `failed()` call returns: a page for a person, not an export.
MAX_FAILED_PAGE = 100
#: The longest upstream reason kept with a failed item.
REASON_LENGTH = 300


class OutboxKind(enum.StrEnum):
    #: Send a service request to its municipality's system of record.
    DELIVER_REQUEST = "deliver_request"
    #: E-mail the citizen: `payload["template"]` says which message.
    EMAIL = "email"


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    #: Refused for good (e.g. a mapping error): needs a person; kept, never dropped.
    FAILED = "failed"


outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("municipality_id", sa.String(64), nullable=False),
    sa.Column("request_id", sa.String(ID_LENGTH), nullable=True),
    # Ids and template names only: never personal data.
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("leased_by", sa.String(64), nullable=True),
    # An error code (`UPSTREAM_TIMEOUT`, …), never a message that could quote data.
    sa.Column("last_error", sa.String(64), nullable=True),
    # What the upstream said when it refused a request for good, sanitised (no personal
    # data) and cut to `REASON_LENGTH`; NULL for every other outcome.
    sa.Column("reason", sa.String(REASON_LENGTH), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_outbox_due", "state", "next_attempt_at"),
    sa.Index("ix_outbox_request", "request_id"),
)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_id() -> str:
    return secrets.token_hex(ID_LENGTH // 2)


@dataclasses.dataclass(frozen=True, slots=True)
class OutboxItem:
    id: str
    kind: OutboxKind
    municipality_id: str
    request_id: str | None
    payload: Mapping[str, Any]
    state: OutboxState
    #: Attempts claimed so far, this one included once claimed.
    attempts: int
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    last_error: str | None = None
    #: When it was delivered (DONE) or given up (FAILED; None if given up before the
    #: hub recorded that time).
    done_at: dt.datetime | None = None
    #: What the upstream said when it refused the request for good (sanitised), if it did.
    reason: str | None = None

    @property
    def may_have_arrived(self) -> bool:
        """An earlier attempt was made: it may have reached the upstream."""
        return self.attempts > 1


def _item(row: sa.Row[Any]) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=OutboxKind(row.kind),
        municipality_id=row.municipality_id,
        request_id=row.request_id,
        payload=dict(row.payload),
        state=OutboxState(row.state),
        attempts=row.attempts,
        next_attempt_at=_utc(row.next_attempt_at) or _utcnow(),
        created_at=_utc(row.created_at) or _utcnow(),
        last_error=row.last_error,
        done_at=_utc(row.done_at),
        reason=row.reason,
    )


async def enqueue(
    connection: AsyncConnection,
    kind: OutboxKind,
    municipality_id: str,
    *,
    request_id: str | None = None,
    payload: Mapping[str, Any] | None = None,
    now: dt.datetime,
) -> str:
    """Add an item inside the caller's transaction: it exists if and only if the change
    that caused it was committed."""
    item_id = new_id()
    await connection.execute(
        outbox.insert().values(
            id=item_id,
            kind=kind.value,
            municipality_id=municipality_id,
            request_id=request_id,
            payload=dict(payload or {}),
            state=OutboxState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return item_id


def backoff(
    attempts: int, first_seconds: float = 1.0, most_seconds: float = MAX_BACKOFF_SECONDS
) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: doubling, capped."""
    return float(min(first_seconds * 2 ** min(max(attempts - 1, 0), 30), most_seconds))


class Outbox:
    """Claim, complete and reschedule outbox items."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        now: Callable[[], dt.datetime] = _utcnow,
        first_backoff_seconds: float = 1.0,
        max_backoff_seconds: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self.engine = engine
        self._now = now
        self.first_backoff_seconds = first_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds

    async def claim(
        self,
        worker: str,
        *,
        kinds: Sequence[OutboxKind] = tuple(OutboxKind),
        limit: int = 20,
        lease_seconds: float = 60.0,
    ) -> list[OutboxItem]:
        """Up to `limit` due items, each leased to `worker` and counted as an attempt.

        An item whose lease ran out (its worker died) is due again.
        """
        now = self._now()
        due = (
            sa.select(outbox.c.id)
            .where(
                outbox.c.state == OutboxState.PENDING.value,
                outbox.c.kind.in_([k.value for k in kinds]),
                outbox.c.next_attempt_at <= now,
                sa.or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now),
            )
            .order_by(outbox.c.next_attempt_at, outbox.c.created_at)
            .limit(limit)
        )
        lease_until = now + dt.timedelta(seconds=lease_seconds)
        claimed: list[str] = []
        async with self.engine.begin() as connection:
            candidates = (await connection.execute(due)).scalars().all()
            for item_id in candidates:
                # Only one worker's conditional UPDATE can match: the lease is the lock.
                won = await connection.execute(
                    outbox.update()
                    .where(
                        outbox.c.id == item_id,
                        outbox.c.state == OutboxState.PENDING.value,
                        sa.or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now),
                    )
                    .values(
                        lease_until=lease_until,
                        leased_by=worker,
                        attempts=outbox.c.attempts + 1,
                    )
                )
                if won.rowcount == 1:
                    claimed.append(item_id)
        if not claimed:
            return []
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(outbox).where(outbox.c.id.in_(claimed)))
            by_id = {row.id: _item(row) for row in rows}
        return [by_id[item_id] for item_id in claimed if item_id in by_id]

    async def complete(
        self, item_id: str, worker: str, *, connection: AsyncConnection | None = None
    ) -> bool:
        """Mark done; False if the lease was lost meanwhile (another worker took it)."""
        statement = (
            outbox.update()
            .where(outbox.c.id == item_id, outbox.c.state == OutboxState.PENDING.value)
            .where(outbox.c.leased_by == worker)
            .values(state=OutboxState.DONE.value, done_at=self._now(), lease_until=None)
        )
        if connection is not None:
            return (await connection.execute(statement)).rowcount == 1
        async with self.engine.begin() as own:
            return (await own.execute(statement)).rowcount == 1

    async def retry_later(self, item: OutboxItem, error_code: str) -> dt.datetime:
        """Release the lease and schedule the next attempt with backoff."""
        when = self._now() + dt.timedelta(
            seconds=backoff(item.attempts, self.first_backoff_seconds, self.max_backoff_seconds)
        )
        async with self.engine.begin() as connection:
            await connection.execute(
                outbox.update()
                .where(outbox.c.id == item.id, outbox.c.state == OutboxState.PENDING.value)
                .values(
                    next_attempt_at=when,
                    lease_until=None,
                    leased_by=None,
                    last_error=error_code[:64],
                )
            )
        return when

    async def fail(
        self,
        item: OutboxItem,
        error_code: str,
        *,
        reason: str | None = None,
        connection: AsyncConnection | None = None,
    ) -> bool:
        """Stop retrying an item that cannot succeed as it is; it stays for a person, who
        sees when it was given up (`done_at`) and why (`last_error`, and `reason`: what
        the upstream said, already free of personal data). False if it was not pending."""
        statement = (
            outbox.update()
            .where(outbox.c.id == item.id, outbox.c.state == OutboxState.PENDING.value)
            .values(
                state=OutboxState.FAILED.value,
                lease_until=None,
                last_error=error_code[:64],
                reason=None if reason is None else reason[:REASON_LENGTH],
                done_at=self._now(),
            )
        )
        if connection is not None:
            return (await connection.execute(statement)).rowcount == 1
        async with self.engine.begin() as own:
            return (await own.execute(statement)).rowcount == 1

    async def failed(
        self, municipality_id: str, *, limit: int = 50, offset: int = 0
    ) -> list[OutboxItem]:
        """One municipality's FAILED items, most recently given up first (those given up
        before the time was recorded by when they were made). `limit` is 1 to
        `MAX_FAILED_PAGE`."""
        if not 1 <= limit <= MAX_FAILED_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_FAILED_PAGE}")
        if offset < 0:
            raise ValueError("offset must not be negative")
        newest = sa.func.coalesce(outbox.c.done_at, outbox.c.created_at)
        query = (
            sa.select(outbox)
            .where(
                outbox.c.state == OutboxState.FAILED.value,
                outbox.c.municipality_id == municipality_id,
            )
            # The id breaks ties so that pages neither repeat nor skip an item.
            .order_by(newest.desc(), outbox.c.id)
            .limit(limit)
            .offset(offset)
        )
        async with self.engine.connect() as connection:
            return [_item(row) for row in await connection.execute(query)]

    async def retry(self, item_id: str, municipality_id: str) -> bool:
        """Put a FAILED item of `municipality_id` back in the pool, due now (a person
        fixed the cause). `attempts` is kept: the next attempt then knows an earlier one
        may have reached the upstream, and asks it before sending again.

        False, and nothing changed, when the item is not FAILED (retried already,
        delivered) or belongs to another municipality: one conditional UPDATE, so two
        people retrying at once put it back once.
        """
        async with self.engine.begin() as connection:
            result = await connection.execute(
                outbox.update()
                .where(
                    outbox.c.id == item_id,
                    outbox.c.municipality_id == municipality_id,
                    outbox.c.state == OutboxState.FAILED.value,
                )
                .values(
                    state=OutboxState.PENDING.value,
                    next_attempt_at=self._now(),
                    lease_until=None,
                    leased_by=None,
                    done_at=None,
                    reason=None,
                )
            )
            return int(result.rowcount) == 1

    async def item(self, item_id: str) -> OutboxItem | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(sa.select(outbox).where(outbox.c.id == item_id))
            ).one_or_none()
        return None if row is None else _item(row)

    async def items(
        self,
        *,
        state: OutboxState | None = None,
        kind: OutboxKind | None = None,
        request_id: str | None = None,
    ) -> list[OutboxItem]:
        query = sa.select(outbox).order_by(outbox.c.created_at)
        if state is not None:
            query = query.where(outbox.c.state == state.value)
        if kind is not None:
            query = query.where(outbox.c.kind == kind.value)
        if request_id is not None:
            query = query.where(outbox.c.request_id == request_id)
        async with self.engine.connect() as connection:
            return [_item(row) for row in await connection.execute(query)]

    async def expedite(self, kind: OutboxKind, municipality_id: str) -> int:
        """Make a municipality's waiting items of `kind` due now (its system is back:
        no need to sit out each item's backoff). Returns how many were brought forward."""
        now = self._now()
        async with self.engine.begin() as connection:
            result = await connection.execute(
                outbox.update()
                .where(
                    outbox.c.state == OutboxState.PENDING.value,
                    outbox.c.kind == kind.value,
                    outbox.c.municipality_id == municipality_id,
                    outbox.c.next_attempt_at > now,
                    sa.or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now),
                )
                .values(next_attempt_at=now)
            )
            return int(result.rowcount)

    async def counts(self) -> dict[tuple[OutboxState, OutboxKind, str], int]:
        """Items by (state, kind, municipality id), done ones left out (metrics)."""
        query = (
            sa.select(outbox.c.state, outbox.c.kind, outbox.c.municipality_id, sa.func.count())
            .where(outbox.c.state != OutboxState.DONE.value)
            .group_by(outbox.c.state, outbox.c.kind, outbox.c.municipality_id)
        )
        async with self.engine.connect() as connection:
            return {
                (OutboxState(state), OutboxKind(kind), municipality): int(n)
                for state, kind, municipality, n in await connection.execute(query)
            }

    async def pending_count(self, kind: OutboxKind | None = None) -> int:
        query = sa.select(sa.func.count()).where(outbox.c.state == OutboxState.PENDING.value)
        if kind is not None:
            query = query.where(outbox.c.kind == kind.value)
        async with self.engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one())
