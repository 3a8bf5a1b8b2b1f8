"""GraphQL types of a public work and of a government's works summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from connectors import Record
from schema.paging import list_size
from schema.services.types import Money
from schema.works.schedule import RULE
from schema.works.status import WorkStatus


@strawberry.type(description="A point on the map, in decimal degrees (WGS 84).")
class Coordinates:
    latitude: float
    longitude: float


@strawberry.type(description="A public work (obra) of a local government, as its system keeps it.")
class Work:
    record: strawberry.Private[Record]
    #: Computed once by whoever read the work, with the day it was computed for.
    is_behind: strawberry.Private[bool]

    @strawberry.field(description="Federation-wide id: '<municipality id>:<work id>'.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(f"{self.record['municipality_id']}:{self.record['id']}")

    @strawberry.field
    def name(self) -> str:
        return str(self.record["name"])

    @strawberry.field(description="Where it is, as the government describes it.")
    def place(self) -> str | None:
        return self.record.get("place")

    @strawberry.field(description="Where it is on the map, when the source has coordinates.")
    def coordinates(self) -> Coordinates | None:
        latitude, longitude = self.record.get("latitude"), self.record.get("longitude")
        if latitude is None or longitude is None:
            return None
        return Coordinates(latitude=float(latitude), longitude=float(longitude))

    @strawberry.field(description="The company or person building it.")
    def contractor(self) -> str | None:
        return self.record.get("contractor")

    @strawberry.field(description="The amount of its contract.")
    def contract_amount(self) -> Money | None:
        amount = self.record.get("contract_amount")
        if amount is None:
            return None
        return Money(amount=Decimal(amount), currency=str(self.record.get("currency") or "DOP"))

    @strawberry.field(description="Physical progress in percentage points (45 means 45 %).")
    def progress_percent(self) -> float | None:
        progress = self.record.get("progress_percent")
        return None if progress is None else float(progress)

    @strawberry.field
    def start_date(self) -> dt.date | None:
        return self.record.get("start_date")

    @strawberry.field(description="When it is expected to be finished.")
    def expected_end_date(self) -> dt.date | None:
        return self.record.get("expected_end_date")

    @strawberry.field(description="When it was finished, if it was.")
    def end_date(self) -> dt.date | None:
        return self.record.get("end_date")

    @strawberry.field
    def status(self) -> WorkStatus:
        return WorkStatus(self.record["status"])

    @strawberry.field(description=RULE)
    def behind_schedule(self) -> bool:
        return self.is_behind

    @strawberry.field(
        description="The OCDS ocid of the procurement process it came from, where known."
    )
    def procurement_ocid(self) -> str | None:
        return self.record.get("procurement_ocid")

    @strawberry.field(description="The code of the procurement process it came from, where known.")
    def procurement_code(self) -> str | None:
        return self.record.get("procurement_code")


@strawberry.type(description="How many works are in one status.")
class WorkStatusCount:
    status: WorkStatus
    count: int


@strawberry.type(description="A government's works counted by status and by schedule.")
class WorksSummary:
    by_status: list[WorkStatusCount] = strawberry.field(
        description="One entry per status, every status listed (0 when none).",
        directives=[list_size(len(WorkStatus))],
    )
    behind_schedule: int = strawberry.field(
        description="How many are behind schedule (see `Work.behindSchedule`)."
    )
    total: int
