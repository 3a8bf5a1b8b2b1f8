"""Citizens' service requests as the hub keeps them: the tracking number, the status and
its history, and what is waiting to be delivered to the municipality's system.

Every request has a row here whatever its system of record: for a municipality without
one (`native`) this row *is* the record; for one with a system, it is the hub's copy,
marked delivered once the upstream holds it, and its status is read back from there.

`submit` does in one transaction what must never be half done: it allocates the tracking
number, writes the request and its first status, and enqueues its delivery and the
citizen's confirmation e-mail in the outbox. A submit retried with the same idempotency
key (a double click, a POST sent again) returns the request the first one created.

Personal data (the citizen's subject, the description, the address and location, the
service's own fields, the attachments) stays out of `repr`; erasure (`erase_citizen`)
blanks it and keeps the rest (service, status, dates) for statistics. Authorisation and
auditing are the schema layer's job; this module never logs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.outbox import REASON_LENGTH, OutboxKind, enqueue
from store.scrub import overwrite_freed_space, vacuum_erased
from store.store import metadata

__all__ = [
    "TERMINAL",
    "TRANSITIONS",
    "Attachment",
    "DeliveryState",
    "InvalidTransition",
    "NewAttachment",
    "NewRequest",
    "RequestNotFound",
    "RequestStatus",
    "RequestStore",
    "ServiceRequest",
    "StatusChange",
    "StoredAttachment",
    "tracking_number",
]

ID_LENGTH = 32
TRACKING_LENGTH = 24
DESCRIPTION_LENGTH = 4000
ADDRESS_LENGTH = 300
NOTE_LENGTH = 1000
IDEMPOTENCY_LENGTH = 64


class RequestStatus(enum.StrEnum):
    RECIBIDA = "RECIBIDA"
    EN_REVISION = "EN_REVISION"
    EN_PROCESO = "EN_PROCESO"
    RESUELTA = "RESUELTA"
    RECHAZADA = "RECHAZADA"


#: Where a request may go from each state. Rejection is possible until it is resolved.
TRANSITIONS: Mapping[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.RECIBIDA: frozenset({RequestStatus.EN_REVISION, RequestStatus.RECHAZADA}),
    RequestStatus.EN_REVISION: frozenset({RequestStatus.EN_PROCESO, RequestStatus.RECHAZADA}),
    RequestStatus.EN_PROCESO: frozenset({RequestStatus.RESUELTA, RequestStatus.RECHAZADA}),
    RequestStatus.RESUELTA: frozenset(),
    RequestStatus.RECHAZADA: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class DeliveryState(enum.StrEnum):
    #: Waiting in the outbox for the municipality's system.
    PENDING = "pending"
    #: The municipality's system holds it (`upstream_ref` is its id there).
    DELIVERED = "delivered"
    #: The hub store is the system of record: nothing to deliver.
    NATIVE = "native"
    #: The municipality's system refused it as it is (`refusal_reason` says what it
    #: said); its delivery waits among the failed deliveries for a person.
    REFUSED = "refused"


service_requests = sa.Table(
    "service_requests",
    metadata,
    sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("tracking_number", sa.String(TRACKING_LENGTH), nullable=False),
    sa.Column("municipality_id", sa.String(64), nullable=False),
    sa.Column("service_id", sa.String(80), nullable=False),
    sa.Column("service_name", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expected_by", sa.Date, nullable=True),
    sa.Column("delivery", sa.String(16), nullable=False),
    sa.Column("upstream_ref", sa.String(80), nullable=True),
    # What the municipality's system said when it refused the request (no personal data).
    sa.Column("refusal_reason", sa.String(REASON_LENGTH), nullable=True),
    # Personal data: NULL once the citizen asked for cancellation.
    sa.Column("citizen_subject", sa.String(200), nullable=True),
    sa.Column("idempotency_key", sa.String(IDEMPOTENCY_LENGTH), nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("address", sa.String(ADDRESS_LENGTH), nullable=True),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    sa.Column("answers", sa.JSON, nullable=True),
    sa.Column("consent_id", sa.String(ID_LENGTH), nullable=True),
    # Staff: who works on it (a subject of the municipality's staff).
    sa.Column("assigned_to", sa.String(200), nullable=True),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("tracking_number", name="uq_service_requests_tracking"),
    sa.UniqueConstraint(
        "citizen_subject", "idempotency_key", name="uq_service_requests_idempotency"
    ),
    sa.Index("ix_service_requests_queue", "municipality_id", "status", "submitted_at"),
    sa.Index("ix_service_requests_citizen", "citizen_subject"),
)

request_status_changes = sa.Table(
    "request_status_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    # Public: shown to anyone with the tracking number. Staff are told not to write
    # personal data here; the reason for a rejection is public too.
    sa.Column("note", sa.String(NOTE_LENGTH), nullable=True),
    # Who made the change: a staff subject, "citizen", or "upstream" (read back).
    sa.Column("changed_by", sa.String(200), nullable=True),
    sa.Index("ix_request_status_changes_request", "request_id", "id"),
)

request_counters = sa.Table(
    "request_counters",
    metadata,
    sa.Column("municipality_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

request_attachments = sa.Table(
    "request_attachments",
    metadata,
    sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("request_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("filename", sa.String(200), nullable=True),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=True),
    sa.Index("ix_request_attachments_request", "request_id"),
)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def tracking_number(short_code: str, year: int, number: int) -> str:
    """`SDE-2026-004217`: short enough to read aloud and type."""
    return f"{short_code}-{year}-{number:06d}"


class RequestNotFound(LookupError):
    pass


class InvalidTransition(ValueError):
    def __init__(self, current: RequestStatus, wanted: RequestStatus) -> None:
        self.current = current
        self.wanted = wanted
        super().__init__(f"a request cannot go from {current} to {wanted}")


@dataclasses.dataclass(frozen=True, slots=True)
class NewAttachment:
    filename: str | None = dataclasses.field(repr=False)
    content_type: str
    content: bytes = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    content_type: str
    size: int
    filename: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class StoredAttachment:
    """An attachment's bytes and the request it belongs to (who may read it)."""

    id: str
    request_id: str
    municipality_id: str
    content_type: str
    content: bytes = dataclasses.field(repr=False)
    filename: str | None = dataclasses.field(default=None, repr=False)
    citizen_subject: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class NewRequest:
    municipality_id: str
    short_code: str
    service_id: str
    service_name: str
    citizen_subject: str = dataclasses.field(repr=False)
    description: str = dataclasses.field(repr=False)
    idempotency_key: str | None = None
    address: str | None = dataclasses.field(default=None, repr=False)
    latitude: float | None = dataclasses.field(default=None, repr=False)
    longitude: float | None = dataclasses.field(default=None, repr=False)
    answers: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    attachments: Sequence[NewAttachment] = ()
    duration_days: int | None = None
    consent_id: str | None = None
    #: False when the hub store is the system of record (no delivery to make).
    deliver: bool = True
    #: Whether to enqueue the citizen's confirmation e-mail.
    notify: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class StatusChange:
    status: RequestStatus
    at: dt.datetime
    note: str | None
    changed_by: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class ServiceRequest:
    id: str
    tracking_number: str
    municipality_id: str
    service_id: str
    service_name: str
    status: RequestStatus
    submitted_at: dt.datetime
    updated_at: dt.datetime
    expected_by: dt.date | None
    delivery: DeliveryState
    upstream_ref: str | None
    history: tuple[StatusChange, ...]
    assigned_to: str | None = dataclasses.field(default=None, repr=False)
    citizen_subject: str | None = dataclasses.field(default=None, repr=False)
    description: str | None = dataclasses.field(default=None, repr=False)
    address: str | None = dataclasses.field(default=None, repr=False)
    latitude: float | None = dataclasses.field(default=None, repr=False)
    longitude: float | None = dataclasses.field(default=None, repr=False)
    answers: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    attachments: tuple[Attachment, ...] = ()
    #: Why the municipality's system refused it (`DeliveryState.REFUSED`), sanitised.
    refusal_reason: str | None = None
    erased: bool = False

    def is_overdue(self, today: dt.date) -> bool:
        return (
            self.status not in TERMINAL
            and self.expected_by is not None
            and today > self.expected_by
        )


