"""Reading services through the per-request loaders, with Spanish-aware search."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from connectors import Record
from schema.context import Info
from schema.errors import PublicError
from schema.paging import Page
from schema.partial import add_partial_failure, note_if_stale
from schema.services.category import ServiceCategory
from schema.services.types import Service
from schema.text import matches

if TYPE_CHECKING:
    # The owners are handed in: a municipality lists its services through this module.
    from schema.municipalities.types import Municipality


#: The description of the `includeInactive` argument, the same on every field that has it.
INCLUDE_INACTIVE = (
    "Also the services the government has made inactive: honoured only for its own staff "
    "(anyone else sees active services only)."
)


def shown(info: Info, record: Record, include_inactive: bool) -> bool:
    """Whether the caller sees this service: an active one always; an inactive one only
    when its own government's staff ask for it (`includeInactive`)."""
    if record.get("active", True):
        return True
    return include_inactive and info.context.principal.is_staff_of(str(record["municipality_id"]))


async def services_of(
    info: Info,
    owners: Sequence[Municipality],
    category: ServiceCategory | None,
    search: str | None,
    page: Page | None = None,
    include_inactive: bool = False,
) -> list[Service]:
    """Services of several municipalities; a failed source drops only its own part.

    With one municipality the failure is raised (the field becomes null with the error);
    with several it is recorded as a partial error and the rest is returned. Inactive
    services are left out unless `shown` says otherwise.
    """
    loader = info.context.loaders.services_by_municipality
    outcomes = await asyncio.gather(
        *(loader.load(owner.config.id) for owner in owners), return_exceptions=True
    )
    found = []
    for owner, outcome in zip(owners, outcomes, strict=True):
        if isinstance(outcome, PublicError):
            if len(owners) == 1:
                raise outcome
            add_partial_failure(info, outcome)
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        note_if_stale(info, loader, owner.config.id)
        for record in outcome:
            if not shown(info, record, include_inactive):
                continue
            if category is not None and record["category"] != category.value:
                continue
            if search and not matches(search, record["name"], record["description"]):
                continue
            found.append(Service(record=record, owner=owner))
    return found if page is None else page.slice(found)
