"""`Municipality.transactionFigures` and `transactionFiguresChanged` over the real store
(SQLite): counts per period in Dominican days, small counts hidden, and a live update on
each submit and change of status."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

from schema.principal import ANONYMOUS
from store.requests import NewRequest, RequestStatus, RequestStore
from tests.requests.support import Env

AST = dt.timezone(dt.timedelta(hours=-4))

FIGURES = """
query Figures($id: ID!, $period: FiguresPeriod!) {
  municipality(id: $id) {
    transactionFigures(period: $period) {
      municipalityId period since asOf
      total { received { value suppressed text } resolved { value } }
      services {
        serviceId serviceName
        received { value suppressed text en: text(language: EN) }
        open { value suppressed } resolved { value suppressed } rejected { value suppressed }
        medianDaysToResolve { value suppressed text }
        percentResolvedOnTime { value suppressed text }
      }
    }
  }
}
"""

LIVE = """
subscription($id: ID!) {
  transactionFiguresChanged(municipalityId: $id, period: TODAY) {
    total { received { value suppressed } open { value suppressed } }
  }
}
"""


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)


def new(service: str, n: int) -> NewRequest:
    return NewRequest(
        municipality_id="santo-domingo-este",
        short_code="SDE",
        service_id=service,
        service_name=service.replace("-", " ").capitalize(),
        citizen_subject=f"demo-ciudadano-{n:04d}",
        description="Descripción",
        duration_days=3,
        deliver=False,
        notify=False,
    )


async def figures(env: Env, period: str) -> dict[str, Any]:
    result = await env.run(FIGURES, ANONYMOUS, id="santo-domingo-este", period=period)
    assert result.errors is None, result.errors
    found: dict[str, Any] = result.data["municipality"]["transactionFigures"]
    return found


async def test_periods_begin_at_dominican_midnight_and_small_counts_are_hidden(
    env: Env,
) -> None:
    clock = Clock(dt.datetime(2026, 11, 30, 23, 30, tzinfo=AST))  # 03:30 UTC on 1 December
    env = dataclasses.replace(env, requests=RequestStore(env.requests.engine, now=clock))
    store = env.requests
    for n in range(6):
        await store.submit(new("recogida-basura", n))
    clock.at = dt.datetime(2026, 12, 1, 0, 15, tzinfo=AST)
    numbers = [
        (await store.submit(new("recogida-basura", 10 + n))).request.tracking_number
        for n in range(12)
    ]
    for n in range(3):
        await store.submit(new("poda-arboles", 20 + n))
    for n in range(5):
        await store.submit(new("acta-nacimiento", 30 + n))
    clock.at = dt.datetime(2026, 12, 2, 10, 0, tzinfo=AST)
    for number in numbers[:7]:
        for status in (RequestStatus.EN_REVISION, RequestStatus.EN_PROCESO, RequestStatus.RESUELTA):
            await store.change_status(
                number, status, note=None, changed_by="upstream", strict=False
            )
    clock.at = dt.datetime(2026, 12, 2, 11, 0, tzinfo=AST)

    month = await figures(env, "MONTH")
    assert month["since"] == "2026-12-01T00:00:00-04:00"
    rows = {row["serviceId"]: row for row in month["services"]}
    assert list(rows) == ["acta-nacimiento", "poda-arboles", "recogida-basura"]
    basura = rows["recogida-basura"]
    # 12 received from 1 December; those of 23:30 on 30 November belong to November.
    assert basura["received"] == {"value": 12, "suppressed": False, "text": "12", "en": "12"}
    assert basura["resolved"] == {"value": 7, "suppressed": False}
    # 00:15 on the 1st to 10:00 on the 2nd: 33 h 45 min.
    assert basura["medianDaysToResolve"] == {"value": 1.40625, "suppressed": False, "text": "1.4"}
    # All by Friday 4 December (three working days).
    assert basura["percentResolvedOnTime"] == {
        "value": 100.0,
        "suppressed": False,
        "text": "100.0 %",
    }
    # Rejected (0) is fewer than 5; open (5) goes with it, or 12 − 7 would give it away.
    assert basura["rejected"]["suppressed"] and basura["open"]["suppressed"]
    poda = rows["poda-arboles"]
    assert poda["received"] == {
        "value": None,
        "suppressed": True,
        "text": "menos de 5",
        "en": "fewer than 5",
    }
    assert poda["medianDaysToResolve"]["text"] == "menos de 5"
    # The total (20) is published, so a second service is hidden with poda: the total
    # minus the published services gives poda and actas together (8), never poda's 3.
    assert month["total"]["received"]["value"] == 20
    assert rows["acta-nacimiento"]["received"]["suppressed"] is True

    year = await figures(env, "YEAR")
    assert year["since"] == "2026-01-01T00:00:00-04:00"
    assert year["total"]["received"]["value"] == 26
    today = await figures(env, "TODAY")
    assert today["since"] == "2026-12-02T00:00:00-04:00"
    assert today["total"]["received"] == {"value": None, "suppressed": True, "text": "menos de 5"}


async def test_the_subscription_emits_on_a_submit_and_on_a_change_of_status(env: Env) -> None:
    for n in range(5):
        await env.requests.submit(new("recogida-basura", n))
    stream = await env.schema.subscribe(
        LIVE, variable_values={"id": "santo-domingo-este"}, context_value=env.context(ANONYMOUS)
    )
    assert hasattr(stream, "__anext__")
    first = await asyncio.wait_for(stream.__anext__(), 5)
    assert first.errors is None, first.errors
    assert first.data["transactionFiguresChanged"]["total"]["received"]["value"] == 5
    submitted = await env.requests.submit(new("recogida-basura", 99))
    second = await asyncio.wait_for(stream.__anext__(), 5)
    assert second.data["transactionFiguresChanged"]["total"]["received"]["value"] == 6
    assert second.data["transactionFiguresChanged"]["total"]["open"]["value"] == 6
    await env.requests.change_status(
        submitted.request.tracking_number, RequestStatus.RECHAZADA, note=None, changed_by="x"
    )
    third = await asyncio.wait_for(stream.__anext__(), 5)
    # 5 open and 1 rejected: the 1 is hidden, and the 5 with it (6 − 0 − 5 would give it).
    assert third.data["transactionFiguresChanged"]["total"]["open"] == {
        "value": None,
        "suppressed": True,
    }
    await stream.aclose()
    await asyncio.sleep(0)
    assert env.events.subscriber_count("figures:SDE") == 0


async def test_an_unknown_local_government_has_no_live_figures(env: Env) -> None:
    stream = await env.schema.subscribe(
        LIVE, variable_values={"id": "no-existe"}, context_value=env.context(ANONYMOUS)
    )
    if hasattr(stream, "__anext__"):
        result = await asyncio.wait_for(stream.__anext__(), 5)
    else:
        result = stream
    assert result.errors and result.errors[0].extensions["code"] == "NOT_FOUND"
