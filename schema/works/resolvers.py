"""Reading a government's works through the per-request loader: one call per source per
level, whatever the filters or the summary asked in the same query."""

from __future__ import annotations

import collections

from connectors import Capability
from schema.context import Info
from schema.partial import note_if_stale
from schema.works.schedule import behind_schedule, today
from schema.works.status import WorkStatus
from schema.works.types import Work, WorksSummary, WorkStatusCount


async def _works(info: Info, municipality_id: str) -> list[Work]:
    loader = info.context.loaders.works_by_municipality
    records = await loader.load(municipality_id)
    note_if_stale(info, loader, municipality_id)
    on = today()
    return [Work(record=r, is_behind=behind_schedule(r, on)) for r in records]


def publishes_works(info: Info, municipality_id: str) -> bool:
    """Whether the government has bound a source of works (else its works are null, with
    no error: not published yet, as opposed to none)."""
    return info.context.federation.binding(municipality_id, Capability.WORKS) is not None


async def works_of(
    info: Info,
    municipality_id: str,
    status: WorkStatus | None = None,
    behind: bool | None = None,
) -> list[Work]:
    """The government's works, filtered by status and by whether they are behind schedule.
    A failed source raises (the field becomes null with the error naming the source)."""
    return [
        work
        for work in await _works(info, municipality_id)
        if (status is None or work.record["status"] == status.value)
        and (behind is None or work.is_behind == behind)
    ]


async def works_summary(info: Info, municipality_id: str) -> WorksSummary:
    works = await _works(info, municipality_id)
    counts = collections.Counter(work.record["status"] for work in works)
    return WorksSummary(
        by_status=[WorkStatusCount(status=s, count=counts.get(s.value, 0)) for s in WorkStatus],
        behind_schedule=sum(1 for work in works if work.is_behind),
        total=len(works),
    )
