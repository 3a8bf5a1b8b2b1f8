"""Reading services through the per-request loaders, with Spanish-aware search."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import strawberry

from schema.context import Info
from schema.errors import PublicError
from schema.paging import MAX_PAGE_SIZE, Page, paged
from schema.partial import add_partial_failure, note_if_stale
from schema.services.types import Service, ServiceCategory
from schema.text import matches
from words import Message


async def services_of(
    info: Info,
    municipality_ids: Sequence[str],
    category: ServiceCategory | None,
    search: str | None,
    page: Page | None = None,
) -> list[Service]:
    """Services of several municipalities; a failed source drops only its own part.

    With one municipality the failure is raised (the field becomes null with the error);
    with several it is recorded as a partial error and the rest is returned.
    """
    loader = info.context.loaders.services_by_municipality
    outcomes = await asyncio.gather(
        *(loader.load(m) for m in municipality_ids), return_exceptions=True
    )
    found = []
    for municipality_id, outcome in zip(municipality_ids, outcomes, strict=True):
        if isinstance(outcome, PublicError):
            if len(municipality_ids) == 1:
                raise outcome
            add_partial_failure(info, outcome)
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        note_if_stale(info, loader, municipality_id)
        for record in outcome:
            if category is not None and record["category"] != category.value:
                continue
            if search and not matches(search, record["name"], record["description"]):
                continue
            found.append(Service(record=record))
    return found if page is None else page.slice(found)


def parse_service_id(value: str) -> tuple[str, str]:
    municipality_id, sep, local_id = value.partition(":")
    if not sep or not municipality_id or not local_id:
        raise PublicError(
            Message(
                "schema",
                "The service id is not valid; it has the form 'municipality:service'.",
            ),
            code="BAD_USER_INPUT",
            argument="id",
        )
    return municipality_id, local_id


@strawberry.type
class ServiceQueries:
    @strawberry.field(
        description="Services across municipalities; search ignores accents and case.",
        # Without `first`, every government's: the gateway passes the hub's count of them.
        directives=[paged(MAX_PAGE_SIZE)],
    )
    async def services(
        self,
        info: Info,
        municipality_id: strawberry.ID | None = None,
        search: str | None = None,
        category: ServiceCategory | None = None,
        first: int | None = None,
        offset: int = 0,
    ) -> list[Service]:
        federation = info.context.federation
        if municipality_id is None:
            ids = sorted(federation.municipalities)
        elif federation.get(str(municipality_id)) is None:
            return []
        else:
            ids = [str(municipality_id)]
        return await services_of(info, ids, category, search, Page.of(first, offset))

    @strawberry.field(description="One service by its id, e.g. 'jarabacoa:licencia-construccion'.")
    async def service(self, info: Info, id: strawberry.ID) -> Service | None:
        key = parse_service_id(str(id))
        if info.context.federation.get(key[0]) is None:
            return None
        loader = info.context.loaders.service_by_key
        record = await loader.load(key)
        note_if_stale(info, loader, key)
        return None if record is None else Service(record=record)
