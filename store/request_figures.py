"""Public figures of service requests, per municipality and service: aggregates only.

`request_figures` answers, for the requests a municipality received since a moment (the
start of a Dominican day, month or year), how many there are, how many are open, resolved
or rejected now, the median days they took to be resolved and how many were resolved on
time (by the end of their `expected_by` day, in local time). It is a handful of grouped
SQL queries (the median by window functions), portable between SQLite and PostgreSQL;
it never reads a row into Python. Requests whose citizen asked for erasure still count:
the columns read here are the ones erasure keeps.

Requests delivered to a municipality's own system count too: the statuses read back from
it are written to this store (`RequestStore.change_status`, changed by "upstream"), so a
request resolved there is resolved here. Suppressing small numbers is the caller's job
(`schema.figures.suppression`): this module returns exact counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.requests import (
    RequestStatus,
    request_status_changes,
    service_requests,
)

__all__ = ["FigureCounts", "RequestFigures", "request_figures"]

#: The key of the municipality's own row in `RequestFigures.rows`.
TOTAL = ""

_UNIX_EPOCH_JULIAN = 2440587.5
_OPEN = [
    RequestStatus.RECIBIDA.value,
    RequestStatus.EN_REVISION.value,
    RequestStatus.EN_PROCESO.value,
]


@dataclasses.dataclass(frozen=True, slots=True)
class FigureCounts:
    """Exact figures of one group (a service, or the whole municipality)."""

    received: int = 0
    open: int = 0
    resolved: int = 0
    rejected: int = 0
    #: Resolved requests that had an expected date, and of them those resolved by it.
    resolved_with_due_date: int = 0
    resolved_on_time: int = 0
    #: Median of (resolved at − submitted at), in days; None without resolved requests.
    median_days: float | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RequestFigures:
    #: Service id → its name (the latest submitted) and figures; services listed are the
    #: ones the municipality ever had a request for, with zeros for the period if none.
    services: Mapping[str, tuple[str, FigureCounts]]
    total: FigureCounts


def _epoch_days(
    connection: AsyncConnection, value: sa.ColumnElement[object]
) -> sa.ColumnElement[float]:
    """Days since 1970-01-01 00:00 UTC of a timestamp or date column, as a float."""
    if connection.dialect.name == "sqlite":
        return sa.func.julianday(value) - _UNIX_EPOCH_JULIAN
    if isinstance(value.type, sa.Date):
        return sa.cast(value - sa.cast(sa.literal("1970-01-01"), sa.Date), sa.Float)
    return sa.cast(sa.extract("epoch", value) / 86400.0, sa.Float)


async def request_figures(
    engine: AsyncEngine,
    municipality_id: str,
    since: dt.datetime,
    *,
    utc_offset: dt.timedelta = dt.timedelta(hours=-4),
) -> RequestFigures:
    """The figures of requests received from `since` on (an aware datetime)."""
    start = since.astimezone(dt.UTC)
    async with engine.connect() as connection:
        names = await _service_names(connection, municipality_id)
        by_service = await _counts(connection, municipality_id, start, utc_offset, by_service=True)
        total = await _counts(connection, municipality_id, start, utc_offset, by_service=False)
    services = {
        service_id: (name, by_service.get(service_id, FigureCounts()))
        for service_id, name in sorted(names.items(), key=lambda item: item[1])
    }
    return RequestFigures(services=services, total=total.get(TOTAL, FigureCounts()))


async def _service_names(connection: AsyncConnection, municipality_id: str) -> dict[str, str]:
    latest = (
        sa.select(
            service_requests.c.service_id,
            sa.func.max(service_requests.c.submitted_at).label("latest"),
        )
        .where(service_requests.c.municipality_id == municipality_id)
        .group_by(service_requests.c.service_id)
        .subquery()
    )
    rows = await connection.execute(
        sa.select(service_requests.c.service_id, sa.func.max(service_requests.c.service_name))
        .join(
            latest,
            sa.and_(
                latest.c.service_id == service_requests.c.service_id,
                latest.c.latest == service_requests.c.submitted_at,
            ),
        )
        .where(service_requests.c.municipality_id == municipality_id)
        .group_by(service_requests.c.service_id)
    )
    return {service_id: name for service_id, name in rows}


async def _counts(
    connection: AsyncConnection,
    municipality_id: str,
    start: dt.datetime,
    utc_offset: dt.timedelta,
    *,
    by_service: bool,
) -> dict[str, FigureCounts]:
    r = service_requests.c
    resolved_at = (
        sa.select(
            request_status_changes.c.request_id,
            sa.func.min(request_status_changes.c.at).label("at"),
        )
        .where(request_status_changes.c.status == RequestStatus.RESUELTA.value)
        .group_by(request_status_changes.c.request_id)
        .subquery()
    )
    days = (
        _epoch_days(connection, resolved_at.c.at) - _epoch_days(connection, r.submitted_at)
    ).label("days")
    # Local time of the resolution before the end of the expected day (local midnight).
    on_time = _epoch_days(connection, resolved_at.c.at) + utc_offset / dt.timedelta(days=1) < (
        _epoch_days(connection, r.expected_by) + 1
    )
    resolved = sa.and_(r.status == RequestStatus.RESUELTA.value, resolved_at.c.at.is_not(None))
    # The municipality's own row is grouped by its id (a constant in the cohort).
    key = r.service_id if by_service else r.municipality_id
    group = key.label("key")
    cohort = sa.and_(r.municipality_id == municipality_id, r.submitted_at >= start)

    def count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    joined = r.id == resolved_at.c.request_id
    counts = (
        sa.select(
            group,
            sa.func.count().label("received"),
            count_if(r.status.in_(_OPEN)).label("open"),
            count_if(resolved).label("resolved"),
            count_if(r.status == RequestStatus.RECHAZADA.value).label("rejected"),
            count_if(sa.and_(resolved, r.expected_by.is_not(None))).label("due"),
            count_if(sa.and_(resolved, r.expected_by.is_not(None), on_time)).label("on_time"),
        )
        .select_from(service_requests.outerjoin(resolved_at, joined))
        .where(cohort)
        .group_by(key)
    )
    ranked = (
        sa.select(
            group,
            days,
            sa.func.row_number().over(partition_by=key, order_by=days).label("rank"),
            sa.func.count().over(partition_by=key).label("n"),
        )
        .select_from(service_requests.join(resolved_at, joined))
        .where(cohort, r.status == RequestStatus.RESUELTA.value)
        .subquery()
    )
    # The middle row, or the mean of the two middle rows: ranks (n+1)/2 and (n+2)/2 in
    # integer division are the same row for an odd n and neighbours for an even one.
    medians = (
        sa.select(ranked.c.key, sa.func.avg(ranked.c.days))
        .where(ranked.c.rank.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(ranked.c.key)
    )
    median_of = {k: float(m) for k, m in await connection.execute(medians) if m is not None}
    found: dict[str, FigureCounts] = {}
    for row in await connection.execute(counts):
        if not row.received:
            continue
        found[row.key if by_service else TOTAL] = FigureCounts(
            received=int(row.received),
            open=int(row.open),
            resolved=int(row.resolved),
            rejected=int(row.rejected),
            resolved_with_due_date=int(row.due),
            resolved_on_time=int(row.on_time),
            median_days=median_of.get(row.key),
        )
    return found
