"""Live updates: a small publish/subscribe bus for service requests' changes.

The schema depends on this protocol only; the gateway provides an implementation (in
this process, or Redis pub/sub shared by every worker and host, `gateway.events`) and
carries it in `HubContext.events`. Messages hold tracking numbers only, never anything
about the citizen: a subscriber reads the request again (through the schema's checks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

__all__ = ["RequestEvents"]


class RequestEvents(Protocol):
    async def publish(self, tracking_number: str) -> None:
        """Tell every subscriber of `tracking_number` that the request changed."""
        ...

    def subscribe(self, tracking_number: str) -> AsyncIterator[str]:
        """Yields `tracking_number` once as soon as it is listening (so that the caller
        reads the current state without missing a change made meanwhile), then once after
        each change. Closing the iterator (`aclose`) stops listening."""
        ...
