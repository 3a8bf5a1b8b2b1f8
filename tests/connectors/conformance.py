"""The conformance suite every connector kind inherits (cf. Airbyte's SourceTestSuiteBase).

A kind's test module subclasses `ConnectorConformance` and provides these fixtures:

- `connector`: a working connector holding demo data;
- `binding`: a `Binding` it serves;
- `known_keys`: at least three `RecordKey`s the source holds;
- `known_municipalities`: municipality ids with at least one record each;
- `broken_connector`: the same kind pointed at a source that cannot be reached.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from connectors import (
    Binding,
    Connector,
    ConnectorError,
    HealthReport,
    NotFoundError,
    RecordKey,
    TransientError,
    UpstreamError,
)


class ConnectorConformance:
    async def test_declares_kind_models_and_capabilities(self, connector: Connector) -> None:
        assert connector.kind and connector.kind.isidentifier()
        assert connector.capabilities, "a connector must serve at least one capability"
        assert connector.config_model.model_fields["connector"]

    def test_config_model_rejects_unknown_keys(self, connector: Connector) -> None:
        data: dict[str, Any] = connector.config.model_dump()
        data["definitely_not_a_key"] = 1
        with pytest.raises(ValidationError, match="definitely_not_a_key"):
            connector.config_model.model_validate(data)

    async def test_check_reports_ok(self, connector: Connector) -> None:
        report = await connector.check()
        assert isinstance(report, HealthReport)
        assert report.ok, report.message

    async def test_fetch_many_keeps_key_order(
        self, connector: Connector, binding: Binding, known_keys: list[RecordKey]
    ) -> None:
        forward = await connector.fetch_many(binding, known_keys)
        backward = await connector.fetch_many(binding, list(reversed(known_keys)))
        assert [(r["municipality_id"], r["id"]) for r in forward if r] == known_keys
        assert [(r["municipality_id"], r["id"]) for r in backward if r] == known_keys[::-1]

    async def test_missing_keys_are_none_in_place(
        self, connector: Connector, binding: Binding, known_keys: list[RecordKey]
    ) -> None:
        keys = [
            known_keys[0],
            ("no-such-municipality", "x"),
            known_keys[1],
            (known_keys[0][0], "nope"),
        ]
        found = await connector.fetch_many(binding, keys)
        assert len(found) == 4
        assert found[1] is None and found[3] is None
        assert found[0] is not None and found[0]["id"] == known_keys[0][1]
        assert found[2] is not None and found[2]["id"] == known_keys[1][1]

    async def test_repeated_keys_each_get_their_record(
        self, connector: Connector, binding: Binding, known_keys: list[RecordKey]
    ) -> None:
        key = known_keys[0]
        found = await connector.fetch_many(binding, [key, key])
        assert [r["id"] if r else None for r in found] == [key[1], key[1]]

    async def test_no_keys_no_records(self, connector: Connector, binding: Binding) -> None:
        assert await connector.fetch_many(binding, []) == []
        assert await connector.list_for(binding, []) == []

    async def test_list_for_keeps_order_and_gives_empty_lists(
        self, connector: Connector, binding: Binding, known_municipalities: list[str]
    ) -> None:
        ids = [*reversed(known_municipalities), "no-such-municipality"]
        groups = await connector.list_for(binding, ids)
        assert len(groups) == len(ids)
        assert groups[-1] == []
        for municipality_id, records in zip(ids[:-1], groups[:-1], strict=True):
            assert records, f"{municipality_id} should have records"
            assert {r["municipality_id"] for r in records} == {municipality_id}

    async def test_unreachable_source_is_reported_not_raised_by_check(
        self, broken_connector: Connector
    ) -> None:
        report = await broken_connector.check()
        assert not report.ok
        assert report.message

    async def test_unreachable_source_raises_from_the_error_tree(
        self, broken_connector: Connector, binding: Binding, known_keys: list[RecordKey]
    ) -> None:
        with pytest.raises(ConnectorError) as caught:
            await broken_connector.fetch_many(binding, known_keys)
        error = caught.value
        assert isinstance(error, TransientError | UpstreamError)
        assert not isinstance(error, NotFoundError)
        # The citizen-facing message is Spanish and carries no internals.
        assert "sqlite" not in error.user_message.lower()
        assert "Traceback" not in error.user_message
        assert error.internal_message

    async def test_close_twice_is_harmless(self, connector: Connector) -> None:
        await connector.close()
        await connector.close()