def _add_working_days(start: dt.date, days: int) -> dt.date:
    """The service's duration is in working days (Monday to Friday)."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


@dataclasses.dataclass(frozen=True, slots=True)
class Submitted:
    request: ServiceRequest
    #: False when an earlier submit with the same idempotency key made it.
    created: bool


class RequestStore:
    """The hub's service requests. `on_change(tracking_number)` is called after every
    committed change (live updates, cache invalidation)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        now: Callable[[], dt.datetime] = _utcnow,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self._now = now
        self._on_change = on_change

    def _changed(self, number: str) -> None:
        if self._on_change is not None:
            self._on_change(number)

    def now(self) -> dt.datetime:
        """The store's clock (UTC): what "today" is for figures counted from it."""
        return self._now()

    def announce(self, number: str) -> None:
        """Tell `on_change` of a change the caller committed in its own transaction (a
        delivery's `mark_delivered`)."""
        self._changed(number)

    # -- writes ---------------------------------------------------------------------

    async def submit(self, new: NewRequest) -> Submitted:
        if new.idempotency_key is not None:
            earlier = await self._by_idempotency(new.citizen_subject, new.idempotency_key)
            if earlier is not None:
                return Submitted(earlier, created=False)
        now = self._now()
        try:
            async with self.engine.begin() as connection:
                request_id = await self._insert(connection, new, now)
        except IntegrityError:
            # Two submits with one key raced; the other committed first.
            if new.idempotency_key is None:
                raise
            earlier = await self._by_idempotency(new.citizen_subject, new.idempotency_key)
            if earlier is None:
                raise
            return Submitted(earlier, created=False)
        created = await self.by_id(request_id)
        self._changed(created.tracking_number)
        return Submitted(created, created=True)

    async def _insert(self, connection: AsyncConnection, new: NewRequest, now: dt.datetime) -> str:
        number = tracking_number(new.short_code, now.year, await _next_number(connection, new, now))
        request_id = secrets.token_hex(ID_LENGTH // 2)
        expected = (
            _add_working_days(now.date(), new.duration_days)
            if new.duration_days is not None
            else None
        )
        await connection.execute(
            service_requests.insert().values(
                id=request_id,
                tracking_number=number,
                municipality_id=new.municipality_id,
                service_id=new.service_id,
                service_name=new.service_name,
                status=RequestStatus.RECIBIDA.value,
                submitted_at=now,
                updated_at=now,
                expected_by=expected,
                delivery=(DeliveryState.PENDING if new.deliver else DeliveryState.NATIVE).value,
                citizen_subject=new.citizen_subject,
                idempotency_key=new.idempotency_key,
                description=new.description,
                address=new.address,
                latitude=new.latitude,
                longitude=new.longitude,
                answers=dict(new.answers),
                consent_id=new.consent_id,
            )
        )
        await connection.execute(
            request_status_changes.insert().values(
                request_id=request_id,
                status=RequestStatus.RECIBIDA.value,
                at=now,
                note=None,
                changed_by="citizen",
            )
        )
        for attachment in new.attachments:
            await connection.execute(
                request_attachments.insert().values(
                    id=secrets.token_hex(ID_LENGTH // 2),
                    request_id=request_id,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=len(attachment.content),
                    content=attachment.content,
                )
            )
        if new.deliver:
            await enqueue(
                connection,
                OutboxKind.DELIVER_REQUEST,
                new.municipality_id,
                request_id=request_id,
                now=now,
            )
        if new.notify:
            await enqueue(
                connection,
                OutboxKind.EMAIL,
                new.municipality_id,
                request_id=request_id,
                payload={"template": "request_received", "status": RequestStatus.RECIBIDA.value},
                now=now,
            )
        return request_id

    async def change_status(
        self,
        number: str,
        status: RequestStatus,
        *,
        note: str | None,
        changed_by: str,
        notify: bool = True,
        at: dt.datetime | None = None,
        strict: bool = True,
    ) -> ServiceRequest:
        """Move a request on; raises `InvalidTransition` for a move the workflow forbids
        (with `strict=False`, as when reading back an upstream's state, any move to a
        different state is taken: the system of record decides)."""
        now = at or self._now()
        async with self.engine.begin() as connection:
            row = (
                await connection.execute(
                    sa.select(service_requests.c.id, service_requests.c.status)
                    .where(service_requests.c.tracking_number == number)
                    .with_for_update()
                )
            ).first()
            if row is None:
                raise RequestNotFound(number)
            current = RequestStatus(row.status)
            if current == status and not strict:
                return await self.by_id(row.id, connection=connection)
            if strict and status not in TRANSITIONS[current]:
                raise InvalidTransition(current, status)
            moved = await connection.execute(
                service_requests.update()
                .where(service_requests.c.id == row.id, service_requests.c.status == current.value)
                .values(status=status.value, updated_at=now)
            )
            if moved.rowcount != 1:
                # Another change committed in between (SQLite has no row locks).
                raise InvalidTransition(current, status)
            await connection.execute(
                request_status_changes.insert().values(
                    request_id=row.id, status=status.value, at=now, note=note, changed_by=changed_by
                )
            )
            if notify:
                await enqueue(
                    connection,
                    OutboxKind.EMAIL,
                    await _municipality_of(connection, row.id),
                    request_id=row.id,
                    payload={"template": "status_changed", "status": status.value},
                    now=now,
                )
            changed = await self.by_id(row.id, connection=connection)
        self._changed(number)
        return changed

    async def assign(self, number: str, staff_subject: str | None) -> ServiceRequest:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                service_requests.update()
                .where(service_requests.c.tracking_number == number)
                .values(assigned_to=staff_subject, updated_at=self._now())
            )
            if result.rowcount != 1:
                raise RequestNotFound(number)
        found = await self.by_tracking_number(number)
        assert found is not None
        self._changed(number)
        return found

    async def mark_delivered(
        self, request_id: str, upstream_ref: str, *, connection: AsyncConnection | None = None
    ) -> None:
        statement = (
            service_requests.update()
            .where(service_requests.c.id == request_id)
            .values(
                delivery=DeliveryState.DELIVERED.value,
                upstream_ref=upstream_ref[:80],
                refusal_reason=None,
            )
        )
        if connection is not None:
            await connection.execute(statement)
            return
        async with self.engine.begin() as own:
            await own.execute(statement)

    async def mark_refused(
        self, request_id: str, reason: str | None, *, connection: AsyncConnection
    ) -> None:
        """The municipality's system refused the request as it is: record what it said
        (already free of personal data) and tell the citizen by e-mail, in the caller's
        transaction (the one that keeps its delivery as failed)."""
        result = await connection.execute(
            service_requests.update()
            .where(
                service_requests.c.id == request_id,
                service_requests.c.delivery.in_(
                    [DeliveryState.PENDING.value, DeliveryState.REFUSED.value]
                ),
            )
            .values(
                delivery=DeliveryState.REFUSED.value,
                refusal_reason=None if reason is None else reason[:REASON_LENGTH],
                updated_at=self._now(),
            )
        )
        if result.rowcount != 1:
            return
        await enqueue(
            connection,
            OutboxKind.EMAIL,
            await _municipality_of(connection, request_id),
            request_id=request_id,
            payload={"template": "request_refused"},
            now=self._now(),
        )

    async def erase_citizen(self, subject: str) -> int:
        """Cancellation: blank the personal fields of every request of `subject`; keep the
        service, status and dates for statistics. Returns how many requests changed."""
        now = self._now()
        async with self.engine.begin() as connection:
            await overwrite_freed_space(connection)
            ids = (
                (
                    await connection.execute(
                        sa.select(service_requests.c.id).where(
                            service_requests.c.citizen_subject == subject
                        )
                    )
                )
                .scalars()
                .all()
            )
            if not ids:
                return 0
            await connection.execute(
                service_requests.update()
                .where(service_requests.c.id.in_(ids))
                .values(
                    citizen_subject=None,
                    idempotency_key=None,
                    description=None,
                    address=None,
                    latitude=None,
                    longitude=None,
                    answers=None,
                    refusal_reason=None,
                    erased_at=now,
                )
            )
            await connection.execute(
                request_attachments.update()
                .where(request_attachments.c.request_id.in_(ids))
                .values(filename=None, content=None)
            )
        await vacuum_erased(self.engine, (service_requests, request_attachments))
        return len(ids)

    # -- reads ----------------------------------------------------------------------

    async def by_id(
        self, request_id: str, *, connection: AsyncConnection | None = None
    ) -> ServiceRequest:
        found = await self._load(service_requests.c.id == request_id, connection=connection)
        if not found:
            raise RequestNotFound(request_id)
        return found[0]

    async def by_tracking_number(self, number: str) -> ServiceRequest | None:
        found = await self._load(service_requests.c.tracking_number == number.strip().upper())
        return found[0] if found else None

    async def by_tracking_numbers(self, numbers: Sequence[str]) -> dict[str, ServiceRequest]:
        """Requests by tracking number, in one query; numbers the hub does not hold are
        left out (`serviceRequests` then asks the municipalities' own systems)."""
        wanted = sorted({n.strip().upper() for n in numbers})
        if not wanted:
            return {}
        found = await self._load(service_requests.c.tracking_number.in_(wanted))
        return {r.tracking_number: r for r in found}

    async def tracking_numbers(self, request_ids: Sequence[str]) -> dict[str, str]:
        """Tracking numbers by request id, in one query (a page of outbox items names
        its requests by id); ids of requests that no longer exist are left out."""
        if not request_ids:
            return {}
        query = sa.select(service_requests.c.id, service_requests.c.tracking_number).where(
            service_requests.c.id.in_(set(request_ids))
        )
        async with self.engine.connect() as connection:
            return {row.id: row.tracking_number for row in await connection.execute(query)}

    async def for_citizen(self, subject: str) -> list[ServiceRequest]:
        return await self._load(
            service_requests.c.citizen_subject == subject,
            order=service_requests.c.submitted_at.desc(),
        )

    async def queue(
        self,
        municipality_id: str,
        *,
        statuses: Sequence[RequestStatus] = (),
        service_id: str | None = None,
        submitted_before: dt.datetime | None = None,
        assigned_to: str | None = None,
        overdue_on: dt.date | None = None,
        limit: int = 50,
        offset: int = 0,
        service_ids: Sequence[str] = (),
        submitted_after: dt.datetime | None = None,
        newest_first: bool = False,
    ) -> list[ServiceRequest]:
        """One municipality's requests, oldest first (the order staff work them in), or
        newest first. `overdue_on`: only those still open whose expected date is before
        that day. `service_ids` (any of them) and `submitted_after` (inclusive) narrow it
        further (Open311's public listing)."""
        conditions: list[Any] = [service_requests.c.municipality_id == municipality_id]
        if statuses:
            conditions.append(service_requests.c.status.in_([s.value for s in statuses]))
        if service_id is not None:
            conditions.append(service_requests.c.service_id == service_id)
        if service_ids:
            conditions.append(service_requests.c.service_id.in_(list(service_ids)))
        if submitted_before is not None:
            conditions.append(service_requests.c.submitted_at < submitted_before)
        if submitted_after is not None:
            conditions.append(service_requests.c.submitted_at >= submitted_after)
        if assigned_to is not None:
            conditions.append(service_requests.c.assigned_to == assigned_to)
        if overdue_on is not None:
            conditions.append(service_requests.c.expected_by < overdue_on)
            conditions.append(service_requests.c.status.not_in([s.value for s in TERMINAL]))
        submitted = service_requests.c.submitted_at
        return await self._load(
            sa.and_(*conditions),
            order=(submitted.desc(), service_requests.c.tracking_number.desc())
            if newest_first
            else submitted,
            limit=limit,
            offset=offset,
        )

    async def undelivered_or_open(self, municipality_id: str, limit: int = 500) -> list[str]:
        """Tracking numbers of delivered requests still open upstream (to read back)."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(service_requests.c.tracking_number)
                .where(
                    service_requests.c.municipality_id == municipality_id,
                    service_requests.c.delivery == DeliveryState.DELIVERED.value,
                    service_requests.c.status.not_in([s.value for s in TERMINAL]),
                )
                .order_by(service_requests.c.updated_at)
                .limit(limit)
            )
            return list(rows.scalars())

    async def delivered_open(
        self, municipality_id: str, *, after: str | None = None, limit: int = 500
    ) -> list[tuple[str, str | None]]:
        """(tracking number, upstream reference) of the delivered requests still open, in
        tracking-number order after `after`: the status read-back pages through them all."""
        conditions = [
            service_requests.c.municipality_id == municipality_id,
            service_requests.c.delivery == DeliveryState.DELIVERED.value,
            service_requests.c.status.not_in([s.value for s in TERMINAL]),
        ]
        if after is not None:
            conditions.append(service_requests.c.tracking_number > after)
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(service_requests.c.tracking_number, service_requests.c.upstream_ref)
                .where(*conditions)
                .order_by(service_requests.c.tracking_number)
                .limit(limit)
            )
            return [(row.tracking_number, row.upstream_ref) for row in rows]

    async def counts(self, municipality_id: str | None = None) -> dict[RequestStatus, int]:
        """Requests per status (public statistics: erased requests still count)."""
        query = sa.select(service_requests.c.status, sa.func.count()).group_by(
            service_requests.c.status
        )
        if municipality_id is not None:
            query = query.where(service_requests.c.municipality_id == municipality_id)
        async with self.engine.connect() as connection:
            found = {RequestStatus(status): int(n) for status, n in await connection.execute(query)}
        return {status: found.get(status, 0) for status in RequestStatus}

    async def attachment_content(self, attachment_id: str) -> tuple[str, bytes] | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    sa.select(
                        request_attachments.c.content_type, request_attachments.c.content
                    ).where(request_attachments.c.id == attachment_id)
                )
            ).first()
        if row is None or row.content is None:
            return None
        return row.content_type, bytes(row.content)

    async def stored_attachment(self, attachment_id: str) -> StoredAttachment | None:
        """An attachment with its bytes and whose request it is (for the download's
        access check); None when there is none or its content was erased."""
        if not attachment_id or len(attachment_id) > ID_LENGTH:
            return None
        a, r = request_attachments, service_requests
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    sa.select(
                        a.c.id,
                        a.c.request_id,
                        a.c.content_type,
                        a.c.filename,
                        a.c.content,
                        r.c.municipality_id,
                        r.c.citizen_subject,
                    )
                    .join(r, r.c.id == a.c.request_id)
                    .where(a.c.id == attachment_id)
                )
            ).first()
        if row is None or row.content is None:
            return None
        return StoredAttachment(
            id=row.id,
            request_id=row.request_id,
            municipality_id=row.municipality_id,
            content_type=row.content_type,
            content=bytes(row.content),
            filename=row.filename,
            citizen_subject=row.citizen_subject,
        )

    async def _by_idempotency(self, subject: str, key: str) -> ServiceRequest | None:
        found = await self._load(
            sa.and_(
                service_requests.c.citizen_subject == subject,
                service_requests.c.idempotency_key == key,
            )
        )
        return found[0] if found else None

    async def _load(
        self,
        condition: Any,
        *,
        order: Any = None,
        limit: int | None = None,
        offset: int = 0,
        connection: AsyncConnection | None = None,
    ) -> list[ServiceRequest]:
        if connection is None:
            async with self.engine.connect() as own:
                return await self._load(
                    condition, order=order, limit=limit, offset=offset, connection=own
                )
        query = sa.select(service_requests).where(condition)
        if order is not None:
            query = query.order_by(*order) if isinstance(order, tuple) else query.order_by(order)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        rows = list(await connection.execute(query))
        if not rows:
            return []
        ids = [row.id for row in rows]
        history: dict[str, list[StatusChange]] = {i: [] for i in ids}
        for change in await connection.execute(
            sa.select(request_status_changes)
            .where(request_status_changes.c.request_id.in_(ids))
            .order_by(request_status_changes.c.id)
        ):
            history[change.request_id].append(
                StatusChange(
                    RequestStatus(change.status), _utc(change.at), change.note, change.changed_by
                )
            )
        attachments: dict[str, list[Attachment]] = {i: [] for i in ids}
        for item in await connection.execute(
            sa.select(
                request_attachments.c.id,
                request_attachments.c.request_id,
                request_attachments.c.content_type,
                request_attachments.c.size,
                request_attachments.c.filename,
            ).where(request_attachments.c.request_id.in_(ids))
        ):
            attachments[item.request_id].append(
                Attachment(item.id, item.content_type, item.size, item.filename)
            )
        return [
            ServiceRequest(
                id=row.id,
                tracking_number=row.tracking_number,
                municipality_id=row.municipality_id,
                service_id=row.service_id,
                service_name=row.service_name,
                status=RequestStatus(row.status),
                submitted_at=_utc(row.submitted_at),
                updated_at=_utc(row.updated_at),
                expected_by=row.expected_by,
                delivery=DeliveryState(row.delivery),
                upstream_ref=row.upstream_ref,
                history=tuple(history[row.id]),
                assigned_to=row.assigned_to,
                citizen_subject=row.citizen_subject,
                description=row.description,
                address=row.address,
                latitude=row.latitude,
                longitude=row.longitude,
                answers=dict(row.answers or {}),
                attachments=tuple(attachments[row.id]),
                erased=row.erased_at is not None,
                refusal_reason=row.refusal_reason,
            )
            for row in rows
        ]


async def _next_number(connection: AsyncConnection, new: NewRequest, now: dt.datetime) -> int:
    """The next number of the municipality's year, inside the submit's transaction: the
    UPDATE locks the counter row until commit, so two submits never get one number."""
    key = (request_counters.c.municipality_id == new.municipality_id) & (
        request_counters.c.year == now.year
    )
    updated = await connection.execute(
        request_counters.update().where(key).values(last_number=request_counters.c.last_number + 1)
    )
    if updated.rowcount == 0:
        # The year's first request; a concurrent first one may win the insert, in which
        # case the savepoint rolls back and this one takes the next number.
        try:
            async with connection.begin_nested():
                await connection.execute(
                    request_counters.insert().values(
                        municipality_id=new.municipality_id, year=now.year, last_number=1
                    )
                )
            return 1
        except IntegrityError:
            await connection.execute(
                request_counters.update()
                .where(key)
                .values(last_number=request_counters.c.last_number + 1)
            )
    return int(
        (
            await connection.execute(sa.select(request_counters.c.last_number).where(key))
        ).scalar_one()
    )


async def _municipality_of(connection: AsyncConnection, request_id: str) -> str:
    return str(
        (
            await connection.execute(
                sa.select(service_requests.c.municipality_id).where(
                    service_requests.c.id == request_id
                )
            )
        ).scalar_one()
    )
