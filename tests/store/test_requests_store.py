"""`store.requests` on SQLite and PostgreSQL: tracking numbers, idempotent
submit, the status workflow and its history, the outbox items a change enqueues, erasure."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.outbox import Outbox, OutboxKind
from store.requests import (
    DeliveryState,
    InvalidTransition,
    NewAttachment,
    NewRequest,
    RequestNotFound,
    RequestStatus,
    RequestStore,
    service_requests,
)

DESCRIPTION = "Un árbol caído bloquea la calle Duarte frente al colmado"
ADDRESS = "Calle Duarte núm. 12, Los Mina"


def new_request(subject: str = "demo-ciudadana-0001", **override: object) -> NewRequest:
    values: dict[str, object] = {
        "municipality_id": "santo-domingo-este",
        "short_code": "SDE",
        "service_id": "SDE-SAN-001",
        "service_name": "Recogida de escombros",
        "citizen_subject": subject,
        "description": DESCRIPTION,
        "address": ADDRESS,
        "latitude": 18.49,
        "longitude": -69.85,
        "answers": {"tipo": "arbol"},
        "duration_days": 5,
    }
    values.update(override)
    return NewRequest(**values)  # type: ignore[arg-type]


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


async def test_submit_gives_a_readable_tracking_number_and_an_estimate(
    engine: AsyncEngine,
) -> None:
    # Friday 2026-11-27: five working days later is Friday 2026-12-04.
    clock = Clock(dt.datetime(2026, 11, 27, 14, 0, tzinfo=dt.UTC))
    changed: list[str] = []
    store = RequestStore(engine, now=clock, on_change=changed.append)
    first = (await store.submit(new_request())).request
    second = (await store.submit(new_request(subject="otro"))).request
    assert first.tracking_number == "SDE-2026-000001"
    assert second.tracking_number == "SDE-2026-000002"
    assert first.expected_by == dt.date(2026, 12, 4)
    assert first.status is RequestStatus.RECIBIDA
    assert [c.status for c in first.history] == [RequestStatus.RECIBIDA]
    assert first.delivery is DeliveryState.PENDING
    assert changed == [first.tracking_number, second.tracking_number]
    clock.at = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
    assert (await store.submit(new_request())).request.tracking_number == "SDE-2027-000001"


async def test_numbers_never_repeat_under_concurrent_submits(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    made = await asyncio.gather(*(store.submit(new_request(f"s{i}")) for i in range(30)))
    numbers = sorted(m.request.tracking_number for m in made)
    assert numbers == [f"SDE-{numbers[0][4:8]}-{n:06d}" for n in range(1, 31)]
    for number in numbers:
        assert re.fullmatch(r"SDE-\d{4}-\d{6}", number)


async def test_the_same_idempotency_key_makes_one_request(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    once = new_request(idempotency_key="k-1")
    results = await asyncio.gather(*(store.submit(once) for _ in range(5)))
    assert sum(r.created for r in results) == 1
    assert len({r.request.tracking_number for r in results}) == 1
    # Another citizen may use the same key: keys are per citizen.
    other = await store.submit(dataclasses.replace(once, citizen_subject="otro"))
    assert other.created
    async with engine.connect() as connection:
        count = (
            await connection.execute(sa.select(sa.func.count()).select_from(service_requests))
        ).scalar_one()
    assert count == 2
    outbox = await Outbox(engine).items()
    assert len([i for i in outbox if i.kind is OutboxKind.DELIVER_REQUEST]) == 2


async def test_submit_enqueues_delivery_and_confirmation_in_the_same_transaction(
    engine: AsyncEngine,
) -> None:
    store = RequestStore(engine)
    delivered = (await store.submit(new_request())).request
    native = (await store.submit(new_request("otro", deliver=False))).request
    assert native.delivery is DeliveryState.NATIVE
    items = await Outbox(engine).items()
    by_request = {(i.request_id, i.kind) for i in items}
    assert by_request == {
        (delivered.id, OutboxKind.DELIVER_REQUEST),
        (delivered.id, OutboxKind.EMAIL),
        (native.id, OutboxKind.EMAIL),
    }
    # Payloads name templates and ids: nothing the citizen wrote.
    for item in items:
        assert DESCRIPTION not in repr(item.payload) and ADDRESS not in repr(item.payload)


async def test_a_failed_submit_leaves_nothing_behind(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    # The counter is taken before the request row fails to serialise: all rolls back.
    broken = new_request(answers={"tipo": object()})
    with pytest.raises(sa.exc.StatementError):
        await store.submit(broken)
    assert await Outbox(engine).items() == []
    assert await store.queue("santo-domingo-este") == []
    made = await store.submit(new_request())
    assert made.request.tracking_number.endswith("-000001")


async def test_status_workflow_history_and_notifications(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    number = (await store.submit(new_request(notify=False))).request.tracking_number
    await store.change_status(number, RequestStatus.EN_REVISION, note=None, changed_by="ana")
    with pytest.raises(InvalidTransition):
        await store.change_status(number, RequestStatus.RECIBIDA, note=None, changed_by="ana")
    with pytest.raises(InvalidTransition):
        await store.change_status(number, RequestStatus.RESUELTA, note=None, changed_by="ana")
    await store.change_status(
        number, RequestStatus.EN_PROCESO, note="Brigada asignada", changed_by="ana"
    )
    done = await store.change_status(
        number, RequestStatus.RESUELTA, note="Escombros retirados", changed_by="ana"
    )
    assert [(c.status, c.note) for c in done.history] == [
        (RequestStatus.RECIBIDA, None),
        (RequestStatus.EN_REVISION, None),
        (RequestStatus.EN_PROCESO, "Brigada asignada"),
        (RequestStatus.RESUELTA, "Escombros retirados"),
    ]
    with pytest.raises(InvalidTransition):
        await store.change_status(number, RequestStatus.RECHAZADA, note="x", changed_by="ana")
    emails = await Outbox(engine).items(kind=OutboxKind.EMAIL)
    assert [i.payload["status"] for i in emails] == ["EN_REVISION", "EN_PROCESO", "RESUELTA"]
    with pytest.raises(RequestNotFound):
        await store.change_status(
            "SDE-2026-999999", RequestStatus.EN_REVISION, note=None, changed_by="ana"
        )


async def test_an_upstream_state_is_taken_as_it_is(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    number = (await store.submit(new_request(notify=False))).request.tracking_number
    moved = await store.change_status(
        number, RequestStatus.RESUELTA, note=None, changed_by="upstream", strict=False
    )
    assert moved.status is RequestStatus.RESUELTA
    again = await store.change_status(
        number, RequestStatus.RESUELTA, note=None, changed_by="upstream", strict=False
    )
    assert len(again.history) == 2  # reading the same state back changes nothing


async def test_queue_filters_and_overdue(engine: AsyncEngine) -> None:
    clock = Clock(dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC))
    store = RequestStore(engine, now=clock)
    old = (await store.submit(new_request("a", duration_days=2))).request
    clock.at = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    recent = (await store.submit(new_request("b", service_id="SDE-URB-002"))).request
    await store.submit(new_request("c", municipality_id="santiago", short_code="STI"))
    await store.change_status(
        recent.tracking_number, RequestStatus.EN_REVISION, note=None, changed_by="ana"
    )
    queue = await store.queue("santo-domingo-este")
    assert [r.tracking_number for r in queue] == [old.tracking_number, recent.tracking_number]
    assert [
        r.tracking_number
        for r in await store.queue("santo-domingo-este", statuses=[RequestStatus.EN_REVISION])
    ] == [recent.tracking_number]
    assert [
        r.tracking_number for r in await store.queue("santo-domingo-este", service_id="SDE-URB-002")
    ] == [recent.tracking_number]
    assert [
        r.tracking_number
        for r in await store.queue(
            "santo-domingo-este", submitted_before=dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
        )
    ] == [old.tracking_number]
    today = dt.date(2026, 11, 24)
    assert queue[0].is_overdue(today) and not queue[1].is_overdue(today)


async def test_assignment_and_delivery(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    made = (await store.submit(new_request())).request
    assigned = await store.assign(made.tracking_number, "demo-personal-0003")
    assert assigned.assigned_to == "demo-personal-0003"
    await store.mark_delivered(made.id, "SIGEM-77")
    delivered = await store.by_tracking_number(made.tracking_number.lower())
    assert delivered is not None
    assert (delivered.delivery, delivered.upstream_ref) == (DeliveryState.DELIVERED, "SIGEM-77")
    assert await store.undelivered_or_open("santo-domingo-este") == [made.tracking_number]
    with pytest.raises(RequestNotFound):
        await store.assign("SDE-2026-999999", None)


async def test_erasure_blanks_the_person_and_keeps_the_counts(engine: AsyncEngine) -> None:
    store = RequestStore(engine)
    attachment = NewAttachment("foto-casa.jpg", "image/jpeg", b"\xff\xd8 photo")
    mine = (await store.submit(new_request(attachments=[attachment]))).request
    await store.submit(new_request("otro"))
    before = await store.counts("santo-domingo-este")
    assert await store.erase_citizen("demo-ciudadana-0001") == 1
    erased = await store.by_tracking_number(mine.tracking_number)
    assert erased is not None and erased.erased
    assert (erased.citizen_subject, erased.description, erased.address) == (None, None, None)
    assert (erased.latitude, erased.longitude, dict(erased.answers)) == (None, None, {})
    assert erased.attachments[0].filename is None
    assert await store.attachment_content(erased.attachments[0].id) is None
    assert erased.service_name == mine.service_name and erased.status is mine.status
    assert await store.for_citizen("demo-ciudadana-0001") == []
    assert await store.counts("santo-domingo-este") == before
    assert before[RequestStatus.RECIBIDA] == 2
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(service_requests))).all()
    assert DESCRIPTION in repr(rows)  # the other citizen's request is untouched
    assert sum(DESCRIPTION in repr(row) for row in rows) == 1


async def test_personal_data_stays_out_of_repr(engine: AsyncEngine) -> None:
    made = (await RequestStore(engine).submit(new_request())).request
    shown = repr(made)
    for value in (DESCRIPTION, ADDRESS, "demo-ciudadana-0001", "18.49", "arbol"):
        assert value not in shown
    assert made.tracking_number in shown
