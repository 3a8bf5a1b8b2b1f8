"""Reading services through the per-request loaders, with Spanish-aware search."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from schema.context import Info
from schema.errors import PublicError
from schema.services.types import Service, ServiceCategory
from schema.text import matches


async def services_of(
    info: Info,
    municipality_ids: Sequence[str],
    category: ServiceCategory | None,
    search: str | None,
) -> list[Service]:
    catalogues = await info.context.loaders.services_by_municipality.load_many(
        list(municipality_ids)
    )
    found = []
    for catalogue in catalogues:
        for record in catalogue:
            if category is not None and record["category"] != category.value:
                continue
            if search and not matches(search, record["name"], record["description"]):
                continue
            found.append(Service(record=record))
    return found


def parse_service_id(value: str) -> tuple[str, str]:
    municipality_id, sep, local_id = value.partition(":")
    if not sep or not municipality_id or not local_id:
        raise PublicError(
            "El identificador del servicio no es válido; tiene la forma 'municipio:servicio'.",
            code="BAD_USER_INPUT",
            argument="id",
        )
    return municipality_id, local_id


@strawberry.type
class ServiceQueries:
    @strawberry.field(
        description="Services across municipalities; search ignores accents and case."
    )
    async def services(
        self,
        info: Info,
        municipality_id: strawberry.ID | None = None,
        search: str | None = None,
        category: ServiceCategory | None = None,
    ) -> list[Service]:
        federation = info.context.federation
        if municipality_id is None:
            ids = sorted(federation.municipalities)
        elif federation.get(str(municipality_id)) is None:
            return []
        else:
            ids = [str(municipality_id)]
        return await services_of(info, ids, category, search)

    @strawberry.field(description="One service by its id, e.g. 'jarabacoa:licencia-construccion'.")
    async def service(self, info: Info, id: strawberry.ID) -> Service | None:
        key = parse_service_id(str(id))
        if info.context.federation.get(key[0]) is None:
            return None
        record = await info.context.loaders.service_by_key.load(key)
        return None if record is None else Service(record=record)
