"""GraphQL types of a local government and its sources."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import strawberry

from connectors import Capability
from connectors import Municipality as MunicipalityConfig
from connectors import SourceStatus as ConnectorSourceStatus
from schema.budget.resolvers import YEARS_PER_MUNICIPALITY, budgets_of, of_year
from schema.budget.types import Budget
from schema.context import Info
from schema.departments.resolvers import departments_of
from schema.departments.types import Department
from schema.figures import FiguresPeriod, TransactionFigures, figures_of
from schema.paging import Page, list_size, paged
from schema.procurement.resolvers import procurement_of, publishes_procurement
from schema.procurement.types import ProcurementProcess
from schema.services.category import ServiceCategory
from schema.services.resolvers import INCLUDE_INACTIVE, services_of
from schema.services.types import Service
from schema.works.resolvers import publishes_works, works_of, works_summary
from schema.works.status import WorkStatus
from schema.works.types import Work, WorksSummary

#: A government's services when `first` is not given (all of them): tens, not hundreds.
SERVICES_PER_MUNICIPALITY = 50
#: Its departments (dependencias).
DEPARTMENTS_PER_MUNICIPALITY = 30
#: Its contracting processes (OCDS releases) when `first` is not given: tens in a year.
PROCESSES_PER_MUNICIPALITY = 50
#: Its public works (obras) on record: tens in a year, a few hundred over a term.
WORKS_PER_MUNICIPALITY = 200


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
        description="Its contracting processes (compras y contrataciones) as OCDS 1.1 "
        "releases, latest first; null without an error when it has no source of them bound "
        "(not published yet). The release package: /datos/contrataciones/<id>.json.",
        directives=[paged(PROCESSES_PER_MUNICIPALITY)],
    )
    async def procurement(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Only processes whose title or ocid has this."),
        ] = None,
        first: int | None = None,
        offset: int = 0,
    ) -> list[ProcurementProcess] | None:
        if not publishes_procurement(info, self.config.id):
            return None
        page = Page.of(first, offset)
        found = await procurement_of(info, self.config, search)
        return found if page is None else page.slice(found)

    @strawberry.field(
        description="Its public works (obras): progress, schedule and status; null without "
        "an error when the government has no source of works bound (not published yet).",
        directives=[list_size(WORKS_PER_MUNICIPALITY)],
    )
    async def works(
        self,
        info: Info,
        status: Annotated[
            WorkStatus | None, strawberry.argument(description="Only works in this status.")
        ] = None,
        behind_schedule: Annotated[
            bool | None,
            strawberry.argument(description="Only works behind schedule (true) or not (false)."),
        ] = None,
    ) -> list[Work] | None:
        if not publishes_works(info, self.config.id):
            return None
        return await works_of(info, self.config.id, status, behind_schedule)

    @strawberry.field(
        description="Its public works counted by status and by schedule; null without an "
        "error when it publishes none."
    )
    async def works_summary(self, info: Info) -> WorksSummary | None:
        if not publishes_works(info, self.config.id):
            return None
        return await works_summary(info, self.config.id)

    @strawberry.field(
        description="Its budget of a fiscal year and its execution (the latest year when "
        "`year` is not given); null when its source has none for that year or it publishes "
        "no budget through the hub."
    )
    async def budget(self, info: Info, year: int | None = None) -> Budget | None:
        found = of_year(await budgets_of(info, self.config.id), year)
        return None if found is None else Budget(year=found)

    @strawberry.field(
        description="The fiscal years whose budget its source holds, latest first.",
        directives=[list_size(YEARS_PER_MUNICIPALITY)],
    )
    async def budget_years(self, info: Info) -> list[int] | None:
        return [b.fiscal_year for b in await budgets_of(info, self.config.id)]

    @strawberry.field(
        description="Public figures of its service requests in a period, per service and "
        "in total, counted when asked (counts under 5 are not given); "
        "`transactionFiguresChanged` follows them live."
    )
    async def transaction_figures(
        self, info: Info, period: FiguresPeriod = FiguresPeriod.MONTH
    ) -> TransactionFigures | None:
        return await figures_of(info.context, self.config.id, period)

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
