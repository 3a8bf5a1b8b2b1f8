"""Type aliases and small value types shared by every connector."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

#: A record as a connector returns it: schema field names (snake_case) to values.
Record = Mapping[str, Any]

#: Identifies one record across the federation: (municipality id, the record's id in its source).
RecordKey = tuple[str, str]


class Capability(enum.StrEnum):
    """What a municipality can bind to a source (design.md, "The connector contract")."""

    SERVICES = "services"
    DEPARTMENTS = "departments"
    REQUESTS = "requests"
    BUDGET = "budget"
    WORKS = "works"
    PROCUREMENT = "procurement"
    TRANSACTIONS = "transactions"
    CONSULTATIONS = "consultations"
    SUGGESTIONS = "suggestions"
    HELPDESK = "helpdesk"


class SourceStatus(enum.StrEnum):
    """Health of one source as the hub last saw it."""

    UNKNOWN = "unknown"
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"
    CIRCUIT_OPEN = "circuit_open"


def freeze(record: Mapping[str, Any]) -> dict[str, Any]:
    """Copy a record so that callers cannot mutate a connector's cached rows."""
    return dict(record)
