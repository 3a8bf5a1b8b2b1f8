"""The read half of the request contract: requests a municipality's own systems hold,
looked up by tracking number (filed at the counter, in a vendor's register, in a legacy
database of older requests).

A connector kind that can look requests up implements `RequestReader` and names the
model of one lookup (`lookup_model`, a `connectors.request_lookup.RequestLookupConfig`).
A municipality declares its lookups under `bindings.request_lookups` (see
`connectors.request_lookup`); `connectors.lookups` routes numbers to them.

Only public fields cross this contract: the hub holds no citizen for such a request.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import ClassVar

from connectors.base import Binding, BindingConfig, HealthReport

__all__ = ["ExternalRequest", "RequestReader"]


@dataclasses.dataclass(frozen=True, slots=True)
class ExternalRequest:
    """A request as a municipality's system describes it: public fields only."""

    tracking_number: str
    #: The lookup's source (its name under `sources`).
    source: str
    #: One of `store.requests.RequestStatus`'s values.
    status: str
    submitted_at: dt.datetime
    changed_at: dt.datetime
    #: The municipality's public note on the current status, if any.
    note: str | None = None
    service_id: str | None = None
    service_name: str | None = None
    #: The source's own values of the status and dates as they came (field → value), so
    #: `check-config --probe` can show how they map.
    raw: Mapping[str, object] = dataclasses.field(default_factory=dict, repr=False, compare=False)


class RequestReader(abc.ABC):
    """Mixed into a `Connector` whose kind can look requests up by tracking number."""

    #: The model one `request_lookups` entry on this kind is validated against.
    lookup_model: ClassVar[type[BindingConfig]]

    @abc.abstractmethod
    async def lookup_requests(
        self, binding: Binding, numbers: Sequence[str]
    ) -> Mapping[str, ExternalRequest]:
        """The requests the upstream holds among `numbers`, by tracking number.

        Split into calls of at most the lookup's `max_batch` numbers; each reply is mapped
        back by the number it carries, never by position. Numbers the upstream does not
        hold are absent. Raises the connector error tree's errors.
        """

    async def check_lookup(self, binding: Binding) -> HealthReport:
        """Probe a lookup without reading a request (`check-config --probe`)."""
        return HealthReport(ok=True, message="request lookup not probed by this kind")
