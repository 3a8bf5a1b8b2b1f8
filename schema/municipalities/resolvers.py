"""Root fields for local governments; their data is configuration, held in memory."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.municipalities.types import Municipality, MunicipalityKind
from schema.paging import list_size
from schema.text import fold

#: Every local government of the country: at most this many on a hub.
LOCAL_GOVERNMENTS = 393


@strawberry.type
class MunicipalityQueries:
    @strawberry.field(
        description="Local governments on the hub, by province and kind.",
        # The country's 158 municipios and 235 distritos; the gateway passes the hub's count.
        directives=[list_size(LOCAL_GOVERNMENTS)],
    )
    def municipalities(
        self,
        info: Info,
        province: str | None = None,
        kind: MunicipalityKind | None = None,
    ) -> list[Municipality]:
        wanted_province = fold(province) if province else None
        found = [
            Municipality(config=m)
            for m in info.context.federation.municipalities.values()
            if (wanted_province is None or fold(m.file.province.value) == wanted_province)
            and (kind is None or m.file.kind.value == kind.value)
        ]
        return sorted(found, key=lambda m: fold(m.config.file.name))

    @strawberry.field(description="One local government by its id, e.g. 'santo-domingo-este'.")
    def municipality(self, info: Info, id: strawberry.ID) -> Municipality | None:
        config = info.context.federation.get(str(id))
        return None if config is None else Municipality(config=config)
