"""GraphQL types of a contracting process, read from its OCDS 1.1 release."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry

from schema.paging import list_size
from schema.services.types import Money

#: Awards and contracts of one process: one each, rarely a few (lots).
AWARDS_PER_PROCESS = 3
#: Suppliers of one award: one, or a consortium of a few.
SUPPLIERS_PER_AWARD = 3


def _money(value: Any) -> Money | None:
    if not isinstance(value, dict):
        return None
    # Centavos: the release holds a JSON number (28500000.0).
    amount = Decimal(str(value["amount"])).quantize(Decimal("0.01"))
    return Money(amount=amount, currency=str(value["currency"]))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _moment(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(str(value))


@strawberry.type(description="An organisation in a contracting process (OCDS party reference).")
class Party:
    id: str = strawberry.field(
        description="DO-UC-<unidad de compras> for a buyer, DO-RPE-<number in the Registro "
        "de Proveedores del Estado> for a supplier."
    )
    name: str


@strawberry.type(description="An award of a contracting process (OCDS award).")
class Award:
    release: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def id(self) -> str:
        return str(self.release["id"])

    @strawberry.field(description="OCDS awardStatus code: pending, active, cancelled…")
    def status(self) -> str | None:
        return _text(self.release.get("status"))

    @strawberry.field
    def date(self) -> dt.datetime | None:
        return _moment(self.release.get("date"))

    @strawberry.field
    def value(self) -> Money | None:
        return _money(self.release.get("value"))

    @strawberry.field(directives=[list_size(SUPPLIERS_PER_AWARD)])
    def suppliers(self) -> list[Party]:
        return [Party(id=s["id"], name=s["name"]) for s in self.release.get("suppliers", [])]


@strawberry.type(description="A contract signed in a contracting process (OCDS contract).")
class Contract:
    release: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def id(self) -> str:
        return str(self.release["id"])

    @strawberry.field(description="The award it implements.")
    def award_id(self) -> str:
        return str(self.release["awardID"])

    @strawberry.field(description="OCDS contractStatus code: pending, active, terminated…")
    def status(self) -> str | None:
        return _text(self.release.get("status"))

    @strawberry.field
    def date_signed(self) -> dt.datetime | None:
        return _moment(self.release.get("dateSigned"))

    @strawberry.field
    def value(self) -> Money | None:
        return _money(self.release.get("value"))


@strawberry.type(
    description="A contracting process of a local government, as its OCDS 1.1 release."
)
class ProcurementProcess:
    release: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="Open Contracting ID: ocds-6550wx-<process code>.")
    def ocid(self) -> str:
        return str(self.release["ocid"])

    @strawberry.field(description="The process code in the government's own system.")
    def code(self) -> str:
        return str(self.release["tender"]["id"])

    @strawberry.field
    def title(self) -> str:
        return str(self.release["tender"]["title"])

    @strawberry.field
    def description(self) -> str | None:
        return _text(self.release["tender"].get("description"))

    @strawberry.field(description="OCDS tenderStatus code: planning, active, complete…")
    def status(self) -> str:
        return str(self.release["tender"]["status"])

    @strawberry.field(description="OCDS method code: open, selective, limited or direct.")
    def method(self) -> str | None:
        return _text(self.release["tender"].get("procurementMethod"))

    @strawberry.field(description="OCDS procurementCategory code: goods, works or services.")
    def category(self) -> str | None:
        return _text(self.release["tender"].get("mainProcurementCategory"))

    @strawberry.field(description="When the process was last published.")
    def date(self) -> dt.datetime:
        moment = _moment(self.release["date"])
        assert moment is not None
        return moment

    @strawberry.field(description="The tender's estimated value.")
    def value(self) -> Money | None:
        return _money(self.release["tender"].get("value"))

    @strawberry.field
    def buyer(self) -> Party:
        buyer = self.release["buyer"]
        return Party(id=buyer["id"], name=buyer["name"])

    @strawberry.field(description="The supplier of its first award, if awarded.")
    def supplier(self) -> Party | None:
        for award in self.release.get("awards", []):
            for supplier in award.get("suppliers", []):
                return Party(id=supplier["id"], name=supplier["name"])
        return None

    @strawberry.field(directives=[list_size(AWARDS_PER_PROCESS)])
    def awards(self) -> list[Award]:
        return [Award(release=a) for a in self.release.get("awards", [])]

    @strawberry.field(directives=[list_size(AWARDS_PER_PROCESS)])
    def contracts(self) -> list[Contract]:
        return [Contract(release=c) for c in self.release.get("contracts", [])]
