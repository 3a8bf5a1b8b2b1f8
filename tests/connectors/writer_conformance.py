"""The suite every kind that writes requests inherits (`connectors.writes.RequestWriter`).

A test module subclasses `RequestWriterConformance` and provides these fixtures:

- `connector`: a writer connected to a real upstream;
- `binding`: its `requests` binding;
- `new_request`: a callable giving a fresh `OutgoingRequest` (a new tracking number each
  call; keyword arguments change its fields);
- `upstream_numbers`: an async callable reading the tracking numbers the upstream holds,
  from the upstream's own state (its database), never from the hub.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

from connectors import Binding
from connectors.writes import OutgoingRequest, RequestWriter

NewRequest = Callable[..., OutgoingRequest]
UpstreamNumbers = Callable[[], Awaitable[list[str]]]


class RequestWriterConformance:
    async def test_find_returns_the_request_and_none_for_an_unknown_number(
        self, connector: RequestWriter, binding: Binding, new_request: NewRequest
    ) -> None:
        request = new_request()
        assert await connector.find_request(binding, request.tracking_number) is None
        receipt = await connector.submit_request(binding, request)
        assert receipt.tracking_number == request.tracking_number
        assert await connector.find_request(binding, request.tracking_number) == receipt

    async def test_the_same_tracking_number_twice_is_one_record(
        self,
        connector: RequestWriter,
        binding: Binding,
        new_request: NewRequest,
        upstream_numbers: UpstreamNumbers,
    ) -> None:
        """A retried delivery (the reply was lost) lands once, even when retries race."""
        request = new_request()
        first = await connector.submit_request(binding, request)
        again = await connector.submit_request(
            binding, dataclasses.replace(request, description="otra vez")
        )
        concurrent = await asyncio.gather(
            *(connector.submit_request(binding, request) for _ in range(5))
        )
        assert {first, again, *concurrent} == {first}
        assert (await upstream_numbers()).count(request.tracking_number) == 1

    async def test_statuses_of_unknown_numbers_are_left_out(
        self, connector: RequestWriter, binding: Binding, new_request: NewRequest
    ) -> None:
        held = new_request()
        await connector.submit_request(binding, held)
        found = await connector.request_statuses(
            binding, [held.tracking_number, new_request().tracking_number]
        )
        assert [s.tracking_number for s in found] == [held.tracking_number]
        assert found[0].status == "RECIBIDA"
