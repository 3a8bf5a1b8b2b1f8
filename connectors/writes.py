"""The write half of the connector contract: service requests sent to a municipality's
system of record, and their status read back.

A connector kind that can hold requests (a SOAP operation, an INSERT into a legacy
database) implements `RequestWriter` and declares the binding model of its `requests`
capability with `binding_model_for`. A municipality with no `requests` binding keeps its
requests in the hub store (the `native` system of record); so does one whose data lives
in a spreadsheet, which is read-only.

Delivery is at least once from the hub's outbox, made exactly once by the tracking
number: it is the idempotency key the upstream sees, and before any retry the hub asks
`find_request` whether an earlier attempt arrived (the reply may have been lost).
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from connectors.base import Binding, HealthReport

__all__ = [
    "DeliveryReceipt",
    "OutgoingRequest",
    "RequestWriter",
    "UpstreamStatus",
]


@dataclasses.dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """A request as the municipality's system receives it.

    It carries personal data to the municipality that owns it, and to nobody else: its
    repr shows only the tracking number and the service.
    """

    tracking_number: str
    municipality_id: str
    service_id: str
    submitted_at: dt.datetime
    description: str = dataclasses.field(repr=False)
    address: str | None = dataclasses.field(default=None, repr=False)
    latitude: float | None = dataclasses.field(default=None, repr=False)
    longitude: float | None = dataclasses.field(default=None, repr=False)
    #: The service's own fields (attribute code → value).
    answers: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    #: From the citizen's profile, when they gave them.
    citizen_name: str | None = dataclasses.field(default=None, repr=False)
    citizen_cedula: str | None = dataclasses.field(default=None, repr=False)
    citizen_phone: str | None = dataclasses.field(default=None, repr=False)
    citizen_email: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """The upstream holds the request; `upstream_ref` is its own id for it."""

    tracking_number: str
    upstream_ref: str


@dataclasses.dataclass(frozen=True, slots=True)
class UpstreamStatus:
    """A request's state in the upstream, mapped onto the hub's status names."""

    tracking_number: str
    #: One of `store.requests.RequestStatus`'s values.
    status: str
    #: A public note the municipality wrote with the change (no personal data).
    note: str | None = None
    changed_at: dt.datetime | None = None


class RequestWriter(abc.ABC):
    """Mixed into a `Connector` whose kind can be a system of record for requests."""

    @abc.abstractmethod
    async def submit_request(self, binding: Binding, request: OutgoingRequest) -> DeliveryReceipt:
        """Send one request. Raises the connector error tree's errors: a `TransientError`
        (or timeout) is retried later from the outbox, anything else is reported."""

    @abc.abstractmethod
    async def find_request(self, binding: Binding, tracking_number: str) -> DeliveryReceipt | None:
        """Whether the upstream already holds this request (asked before every retry)."""

    @abc.abstractmethod
    async def request_statuses(
        self,
        binding: Binding,
        tracking_numbers: Sequence[str],
        references: Mapping[str, str] | None = None,
    ) -> list[UpstreamStatus]:
        """The upstream's current state of these requests, in as few calls as the status
        operation's `max_batch` allows; requests it does not hold are left out.

        `references` maps a tracking number to the upstream's own id for that request
        (`DeliveryReceipt.upstream_ref`): a status operation keyed by the upstream's
        reference (`status.by: reference`) is asked about those, and a number without
        one is left out. Results always name the hub's tracking number."""

    async def check_requests(self, binding: Binding) -> HealthReport:
        """Probe a `requests` binding without writing anything (`check-config --probe`):
        its operations, or its table and queries, exist upstream."""
        return HealthReport(ok=True, message="requests binding not probed by this kind")
