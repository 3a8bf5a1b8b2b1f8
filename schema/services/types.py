"""GraphQL types of a service or procedure (trámite)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from connectors import Record
from schema.context import Info
from schema.departments.resolvers import department
from schema.departments.types import Department
from schema.paging import list_size
from schema.requests.fields import RequestField
from schema.requests.forms import MAX_FIELDS, RequestForms
from schema.services.category import ServiceCategory

if TYPE_CHECKING:
    # Only for the annotation: a municipality lists its services (the other way round).
    from schema.municipalities.types import Municipality


@strawberry.enum(description="Where a citizen can do the procedure.")
class Channel(enum.Enum):
    PRESENCIAL = "presencial"
    EN_LINEA = "en_linea"
    TELEFONO = "telefono"


@strawberry.type(description="An amount of money; Dominican pesos are currency DOP.")
class Money:
    amount: Decimal
    currency: str


@strawberry.type(description="A service or procedure (trámite) of a local government.")
class Service:
    record: strawberry.Private[Record]
    #: The local government it belongs to, given by whoever read the service (a
    #: municipality listing its services, a request naming its service); None if that
    #: government has left the hub.
    owner: strawberry.Private[Municipality | None]

    @strawberry.field(description="Federation-wide id: '<municipality id>:<service id>'.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(f"{self.record['municipality_id']}:{self.record['id']}")

    @strawberry.field
    def name(self) -> str:
        return str(self.record["name"])

    @strawberry.field
    def description(self) -> str:
        return str(self.record["description"])

    @strawberry.field
    def category(self) -> ServiceCategory:
        return ServiceCategory(self.record["category"])

    @strawberry.field(description="Documents and conditions the citizen must bring.")
    def requirements(self) -> list[str]:
        return list(self.record["requirements"])

    @strawberry.field(description="What the procedure costs; null when it is free.")
    def fee(self) -> Money | None:
        amount = self.record.get("fee_amount")
        if amount is None:
            return None
        return Money(amount=Decimal(amount), currency=str(self.record.get("fee_currency", "DOP")))

    @strawberry.field(description="Usual working days until it is resolved.")
    def duration_days(self) -> int | None:
        value: Any = self.record.get("duration_days")
        return None if value is None else int(value)

    @strawberry.field
    def channels(self) -> list[Channel]:
        return [Channel(c) for c in self.record["channels"]]

    @strawberry.field(
        description="False when the government has made it inactive: hidden from citizens "
        "and Open311, shown to its own staff with `includeInactive`."
    )
    def active(self) -> bool:
        return bool(self.record.get("active", True))

    @strawberry.field(
        description="True when citizens can request it online (`submitServiceRequest`)."
    )
    def accepts_requests(self) -> bool:
        return self.active() and Channel.EN_LINEA.value in self.record["channels"]

    @strawberry.field(
        description="The questions a request for it asks, beyond the description and the "
        "location (Open311 attributes), in `order`.",
        directives=[list_size(MAX_FIELDS)],
    )
    def request_fields(self, info: Info) -> list[RequestField]:
        forms = info.context.request_forms or RequestForms.empty()
        record = self.record
        fields = forms.fields_for(
            str(record["municipality_id"]), str(record["id"]), str(record["category"])
        )
        return [RequestField(spec=spec) for spec in fields]

    @strawberry.field(description="The law or resolution the procedure rests on.")
    def legal_basis(self) -> str | None:
        value = self.record.get("legal_basis")
        return None if value is None else str(value)

    @strawberry.field(description="The department that handles it, from whichever source holds it.")
    async def department(self, info: Info) -> Department | None:
        department_id = self.record.get("department_id")
        if not department_id:
            return None
        return await department(info, str(self.record["municipality_id"]), str(department_id))

    @strawberry.field
    def municipality(
        self,
    ) -> Annotated[Municipality, strawberry.lazy("schema.municipalities.types")] | None:
        return self.owner
