"""Live updates: a small publish/subscribe bus for service requests' changes.

The schema depends on this protocol only; the gateway provides an implementation (in
this process, or Redis pub/sub shared by every worker and host, `gateway.events`) and
carries it in `HubContext.events`. Messages hold tracking numbers only, never anything
about the citizen: a subscriber reads the request again (through the schema's checks).

A change to a request is also a change to its local government's figures: the bus tells
the subscribers of `figures_topic(short code)` too, the short code being the first part
of the tracking number (`SDE-2026-000123`), unique to each government.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Protocol

__all__ = ["RequestEvents", "figures_topic", "figures_topic_of"]

_TRACKING = re.compile(r"^([A-Z]{2,4})-\d{4}-\d+$")


def figures_topic(short_code: str) -> str:
    """What subscribers of a local government's figures listen to (no ":" is in a
    tracking number, so no request's own topic is ever the same)."""
    return f"figures:{short_code}"


def figures_topic_of(tracking_number: str) -> str | None:
    """The figures topic a change to this request concerns; None for anything else."""
    match = _TRACKING.match(tracking_number)
    return None if match is None else figures_topic(match.group(1))


class RequestEvents(Protocol):
    async def publish(self, tracking_number: str) -> None:
        """Tell every subscriber of `tracking_number` that the request changed."""
        ...

    def subscribe(self, tracking_number: str) -> AsyncIterator[str]:
        """Yields `tracking_number` once as soon as it is listening (so that the caller
        reads the current state without missing a change made meanwhile), then once after
        each change. Closing the iterator (`aclose`) stops listening."""
        ...
