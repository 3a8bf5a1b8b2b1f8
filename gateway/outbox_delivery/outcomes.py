"""What delivering one outbox item (or reading statuses back) came to, short of success."""

from __future__ import annotations

__all__ = ["GiveUp", "Retry"]


class Retry(Exception):
    """Not delivered now; try again after a backoff. `code` says why (no personal data);
    `detail` is the connector's internal message, for operators' logs."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class GiveUp(Exception):
    """Cannot be delivered as it is: kept as FAILED for a person to look at. `reason` is
    what the municipality's system said when it refused it (free of personal data)."""

    def __init__(self, code: str, detail: str = "", reason: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.reason = reason
