"""One call per source per GraphQL level, and a failed source only nulls its own part."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import strawberry
import yaml

from connectors import Binding, Capability, Connector, Federation, Record, TransientError
from schema import HubContext
from tests.fixtures import MUNICIPALITIES_DIR, demo_federation

SECOND_SOURCE = ("cabarete", "manabao", "veron-punta-cana")


@pytest.fixture
async def two_source_federation(tmp_path: Path) -> AsyncIterator[Federation]:
    """The juntas read from a second source (a differently configured hub store)."""
    directory = tmp_path / "municipalities"
    shutil.copytree(MUNICIPALITIES_DIR, directory)
    for municipality_id in SECOND_SOURCE:
        path = directory / f"{municipality_id}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["sources"]["hub"]["timeout_seconds"] = 3
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    federation = await demo_federation(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", directory)
    yield federation
    await federation.close()


class CallLog:
    def __init__(self, federation: Federation) -> None:
        self.calls: list[tuple[int, list[str]]] = []
        for index, connector in enumerate(federation.connectors):
            self._spy(index, connector)

    def _spy(self, index: int, connector: Connector) -> None:
        real = connector.list_for

        async def list_for(binding: Binding, ids: Sequence[str]) -> list[list[Record]]:
            self.calls.append((index, list(ids)))
            return await real(binding, ids)

        connector.list_for = list_for  # type: ignore[method-assign]


QUERY = "{ municipalities { id services { id name } } }"


async def test_ten_municipalities_with_services_cost_one_call_per_source(
    two_source_federation: Federation, hub_schema: strawberry.Schema
) -> None:
    assert len(two_source_federation.connectors) == 2
    log = CallLog(two_source_federation)
    result = await hub_schema.execute(QUERY, context_value=HubContext.create(two_source_federation))
    assert result.errors is None
    assert all(m["services"] for m in result.data["municipalities"])
    assert sorted(index for index, _ in log.calls) == [0, 1], "one call per source"
    assert sorted(len(ids) for _, ids in log.calls) == [3, 7]


async def test_all_on_one_store_is_a_single_call(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    log = CallLog(federation)
    result = await hub_schema.execute(QUERY, context_value=HubContext.create(federation))
    assert result.errors is None
    assert len(log.calls) == 1 and len(log.calls[0][1]) == 10


async def test_failed_source_nulls_only_its_municipalities(
    two_source_federation: Federation, hub_schema: strawberry.Schema
) -> None:
    served = two_source_federation.binding("cabarete", Capability.SERVICES)
    assert served is not None
    failing = served[0]

    async def down(binding: Binding, ids: Sequence[str]) -> Any:
        raise TransientError("connection refused by 10.0.0.7:5432")

    failing.list_for = down  # type: ignore[method-assign]
    context = HubContext.create(two_source_federation)
    result = await hub_schema.execute(QUERY, context_value=context)
    by_id = {m["id"]: m for m in result.data["municipalities"]}
    assert len(by_id) == 10
    for municipality_id, municipality in by_id.items():
        if municipality_id in SECOND_SOURCE:
            assert municipality["services"] is None
        else:
            assert municipality["services"], municipality_id
    errors = result.errors or []
    assert sorted(e.extensions["municipality"] for e in errors) == sorted(SECOND_SOURCE)
    for error in errors:
        assert error.extensions["code"] == "UPSTREAM_UNAVAILABLE"
        assert error.extensions["source"] == "hub"
        assert "10.0.0.7" not in error.message and "no está disponible" in error.message

    across = await hub_schema.execute(
        '{ services(search: "licencia") { id } }',
        context_value=HubContext.create(two_source_federation),
    )
    assert across.data["services"], "the other municipalities still answer"
    assert {e.extensions["municipality"] for e in across.errors or []} == set(SECOND_SOURCE)
    assert all(e.path == ["services"] for e in across.errors or [])
