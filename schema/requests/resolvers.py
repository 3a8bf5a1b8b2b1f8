"""Root fields: tracking by number (anyone), the caller's own requests, a municipality's
queue (its staff), public counts; and a service's request fields."""

from __future__ import annotations

import datetime as dt
import re

import strawberry
from graphql import GraphQLError

from schema.context import Info
from schema.errors import PublicError, SourceFailure, bad_argument
from schema.paging import (
    MAX_PAGE_SIZE,
    NEGATIVE_OFFSET,
    Page,
    first_out_of_range,
    list_size,
    paged,
)
from schema.partial import add_partial_failure
from schema.personal import IsStaffOf, check_purpose, data_subject_of
from schema.principal import StaffRole
from schema.requests.access import request_store
from schema.requests.external import find_requests, trackable_number
from schema.requests.forms import RequestForms
from schema.requests.types import (
    RequestStatistics,
    RequestStatus,
    RequestStatusCount,
    ServiceRequest,
    dominican_today,
)
from store.requests import ServiceRequest as StoredRequest
from words import Message

#: `SDE-2026-000123`; case and spaces around it do not matter. Only the hub's own numbers
#: (live updates follow them); `serviceRequest` also takes the numbers of the
#: municipalities' own systems (`schema.requests.external.trackable_number`).
TRACKING_NUMBER = re.compile(r"[A-Z]{2,4}-\d{4}-\d{6,}")
MAX_AGE_DAYS = 3650
#: `serviceRequests` takes at most this many numbers.
MAX_TRACKING_NUMBERS = 100


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
        description="A request by its tracking number, wherever it lives: the hub's own "
        "requests first, then the local governments' own systems (a request filed at the "
        "counter, an older one in a legacy database), in their declared order. Anyone sees "
        "the service, status, dates and public notes; the citizen who submitted it through "
        "the hub sees everything; staff of its local government see the personal fields "
        "with a `purpose` (why they look), written to the audit log. A request found in a "
        "local government's system has no personal fields here. Null when there is no "
        "such request, or (with an error) when the system that may hold it did not answer."
    )
    async def service_request(
        self, info: Info, tracking_number: str, purpose: str | None = None
    ) -> ServiceRequest | None:
        number = trackable_number(info.context.federation, tracking_number)
        if number is None:
            return None
        found = (await find_requests(info, [number]))[number]
        if isinstance(found, SourceFailure):
            add_partial_failure(info, found)
            return None
        if found is None:
            return None
        return _shown(info, found, purpose)

    @strawberry.field(
        description="Several requests by tracking number (at most 100), in the order "
        "asked: null for a number no one holds, or (with an error at its index) whose "
        "system did not answer. Found and shown as `serviceRequest` finds and shows one, "
        "with one call per source for all the numbers.",
        directives=[list_size(MAX_TRACKING_NUMBERS, slicing=("trackingNumbers",))],
    )
    async def service_requests(
        self, info: Info, tracking_numbers: list[str], purpose: str | None = None
    ) -> list[ServiceRequest | None]:
        if len(tracking_numbers) > MAX_TRACKING_NUMBERS:
            raise bad_argument(
                "trackingNumbers",
                Message(
                    "schema",
                    "Ask for at most %(maximum)s tracking numbers at a time.",
                    {"maximum": MAX_TRACKING_NUMBERS},
                ),
            )
        federation = info.context.federation
        numbers = [trackable_number(federation, n) for n in tracking_numbers]
        found = await find_requests(info, [n for n in numbers if n is not None])
        shown: list[ServiceRequest | None] = []
        for index, number in enumerate(numbers):
            item = None if number is None else found.get(number)
            if isinstance(item, SourceFailure):
                info.context.partial_errors.append(
                    GraphQLError(
                        item.message,
                        path=[*info.path.as_list(), index],
                        original_error=item,
                        extensions=item.extensions,
                    )
                )
                item = None
            shown.append(None if item is None else _shown(info, item, purpose))
        return shown

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


def _shown(info: Info, record: StoredRequest, purpose: str | None) -> ServiceRequest:
    """The request with the caller's stated purpose (checked for its staff only)."""
    stated = None
    if purpose is not None:
        try:
            stated = check_purpose(purpose)
        except PublicError:
            # Staff must fix it; anyone else's purpose only goes with their refusal.
            if info.context.principal.is_staff_of(record.municipality_id):
                raise
    return ServiceRequest.of(record, purpose=stated)


def forms_of(info: Info) -> RequestForms:
    return info.context.request_forms or RequestForms.empty()
