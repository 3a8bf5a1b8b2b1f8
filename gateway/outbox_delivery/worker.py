"""The delivery worker: works the hub's outbox until every item is delivered.

Every hub process runs one (started in the app's lifespan). It loops: claim the due items
(leased to this worker; several processes and hosts share the outbox safely), deliver
each, then record the outcome:

- delivered: the item is completed; a request is marked delivered in the same
  transaction;
- the municipality's system or the mail server is down, slow or refusing for now: the
  item is released with a backoff and tried again (nothing is lost);
- it can never succeed as it is (the municipality's system cannot map the request, a
  mail server refuses the address for good): the item is kept as FAILED for a person.

Delivery to a municipality's system is exactly once: the tracking number is the key the
upstream sees, and an item that was claimed before (a worker died, a reply was lost) is
looked up upstream (`find_request`) before it is sent again.

A submit in this process wakes the worker at once (`wake()`); otherwise it looks at the
outbox every `poll_seconds`. Every `status_poll_seconds` it reads back, from each
municipality's system, the status of the requests delivered there and still open.

Logs name outbox items by id, kind and municipality, and errors by code: never a
person's data, an address or a message's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    MappingError,
    RequestRefused,
    UpstreamTimeout,
)
from connectors.federation import Federation, RequestDestination
from connectors.resilience import CircuitOpen
from connectors.writes import DeliveryReceipt, OutgoingRequest
from gateway import metrics
from gateway.outbox_delivery.emails import Mailer, PermanentMailError, TransientMailError, compose
from gateway.outbox_delivery.outcomes import GiveUp, Retry
from gateway.outbox_delivery.read_back import StatusReadBack
from gateway.outbox_delivery.settings import DeliverySettings, SmtpSettings
from gateway.settings import public_base_url
from store.citizens import CitizenStore
from store.outbox import Outbox, OutboxItem, OutboxKind, OutboxState
from store.requests import (
    DeliveryState,
    RequestNotFound,
    RequestStore,
    ServiceRequest,
)

if TYPE_CHECKING:
    from gateway.hub import Hub

__all__ = ["DeliveryWorker", "GiveUp", "Retry", "running_worker", "worker_id"]

log = logging.getLogger("planasmun.delivery")

T = TypeVar("T")

#: How often the outbox's gauges are refreshed (seconds).
GAUGE_SECONDS = 5.0


def worker_id() -> str:
    """Unique per process (and per restart): the host, the process id and a random part."""
    host = socket.gethostname()[:30] or "hub"
    return f"{host}:{os.getpid()}:{secrets.token_hex(4)}"


class DeliveryWorker:
    """One per process; `start()` it once the hub is started, `stop()` before closing."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        requests: RequestStore,
        citizens: CitizenStore,
        federation: Federation,
        settings: DeliverySettings,
        smtp: SmtpSettings,
        public_base_url: str,
        changed: Callable[[str], None] | None = None,
        worker: str | None = None,
    ) -> None:
        self.outbox = outbox
        self.requests = requests
        self.citizens = citizens
        self.federation = federation
        self.settings = settings
        self.smtp = smtp
        self.public_base_url = public_base_url
        self.mailer = Mailer(smtp) if smtp.enabled else None
        self.worker = worker or worker_id()
        self._changed = changed
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._next_status_poll = 0.0
        self._next_gauges = 0.0
        self._gauged: set[tuple[str, str, str]] = set()
        self.status_read_back = StatusReadBack(requests, self._guarded)

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name=f"delivery-{self.worker}")

    def wake(self, tracking_number: str | None = None) -> None:
        """Something was committed (a submit, a status change): look at the outbox now."""
        self._wake.set()

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Let the current batch finish (briefly), then end. Items still leased when the
        process ends come back to the pool when their lease expires."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        log.info(
            "delivery worker %s started (e-mail %s)",
            self.worker,
            "on" if self.mailer is not None else "off: e-mails wait in the outbox",
        )
        while not self._stopping:
            handled = 0
            try:
                handled = await self.run_once()
                if self._stopping:
                    break
                now = time.monotonic()
                if now >= self._next_status_poll:
                    self._next_status_poll = now + self.settings.status_poll_seconds
                    await self.read_back()
                if now >= self._next_gauges:
                    self._next_gauges = now + GAUGE_SECONDS
                    await self.refresh_gauges()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The hub store may be briefly unavailable; the message could quote values.
                log.error("delivery loop: %s; retrying", type(exc).__name__)
            if handled >= self.settings.batch_size or self._stopping:
                continue  # more may be due at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
            self._wake.clear()
        log.info("delivery worker %s stopped", self.worker)

    # -- the outbox -----------------------------------------------------------------

    def kinds(self) -> tuple[OutboxKind, ...]:
        """What this worker can deliver: e-mails only with a mail server configured."""
        if self.mailer is None:
            return (OutboxKind.DELIVER_REQUEST,)
        return (OutboxKind.DELIVER_REQUEST, OutboxKind.EMAIL)

    async def run_once(self) -> int:
        """Claim one batch of due items and deliver them; how many were claimed."""
        items = await self.outbox.claim(
            self.worker,
            kinds=self.kinds(),
            limit=self.settings.batch_size,
            lease_seconds=self.settings.lease_seconds,
        )
        if not items:
            return 0
        limit = asyncio.Semaphore(self.settings.concurrency)

        async def one(item: OutboxItem) -> None:
            async with limit:
                await self.handle(item)

        outcomes = await asyncio.gather(*(one(item) for item in items), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, asyncio.CancelledError):
                raise outcome
            if isinstance(outcome, BaseException):
                # Recording the outcome failed (the hub store?): the lease runs out and
                # the item is tried again. Only the type: messages may quote values.
                log.error("delivery: recording an outcome failed: %s", type(outcome).__name__)
        return len(items)

    async def handle(self, item: OutboxItem) -> None:
        """Deliver one claimed item and record the outcome."""
        kind = item.kind.value
        try:
            if item.kind is OutboxKind.DELIVER_REQUEST:
                await self._deliver_request(item)
            elif item.kind is OutboxKind.EMAIL:
                await self._send_email(item)
            else:  # pragma: no cover - a kind added without a handler
                raise GiveUp("UNKNOWN_KIND")
        except Retry as retry:
            when = await self.outbox.retry_later(item, retry.code)
            metrics.outbox_outcome(kind, item.municipality_id, "retried")
            log.info(
                "outbox item %s (%s, %s) not delivered: %s; next attempt at %s",
                item.id,
                kind,
                item.municipality_id,
                retry.code,
                when.isoformat(timespec="seconds"),
            )
        except GiveUp as give_up:
            await self._give_up(item, give_up)
            metrics.outbox_outcome(kind, item.municipality_id, "failed")
            log.warning(
                "outbox item %s (%s, %s) failed for good: %s%s; kept for a person to review",
                item.id,
                kind,
                item.municipality_id,
                give_up.code,
                f" ({give_up.detail})" if give_up.detail else "",
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Unexpected: retried with backoff; only the type is logged (the message of,
            # say, a database error can quote the values it was given).
            await self.outbox.retry_later(item, "INTERNAL_ERROR")
            metrics.outbox_outcome(kind, item.municipality_id, "retried")
            log.error(
                "outbox item %s (%s, %s): unexpected %s; will retry",
                item.id,
                kind,
                item.municipality_id,
                type(exc).__name__,
            )

    async def _give_up(self, item: OutboxItem, give_up: GiveUp) -> None:
        """Keep the item as FAILED; a request the municipality's system refused is marked
        so, with what the system said, and its citizen is e-mailed, all in one commit."""
        refused = item.kind is OutboxKind.DELIVER_REQUEST and give_up.code == RequestRefused.code
        if not refused or item.request_id is None:
            await self.outbox.fail(item, give_up.code)
            return
        async with self.requests.engine.begin() as connection:
            failed = await self.outbox.fail(
                item, give_up.code, reason=give_up.reason, connection=connection
            )
            if failed:
                await self.requests.mark_refused(
                    item.request_id, give_up.reason, connection=connection
                )
        if failed:
            numbers = await self.requests.tracking_numbers([item.request_id])
            number = numbers.get(item.request_id)
            if number is not None and self._changed is not None:
                self._changed(number)  # the tracking page and subscription say so
            self._wake.set()  # the citizen's e-mail is due

    async def _complete(self, item: OutboxItem) -> None:
        if not await self.outbox.complete(item.id, self.worker):
            log.info("outbox item %s was taken over by another worker", item.id)
        metrics.outbox_outcome(item.kind.value, item.municipality_id, "delivered")

    # -- requests to the municipality's system ------------------------------------

    def writer_for(self, municipality_id: str) -> RequestDestination | None:
        """Where a municipality's requests go; None when the hub store holds them.
        Raises `GiveUp` when its binding's connector cannot hold requests."""
        try:
            return self.federation.request_writer(municipality_id)
        except ConnectorConfigError as error:
            raise GiveUp(error.code) from None

    async def _deliver_request(self, item: OutboxItem) -> None:
        if item.request_id is None:
            raise GiveUp("NO_REQUEST")
        try:
            request = await self.requests.by_id(item.request_id)
        except RequestNotFound:
            raise GiveUp("REQUEST_NOT_FOUND") from None
        if request.delivery not in (DeliveryState.PENDING, DeliveryState.REFUSED):
            await self._complete(item)  # delivered already, or the hub holds it
            return
        if request.erased:
            # The citizen cancelled their data before it left the hub: nothing to send.
            await self._complete(item)
            return
        target = self.writer_for(request.municipality_id)
        if target is None:
            raise GiveUp("NO_REQUEST_WRITER")
        receipt: DeliveryReceipt | None = None
        if item.may_have_arrived:
            # An earlier attempt may have reached the upstream (its reply lost, or this
            # process died before recording it): ask before sending again.
            receipt = await self._guarded(
                target,
                lambda: target.writer.find_request(target.binding, request.tracking_number),
            )
        if receipt is None:
            outgoing = await self._outgoing(request)
            receipt = await self._guarded(
                target, lambda: target.writer.submit_request(target.binding, outgoing)
            )
        async with self.requests.engine.begin() as connection:
            await self.requests.mark_delivered(
                request.id, receipt.upstream_ref, connection=connection
            )
            completed = await self.outbox.complete(item.id, self.worker, connection=connection)
        metrics.outbox_outcome(item.kind.value, item.municipality_id, "delivered")
        if not completed:
            log.info("outbox item %s was taken over by another worker", item.id)
        if self._changed is not None:
            self._changed(request.tracking_number)
        if item.attempts > 1:
            # The system is back: its other waiting requests need not sit out their backoff.
            await self.outbox.expedite(OutboxKind.DELIVER_REQUEST, item.municipality_id)

    async def _outgoing(self, request: ServiceRequest) -> OutgoingRequest:
        profile = (
            await self.citizens.profile(request.citizen_subject)
            if request.citizen_subject is not None
            else None
        )
        return OutgoingRequest(
            tracking_number=request.tracking_number,
            municipality_id=request.municipality_id,
            service_id=request.service_id,
            submitted_at=request.submitted_at,
            description=request.description or "",
            address=request.address,
            latitude=request.latitude,
            longitude=request.longitude,
            answers=dict(request.answers),
            citizen_name=None if profile is None else profile.name,
            citizen_cedula=None if profile is None else profile.cedula,
            citizen_phone=None if profile is None else profile.phone,
            citizen_email=None if profile is None else profile.email,
        )

    async def _guarded(self, target: RequestDestination, call: Callable[[], Awaitable[T]]) -> T:
        """One call to the municipality's system, bounded by the source's timeout and
        skipped while its circuit is open (as reads are); errors become Retry/GiveUp."""
        connector, binding, health = target.connector, target.binding, target.health
        source = f"{binding.municipality_id}/{binding.config.source}"
        if not health.breaker.allow():
            raise Retry(CircuitOpen.code)
        try:
            try:
                async with asyncio.timeout(connector.timeout_seconds):
                    result = await call()
            except TimeoutError:
                raise UpstreamTimeout(
                    f"{source}: no answer in {connector.timeout_seconds}s"
                ) from None
        except RequestRefused as error:
            # The system answered, and said no to this request: it is up, not failing.
            health.record_success()
            raise GiveUp(error.code, error.internal_message, error.reason) from None
        except MappingError as error:
            health.record_failure(error)
            raise GiveUp(error.code, error.internal_message) from None
        except ConnectorError as error:
            health.record_failure(error)
            raise Retry(error.code, error.internal_message) from None
        health.record_success()
        return result

    # -- status read-back ---------------------------------------------------------

    async def read_back(self) -> int:
        """Apply the status changes made in the municipalities' systems; how many
        (`gateway.outbox_delivery.read_back`)."""
        changed = 0
        for municipality_id in sorted(self.federation.municipalities):
            try:
                target = self.writer_for(municipality_id)
            except GiveUp as problem:
                self.status_read_back.failed(municipality_id, problem)
                continue
            if target is not None:
                changed += await self.status_read_back.municipality(municipality_id, target)
        return changed

    # -- e-mail ---------------------------------------------------------------------

    async def _send_email(self, item: OutboxItem) -> None:
        if self.mailer is None:
            raise Retry("SMTP_NOT_CONFIGURED")
        if item.request_id is None:
            raise GiveUp("NO_REQUEST")
        try:
            request = await self.requests.by_id(item.request_id)
        except RequestNotFound:
            raise GiveUp("REQUEST_NOT_FOUND") from None
        # The address is read now, never kept in the outbox: a citizen who removed it, or
        # cancelled their data, gets nothing.
        profile = (
            await self.citizens.profile(request.citizen_subject)
            if request.citizen_subject is not None
            else None
        )
        recipient = None if profile is None else profile.email
        if not recipient:
            await self._complete(item)
            return
        try:
            message = compose(item, request, recipient, self.smtp, self.public_base_url)
        except (KeyError, ValueError):
            raise GiveUp("EMAIL_TEMPLATE_UNKNOWN") from None
        try:
            await self.mailer.send(message)
        except TransientMailError as error:
            raise Retry(error.code) from None
        except PermanentMailError as error:
            raise GiveUp(error.code) from None
        await self._complete(item)

    # -- metrics --------------------------------------------------------------------

    async def refresh_gauges(self) -> None:
        counts = await self.outbox.counts()
        seen: set[tuple[str, str, str]] = set()
        for (state, kind, municipality_id), count in counts.items():
            if state is OutboxState.DONE:
                continue
            key = (state.value, kind.value, municipality_id)
            seen.add(key)
            metrics.outbox_gauge(*key, count)
        for key in self._gauged - seen:
            metrics.outbox_gauge(*key, 0)
        self._gauged |= seen


@contextlib.asynccontextmanager
async def running_worker(hub: Hub) -> AsyncIterator[DeliveryWorker | None]:
    """The started hub's delivery worker, running while the context is open (the app's
    lifespan); None when the settings turn delivery off."""
    settings = hub.settings
    if not settings.delivery.enabled:
        yield None
        return
    worker = DeliveryWorker(
        outbox=Outbox(
            hub.store,
            first_backoff_seconds=settings.delivery.first_backoff_seconds,
            max_backoff_seconds=settings.delivery.max_backoff_seconds,
        ),
        requests=hub.requests,
        citizens=hub.citizens,
        federation=hub.federation,
        settings=settings.delivery,
        smtp=settings.smtp,
        public_base_url=public_base_url(settings),
        changed=hub.requests.announce,
    )
    hub.request_listeners.append(worker.wake)
    worker.start()
    try:
        yield worker
    finally:
        hub.request_listeners.remove(worker.wake)
        await worker.stop()
