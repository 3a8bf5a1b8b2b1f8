"""Root fields: tracking by number (anyone), the caller's own requests, a municipality's
queue (its staff), public counts; and a service's request fields."""

from __future__ import annotations

import datetime as dt
import re

import strawberry

from schema.context import Info
from schema.errors import PublicError, bad_argument
from schema.paging import MAX_PAGE_SIZE, NEGATIVE_OFFSET, Page, first_out_of_range, paged
from schema.personal import IsStaffOf, check_purpose, data_subject_of
from schema.principal import StaffRole
from schema.requests.access import request_store
from schema.requests.forms import RequestForms
from schema.requests.types import (
    RequestStatistics,
    RequestStatus,
    RequestStatusCount,
    ServiceRequest,
    dominican_today,
)
from words import Message

#: `SDE-2026-000123`; case and spaces around it do not matter.
TRACKING_NUMBER = re.compile(r"[A-Z]{2,4}-\d{4}-\d{6,}")
MAX_AGE_DAYS = 3650


def normal_tracking_number(value: str) -> str | None:
    number = value.strip().upper()
    return number if TRACKING_NUMBER.fullmatch(number) else None


class IsQueueStaff(IsStaffOf):
    """Agents and supervisors of the municipality the queue belongs to."""

    roles = frozenset({StaffRole.AGENT, StaffRole.SUPERVISOR})
    message = Message(
        "schema", "Only agents and supervisors of that local government see its request queue."
    ).es


@strawberry.type
class RequestQueries:
    @strawberry.field(
        description="A request by its tracking number: anyone sees the service, status, "
        "dates and public notes; the citizen who submitted it sees everything; staff of "
        "its local government see the personal fields with a `purpose` (why they look), "
        "written to the audit log. Null when there is no such request."
    )
    async def service_request(
        self, info: Info, tracking_number: str, purpose: str | None = None
    ) -> ServiceRequest | None:
        number = normal_tracking_number(tracking_number)
        if number is None:
            return None
        record = await request_store(info.context).by_tracking_number(number)
        if record is None:
            return None
        stated = None
        if purpose is not None:
            try:
                stated = check_purpose(purpose)
            except PublicError:
                # Staff must fix it; anyone else's purpose only goes with their refusal.
                if info.context.principal.is_staff_of(record.municipality_id):
                    raise
        return ServiceRequest.of(record, purpose=stated)

    @strawberry.field(
        description="The signed-in citizen's own requests, newest first (`first` of them, "
        "after `offset`). Null with UNAUTHENTICATED when nobody is signed in.",
        directives=[paged(50)],
    )
    async def my_service_requests(
        self, info: Info, first: int | None = 50, offset: int | None = 0
    ) -> list[ServiceRequest] | None:
        page = Page.of(50 if first is None else first, offset or 0)
        assert page is not None  # `first` is given
        subject = data_subject_of(info.context.principal)
        if subject is None:
            raise PublicError(
                Message("schema", "Sign in to see your requests."), code="UNAUTHENTICATED"
            )
        records = await request_store(info.context).for_citizen(subject)
        return [ServiceRequest.of(record) for record in page.slice(records)]

    @strawberry.field(
        description="A local government's requests, oldest first: for its agents and "
        "supervisors. `olderThanDays` keeps those submitted at least that many days ago; "
        "`overdueOnly` those past their expected date and still open. Anyone else gets "
        "null and FORBIDDEN (audited when signed in).",
        permission_classes=[IsQueueStaff],
        directives=[paged(50)],
    )
    async def service_request_queue(
        self,
        info: Info,
        municipality_id: strawberry.ID,
        status: list[RequestStatus] | None = None,
        service_id: str | None = None,
        overdue_only: bool | None = False,
        older_than_days: int | None = None,
        first: int | None = 50,
        offset: int | None = 0,
    ) -> list[ServiceRequest] | None:
        first = 50 if first is None else first
        offset = offset or 0
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise bad_argument("first", first_out_of_range(MAX_PAGE_SIZE))
        if offset < 0:
            raise bad_argument("offset", NEGATIVE_OFFSET)
        if older_than_days is not None and not 0 <= older_than_days <= MAX_AGE_DAYS:
            raise bad_argument(
                "olderThanDays",
                Message(
                    "schema",
                    "'olderThanDays' must be between 0 and %(maximum)s.",
                    {"maximum": MAX_AGE_DAYS},
                ),
            )
        if first == 0:
            return []
        records = await request_store(info.context).queue(
            str(municipality_id),
            statuses=[s.stored for s in status or ()],
            service_id=service_id,
            submitted_before=None
            if older_than_days is None
            else dt.datetime.now(dt.UTC) - dt.timedelta(days=older_than_days),
            overdue_on=dominican_today() if overdue_only else None,
            limit=first,
            offset=offset,
        )
        return [ServiceRequest.of(record) for record in records]

    @strawberry.field(
        description="Public counts of requests per status, of one local government or of "
        "the whole hub (null for an unknown id). Requests whose citizen had their data "
        "erased still count."
    )
    async def request_statistics(
        self, info: Info, municipality_id: strawberry.ID | None = None
    ) -> RequestStatistics | None:
        wanted = None if municipality_id is None else str(municipality_id)
        if wanted is not None and info.context.federation.get(wanted) is None:
            return None
        counts = await request_store(info.context).counts(wanted)
        by_status = [
            RequestStatusCount(status=RequestStatus.of(status), count=n)
            for status, n in counts.items()
        ]
        return RequestStatistics(
            municipality_id=None if wanted is None else strawberry.ID(wanted),
            total=sum(counts.values()),
            by_status=by_status,
        )


def forms_of(info: Info) -> RequestForms:
    return info.context.request_forms or RequestForms.empty()
