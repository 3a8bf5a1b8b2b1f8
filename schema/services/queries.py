"""The root fields that find services: across governments, or one by its id."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import PublicError
from schema.municipalities.types import Municipality
from schema.paging import MAX_PAGE_SIZE, Page, paged
from schema.partial import note_if_stale
from schema.services.category import ServiceCategory
from schema.services.resolvers import INCLUDE_INACTIVE, services_of, shown
from schema.services.types import Service
from words import Message


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
        include_inactive: Annotated[
            bool, strawberry.argument(description=INCLUDE_INACTIVE)
        ] = False,
    ) -> list[Service]:
        federation = info.context.federation
        if municipality_id is None:
            configs = [federation.municipalities[m] for m in sorted(federation.municipalities)]
        elif (config := federation.get(str(municipality_id))) is None:
            return []
        else:
            configs = [config]
        owners = [Municipality(config=config) for config in configs]
        return await services_of(
            info, owners, category, search, Page.of(first, offset), include_inactive
        )

    @strawberry.field(description="One service by its id, e.g. 'jarabacoa:licencia-construccion'.")
    async def service(
        self,
        info: Info,
        id: strawberry.ID,
        include_inactive: Annotated[
            bool, strawberry.argument(description=INCLUDE_INACTIVE)
        ] = False,
    ) -> Service | None:
        key = parse_service_id(str(id))
        config = info.context.federation.get(key[0])
        if config is None:
            return None
        loader = info.context.loaders.service_by_key
        record = await loader.load(key)
        note_if_stale(info, loader, key)
        if record is None or not shown(info, record, include_inactive):
            return None
        return Service(record=record, owner=Municipality(config=config))
