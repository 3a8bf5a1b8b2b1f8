"""Circuit breaker and retry for reads from a municipality's source."""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.errors import TransientError
from words import N_

T = TypeVar("T")


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(TransientError):
    code = "UPSTREAM_CIRCUIT_OPEN"
    default_message = N_(
        "The municipality's system is out of service; it will be tried again in a few seconds."
    )


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `reset_seconds` lets one call try.

    While open, calls fail at once instead of waiting for a timeout, so a dead system
    costs the citizen nothing and is not hammered while it recovers.
    """

    def __init__(
        self, threshold: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at >= self.reset_seconds:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def allow(self) -> bool:
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._trial_running = False


async def retry_transient(
    call: Callable[[], Awaitable[T]], retries: int, backoff_seconds: float
) -> T:
    """Retry a read on `TransientError`; the caller bounds the total time with a timeout."""
    attempt = 0
    while True:
        try:
            return await call()
        except TransientError:
            if attempt >= retries:
                raise
            await asyncio.sleep(backoff_seconds * (2**attempt))
            attempt += 1
