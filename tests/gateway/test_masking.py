"""Internal errors reach clients as one plain-Spanish sentence, never as internals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from connectors import Binding, Capability, Federation
from gateway.limits import MASKED_MESSAGE
from schema import HubContext


async def test_unexpected_errors_are_masked(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    served = federation.binding("santiago", Capability.SERVICES)
    assert served is not None

    async def broken(binding: Binding, ids: Sequence[str]) -> Any:
        raise RuntimeError("psycopg: password authentication failed for user admin at 10.1.2.3")

    served[0].list_for = broken  # type: ignore[method-assign]
    result = await hub_schema.execute(
        '{ municipality(id: "santiago") { name services { id } } }',
        context_value=HubContext.create(federation),
    )
    assert result.data == {"municipality": {"name": "Santiago de los Caballeros", "services": None}}
    assert result.errors is not None
    formatted = [e.formatted for e in result.errors]
    assert formatted[0]["message"] == MASKED_MESSAGE
    assert "10.1.2.3" not in str(formatted) and "psycopg" not in str(formatted)
