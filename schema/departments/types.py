"""GraphQL type of a municipal department (dependencia) that handles services."""

from __future__ import annotations

import strawberry

from connectors import Record


@strawberry.type(description="A municipal department (dependencia) responsible for services.")
class Department:
    record: strawberry.Private[Record]

    @strawberry.field(description="Federation-wide id: '<municipality id>:<department id>'.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(f"{self.record['municipality_id']}:{self.record['id']}")

    @strawberry.field
    def name(self) -> str:
        return str(self.record["name"])

    @strawberry.field(description="Public official in charge, when the source names one.")
    def head(self) -> str | None:
        return self.record.get("head")

    @strawberry.field
    def phone(self) -> str | None:
        return self.record.get("phone")

    @strawberry.field
    def email(self) -> str | None:
        return self.record.get("email")

    @strawberry.field
    def location(self) -> str | None:
        return self.record.get("location")

    @strawberry.field
    def hours(self) -> str | None:
        return self.record.get("hours")
