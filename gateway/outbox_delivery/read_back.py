"""Status read-back: the changes made in a municipality's system, brought to the hub.

Every `status_poll_seconds` the delivery worker asks each municipality's system about
its delivered requests still open, all of them, a page at a time: by the hub's tracking
numbers, or by the system's own references for them (the `upstream_ref` its submit
operation returned), as the binding's `status.by` says. The writer splits each page into
calls of the binding's `status.max_batch`. A change is applied as the system's
(`changed_by="upstream"`), which e-mails the citizen and wakes the tracking page and the
`requestStatusChanged` subscription.

A read-back that fails says so once, with why and what to do, at WARNING; while the same
problem lasts it is repeated at DEBUG only, and at WARNING again every
`REMIND_SECONDS`; when it works again, that is said once at INFO. Logs name the
municipality, the error code and the connector's internal message (operations, hosts,
tracking numbers), never a person's data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from connectors.batching import in_batches
from connectors.errors import MappingError, TransientError, UpstreamError, UpstreamTimeout
from connectors.federation import RequestDestination
from connectors.resilience import CircuitOpen
from connectors.writes import UpstreamStatus
from gateway.outbox_delivery.outcomes import GiveUp, Retry
from store.requests import InvalidTransition, RequestNotFound, RequestStatus, RequestStore

__all__ = ["PAGE", "REMIND_SECONDS", "STATUS_BATCH", "StatusReadBack"]

log = logging.getLogger("planasmun.delivery")

#: Open requests read from the hub store at a time.
PAGE = 500
#: Tracking numbers handed to the writer in one go (it splits them by `max_batch`).
STATUS_BATCH = 100
#: How often a problem that lasts is said again at WARNING (seconds).
REMIND_SECONDS = 3600.0

#: The system is not answering: later pages would fail alike, so the round stops.
_UNREACHABLE = frozenset({TransientError.code, UpstreamTimeout.code, CircuitOpen.code})
_WHAT_TO_DO = {
    TransientError.code: "its system is not answering; read-back resumes when it does",
    UpstreamTimeout.code: "its system is too slow to answer; read-back resumes when it is not",
    CircuitOpen.code: "its system failed repeatedly and is rested; read-back resumes after",
    MappingError.code: "the reply does not fit the binding: add the code to `status.map`, "
    "or correct the `status` field names",
    UpstreamError.code: "the status operation answered with an error: check the binding's "
    "`status` (operation, `by`, `reference_field`, `max_batch` if it takes fewer keys a call)",
}
_CHECK_BINDING = "check the municipality's `requests` binding (planasmun check-config --probe)"

#: One call of the writer's `request_statuses`, bounded and guarded by the worker.
Guarded = Callable[
    [RequestDestination, Callable[[], Awaitable[list[UpstreamStatus]]]],
    Awaitable[list[UpstreamStatus]],
]


class StatusReadBack:
    """The worker's read-back: `municipality()` once per poll for each municipality."""

    def __init__(
        self,
        requests: RequestStore,
        guarded: Guarded,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.requests = requests
        self._guarded = guarded
        self._clock = clock
        #: municipality → (what was said, when it was last said at WARNING).
        self._problems: dict[str, tuple[str, float]] = {}

    async def municipality(self, municipality_id: str, target: RequestDestination) -> int:
        """Read back one municipality's open requests; how many changed. Problems are
        logged (see the module), never raised."""
        changed = 0
        problem: Retry | GiveUp | None = None
        after: str | None = None
        while True:
            page = await self.requests.delivered_open(municipality_id, after=after, limit=PAGE)
            if not page:
                break
            after = page[-1][0]
            for batch in in_batches(page, STATUS_BATCH):
                try:
                    changed += await self._batch(municipality_id, target, batch)
                except (Retry, GiveUp) as failed:
                    problem = failed
                    if failed.code in _UNREACHABLE:
                        break
            if problem is not None and problem.code in _UNREACHABLE:
                break
            if len(page) < PAGE:
                break
        if problem is None:
            self.recovered(municipality_id)
        else:
            self.failed(municipality_id, problem)
        return changed

    async def _batch(
        self,
        municipality_id: str,
        target: RequestDestination,
        batch: Sequence[tuple[str, str | None]],
    ) -> int:
        numbers = [number for number, _ in batch]
        references: Mapping[str, str] = {n: ref for n, ref in batch if ref}
        statuses = await self._guarded(
            target,
            lambda: target.writer.request_statuses(target.binding, numbers, references),
        )
        wanted = set(numbers)
        changed = 0
        for upstream in statuses:
            if upstream.tracking_number in wanted and await self._apply(municipality_id, upstream):
                changed += 1
        return changed

    async def _apply(self, municipality_id: str, upstream: UpstreamStatus) -> bool:
        try:
            status = RequestStatus(upstream.status)
        except ValueError:
            log.warning(
                "status read-back of %s: a status the hub does not know (%s)",
                municipality_id,
                MappingError.code,
            )
            return False
        try:
            before = await self.requests.by_tracking_number(upstream.tracking_number)
            if before is None or before.status is status:
                return False
            await self.requests.change_status(
                upstream.tracking_number,
                status,
                note=upstream.note,
                changed_by="upstream",
                strict=False,
                at=upstream.changed_at,
            )
        except (RequestNotFound, InvalidTransition):
            return False  # erased meanwhile, or changed by someone else just now
        return True

    # -- saying what went wrong, once -------------------------------------------------

    def failed(self, municipality_id: str, problem: Retry | GiveUp) -> None:
        """Log a failed read-back: at WARNING when new (or every `REMIND_SECONDS`)."""
        detail = problem.detail or "no detail"
        what_to_do = _WHAT_TO_DO.get(problem.code, _CHECK_BINDING)
        said = f"{problem.code}: {detail}"
        now = self._clock()
        before = self._problems.get(municipality_id)
        if before is not None and before[0] == said and now - before[1] < REMIND_SECONDS:
            log.debug("status read-back of %s still failing: %s", municipality_id, said)
            return
        self._problems[municipality_id] = (said, now)
        log.warning(
            "status read-back of %s failed: %s; %s. Statuses changed in its system reach "
            "citizens once this is fixed; said again only if it changes or lasts an hour",
            municipality_id,
            said,
            what_to_do,
        )

    def recovered(self, municipality_id: str) -> None:
        if self._problems.pop(municipality_id, None) is not None:
            log.info("status read-back of %s works again", municipality_id)
