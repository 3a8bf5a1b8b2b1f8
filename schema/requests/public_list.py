"""A local government's requests as anyone may list them (Open311 `GET requests`).

The list holds the same `ServiceRequest` objects as tracking by number: the public fields
(service, status, dates, public notes) for anyone, the personal ones guarded as always
(null and FORBIDDEN for anyone who may not read them). A caller that only wants the
public view asks only the public fields.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.context import Info
from schema.errors import bad_argument
from schema.paging import MAX_PAGE_SIZE, NEGATIVE_OFFSET, first_out_of_range, paged
from schema.requests.access import request_store
from schema.requests.types import RequestStatus, ServiceRequest
from words import Message

#: At most this many services in one `serviceIds` filter.
MAX_SERVICE_FILTER = 50


def _aware(value: dt.datetime, argument: str) -> dt.datetime:
    if value.tzinfo is None:
        raise bad_argument(
            argument,
            Message(
                "schema",
                "'%(argument)s' must carry the time zone (for example -04:00).",
                {"argument": argument},
            ),
        )
    return value.astimezone(dt.UTC)


@strawberry.type
class PublicRequestQueries:
    @strawberry.field(
        description="A local government's requests, newest first, as anyone may see them: "
        "service, status, dates and public notes (the personal fields stay guarded as in "
        "`serviceRequest`). `submittedFrom` is inclusive, `submittedTo` exclusive; "
        "`serviceIds` keeps requests for any of those services (ids within the "
        "municipality). Null for an unknown municipality.",
        directives=[paged(50)],
    )
    async def public_service_requests(
        self,
        info: Info,
        municipality_id: strawberry.ID,
        service_ids: list[str] | None = None,
        status: list[RequestStatus] | None = None,
        submitted_from: dt.datetime | None = None,
        submitted_to: dt.datetime | None = None,
        first: int | None = 50,
        offset: int | None = 0,
    ) -> list[ServiceRequest] | None:
        first = 50 if first is None else first
        offset = offset or 0
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise bad_argument("first", first_out_of_range(MAX_PAGE_SIZE))
        if offset < 0:
            raise bad_argument("offset", NEGATIVE_OFFSET)
        services = [s.strip() for s in service_ids or () if s.strip()]
        if len(services) > MAX_SERVICE_FILTER:
            raise bad_argument(
                "serviceIds",
                Message(
                    "schema",
                    "Give at most %(maximum)s services at a time.",
                    {"maximum": MAX_SERVICE_FILTER},
                ),
            )
        after = None if submitted_from is None else _aware(submitted_from, "submittedFrom")
        before = None if submitted_to is None else _aware(submitted_to, "submittedTo")
        wanted = str(municipality_id)
        if info.context.federation.get(wanted) is None:
            return None
        prefix = f"{wanted}:"
        local = [s[len(prefix) :] if s.startswith(prefix) else s for s in services]
        if first == 0:
            return []
        records = await request_store(info.context).queue(
            wanted,
            statuses=[s.stored for s in status or ()],
            service_ids=local,
            submitted_after=after,
            submitted_before=before,
            limit=first,
            offset=offset,
            newest_first=True,
        )
        return [ServiceRequest.of(record) for record in records]
