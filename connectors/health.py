"""What the hub last saw of each source: its circuit breaker, its state, its last error."""

from __future__ import annotations

import dataclasses
import datetime as dt

from connectors.errors import ConnectorError, MappingError
from connectors.resilience import CircuitBreaker, CircuitState
from connectors.types import SourceStatus

__all__ = ["SourceHealth"]


@dataclasses.dataclass(slots=True)
class SourceHealth:
    """What the hub last saw of a source, from reads and from `check()`.

    `message` is internal (operators' logs); it is never shown to the public.
    """

    breaker: CircuitBreaker
    observed: SourceStatus = SourceStatus.UNKNOWN
    message: str = ""
    checked_at: dt.datetime | None = None
    last_error_at: dt.datetime | None = None

    @property
    def status(self) -> SourceStatus:
        if self.breaker.state is CircuitState.OPEN:
            return SourceStatus.CIRCUIT_OPEN
        return self.observed

    def record_success(self) -> None:
        self.breaker.record_success()
        self.observed = SourceStatus.OK

    def record_failure(self, error: ConnectorError) -> None:
        self.last_error_at = dt.datetime.now(dt.UTC)
        self.message = error.internal_message
        if isinstance(error, MappingError):
            # The system answered; its data is wrong. Not a reason to stop calling it.
            self.breaker.record_success()
            self.observed = SourceStatus.DEGRADED
            return
        self.breaker.record_failure()
        self.observed = SourceStatus.DEGRADED
