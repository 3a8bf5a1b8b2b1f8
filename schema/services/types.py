"""GraphQL types of a service or procedure (trámite)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from connectors import Record
from schema.context import Info
from schema.paging import list_size

if TYPE_CHECKING:
    from schema.departments.types import Department
    from schema.municipalities.types import Municipality
    from schema.requests.types import RequestField


@strawberry.enum(description="Area a service belongs to.")
class ServiceCategory(enum.Enum):
    URBANISMO = "urbanismo"
    SANEAMIENTO = "saneamiento"
    TRIBUTOS = "tributos"
    ESPACIO_PUBLICO = "espacio_publico"
    CEMENTERIOS = "cementerios"
    CERTIFICACIONES = "certificaciones"
    MERCADOS = "mercados"
    SOCIAL = "social"


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
        description="True when citizens can request it online (`submitServiceRequest`)."
    )
    def accepts_requests(self) -> bool:
        return Channel.EN_LINEA.value in self.record["channels"]

    @strawberry.field(
        description="The questions a request for it asks, beyond the description and the "
        "location (Open311 attributes), in `order`.",
        directives=[list_size(10)],  # forms.MAX_FIELDS (which imports this module)
    )
    def request_fields(
        self, info: Info
    ) -> list[Annotated[RequestField, strawberry.lazy("schema.requests.types")]]:
        from schema.requests.forms import RequestForms
        from schema.requests.types import RequestField

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
    async def department(
        self, info: Info
    ) -> Annotated[Department, strawberry.lazy("schema.departments.types")] | None:
        from schema.departments.resolvers import department

        department_id = self.record.get("department_id")
        if not department_id:
            return None
        return await department(info, str(self.record["municipality_id"]), str(department_id))

    @strawberry.field
    def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("schema.municipalities.types")] | None:
        from schema.municipalities.types import Municipality

        config = info.context.federation.get(str(self.record["municipality_id"]))
        return None if config is None else Municipality(config=config)
