"""Where a public work stands: a vocabulary of its own, that bindings map vendors' codes onto."""

from __future__ import annotations

import enum

import strawberry

__all__ = ["WorkStatus"]


@strawberry.enum(description="Where a public work stands.")
class WorkStatus(enum.Enum):
    PLANNED = "planned"
    IN_EXECUTION = "in_execution"
    STOPPED = "stopped"
    FINISHED = "finished"
    CANCELLED = "cancelled"
