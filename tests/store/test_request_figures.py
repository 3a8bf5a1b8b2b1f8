"""`store.request_figures` on SQLite and PostgreSQL: requests received since a moment,
open / resolved / rejected, the median days to resolve and the on-time count, per service
and for the whole municipality, by grouped queries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from store.request_figures import request_figures
from store.requests import NewRequest, RequestStatus, RequestStore

AST = dt.timezone(dt.timedelta(hours=-4))


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        # The hub's clock is UTC (SQLite keeps no offset).
        return self.at.astimezone(dt.UTC)


def new(service: str, n: int, municipality: str = "santo-domingo-este") -> NewRequest:
    return NewRequest(
        municipality_id=municipality,
        short_code="SDE" if municipality == "santo-domingo-este" else "SAN",
        service_id=service,
        service_name={"basura": "Recogida de basura", "arbol": "Poda de árboles"}.get(
            service, service
        ),
        citizen_subject=f"demo-ciudadano-{n:04d}",
        description="Descripción",
        duration_days=2,
        deliver=False,
        notify=False,
    )


async def resolve(store: RequestStore, number: str, at: dt.datetime) -> None:
    for status in (RequestStatus.EN_REVISION, RequestStatus.EN_PROCESO):
        await store.change_status(number, status, note=None, changed_by="x")
    await store.change_status(
        number, RequestStatus.RESUELTA, note=None, changed_by="x", at=at.astimezone(dt.UTC)
    )


async def test_counts_medians_and_on_time_per_service_and_in_total(engine: AsyncEngine) -> None:
    clock = Clock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=AST))  # a Tuesday
    store = RequestStore(engine, now=clock)
    numbers = [(await store.submit(new("basura", i))).request.tracking_number for i in range(7)]
    arbol = [(await store.submit(new("arbol", 100 + i))).request.tracking_number for i in range(2)]
    # Another municipality's requests never count.
    await store.submit(new("basura", 200, municipality="santiago"))
    # Expected by Thursday 3 December (two working days).
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=AST)
    await resolve(store, numbers[0], start + dt.timedelta(days=1))  # 1 day, on time
    await resolve(store, numbers[1], start + dt.timedelta(days=2, hours=14))  # 23:00 on the 3rd
    await resolve(store, numbers[2], start + dt.timedelta(days=3))  # 3 days, late
    await resolve(store, numbers[3], start + dt.timedelta(days=4))  # 4 days, late
    await store.change_status(
        numbers[4], RequestStatus.RECHAZADA, note="No procede", changed_by="x"
    )
    await store.change_status(arbol[0], RequestStatus.RECHAZADA, note=None, changed_by="x")

    figures = await request_figures(engine, "santo-domingo-este", start - dt.timedelta(hours=9))

    assert list(figures.services) == ["arbol", "basura"]  # by name: Poda…, Recogida…
    name, basura = figures.services["basura"]
    assert name == "Recogida de basura"
    assert (basura.received, basura.open, basura.resolved, basura.rejected) == (7, 2, 4, 1)
    assert (basura.resolved_with_due_date, basura.resolved_on_time) == (4, 2)
    # Days 1, 2.58, 3, 4: the median is the mean of the middle two.
    assert basura.median_days is not None and abs(basura.median_days - (2 + 14 / 24 + 3) / 2) < 1e-6
    _, poda = figures.services["arbol"]
    assert (poda.received, poda.open, poda.resolved, poda.rejected, poda.median_days) == (
        2,
        1,
        0,
        1,
        None,
    )
    total = figures.total
    assert (total.received, total.open, total.resolved, total.rejected) == (9, 3, 4, 2)
    assert total.median_days is not None and abs(total.median_days - (2 + 14 / 24 + 3) / 2) < 1e-6


async def test_only_requests_received_since_the_moment_count(engine: AsyncEngine) -> None:
    # 23:30 on 30 November in Santo Domingo is already 1 December in UTC.
    clock = Clock(dt.datetime(2026, 11, 30, 23, 30, tzinfo=AST))
    store = RequestStore(engine, now=clock)
    await store.submit(new("basura", 1))
    clock.at = dt.datetime(2026, 12, 1, 0, 15, tzinfo=AST)
    await store.submit(new("basura", 2))
    december = dt.datetime(2026, 12, 1, tzinfo=AST)
    figures = await request_figures(engine, "santo-domingo-este", december)
    assert figures.services["basura"][1].received == 1
    assert figures.total.received == 1
    # A service with requests only before the period is listed with zeros.
    later = await request_figures(engine, "santo-domingo-este", december + dt.timedelta(days=1))
    assert later.services["basura"][1].received == 0 and later.total.received == 0
    assert (await request_figures(engine, "nadie", december)).services == {}


async def test_an_odd_number_of_resolved_requests_has_its_middle_one_as_median(
    engine: AsyncEngine,
) -> None:
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=AST)
    store = RequestStore(engine, now=Clock(start))
    numbers = [(await store.submit(new("basura", i))).request.tracking_number for i in range(3)]
    for number, days in zip(numbers, (5, 1, 2), strict=True):
        await resolve(store, number, start + dt.timedelta(days=days))
    figures = await request_figures(engine, "santo-domingo-este", start)
    assert figures.services["basura"][1].median_days == 2.0
