"""GraphQL types of a local government and its sources."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import strawberry

from connectors import Capability
from connectors import Municipality as MunicipalityConfig
from connectors import SourceStatus as ConnectorSourceStatus
from schema.context import Info
from schema.departments.resolvers import departments_of
from schema.departments.types import Department
from schema.paging import Page, list_size, paged
from schema.services.category import ServiceCategory
from schema.services.resolvers import INCLUDE_INACTIVE, services_of
from schema.services.types import Service

#: A government's services when `first` is not given (all of them): tens, not hundreds.
SERVICES_PER_MUNICIPALITY = 50
#: Its departments (dependencias).
DEPARTMENTS_PER_MUNICIPALITY = 30


@strawberry.enum(description="Ayuntamiento (municipality) or junta de distrito municipal.")
class MunicipalityKind(enum.Enum):
    AYUNTAMIENTO = "ayuntamiento"
    JUNTA_DISTRITO = "junta_distrito"


@strawberry.enum(description="Health of a source as the hub last saw it.")
class SourceStatus(enum.Enum):
    UNKNOWN = "unknown"
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"
    CIRCUIT_OPEN = "circuit_open"


@strawberry.type(description="Public contact data of a local government's offices.")
class Contact:
    address: str
    phone: str
    email: str
    website: str | None
    hours: str | None


@strawberry.type(description="A reference to a municipality that may not be on the hub yet.")
class MunicipalityRef:
    id: strawberry.ID
    one_code: str
    name: str
    onboarded: bool


@strawberry.type(description="One of a municipality's existing systems, as the hub reaches it.")
class Source:
    name: str
    connector: str
    status: SourceStatus
    checked_at: dt.datetime | None
    last_error_at: dt.datetime | None


@strawberry.type(description="A local government: ayuntamiento or junta de distrito municipal.")
class Municipality:
    config: strawberry.Private[MunicipalityConfig]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.config.id)

    @strawberry.field(description="Territorial code of the Oficina Nacional de Estadística.")
    def one_code(self) -> str:
        return self.config.file.one_code

    @strawberry.field(description="Short code used in tracking numbers, e.g. SDE.")
    def short_code(self) -> str:
        return self.config.file.short_code

    @strawberry.field
    def name(self) -> str:
        return self.config.file.name

    @strawberry.field
    def kind(self) -> MunicipalityKind:
        return MunicipalityKind(self.config.file.kind.value)

    @strawberry.field
    def province(self) -> str:
        return self.config.file.province.value

    @strawberry.field(description="True when this is demonstration data, not an official record.")
    def is_demo(self) -> bool:
        return self.config.file.demo

    @strawberry.field
    def contact(self) -> Contact:
        c = self.config.file.contact
        return Contact(
            address=c.address, phone=c.phone, email=c.email, website=c.website, hours=c.hours
        )

    @strawberry.field(description="The municipality a junta de distrito belongs to.")
    def parent(self, info: Info) -> MunicipalityRef | None:
        parent = self.config.file.parent
        if parent is None:
            return None
        return MunicipalityRef(
            id=strawberry.ID(parent.id),
            one_code=parent.one_code,
            name=parent.name,
            onboarded=info.context.federation.get(parent.id) is not None,
        )

    @strawberry.field(
        description="Services and procedures (trámites) this government offers.",
        directives=[paged(SERVICES_PER_MUNICIPALITY)],
    )
    async def services(
        self,
        info: Info,
        category: ServiceCategory | None = None,
        search: str | None = None,
        first: int | None = None,
        offset: int = 0,
        include_inactive: Annotated[
            bool, strawberry.argument(description=INCLUDE_INACTIVE)
        ] = False,
    ) -> list[Service] | None:
        return await services_of(
            info, [self], category, search, Page.of(first, offset), include_inactive
        )

    @strawberry.field(
        description="Its departments (dependencias) and their contact data.",
        directives=[list_size(DEPARTMENTS_PER_MUNICIPALITY)],
    )
    async def departments(self, info: Info) -> list[Department] | None:
        return await departments_of(info, self.config.id)

    @strawberry.field(
        description="The existing systems behind this government's data.",
        # At most one per capability it binds.
        directives=[list_size(len(Capability))],
    )
    def sources(self, info: Info) -> list[Source]:
        return [
            Source(
                name=placed.name,
                connector=placed.connector.kind,
                status=SourceStatus(ConnectorSourceStatus(placed.health.status).value),
                checked_at=placed.health.checked_at,
                last_error_at=placed.health.last_error_at,
            )
            for placed in info.context.federation.sources_of(self.config.id)
        ]
