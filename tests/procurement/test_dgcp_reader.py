"""The `ocds` kind: the DGCP's release packages from a file and from a paginated API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors import Binding, Capability, ConnectorEnvironment, TransientError, UpstreamError
from connectors.ocds import OcdsConnector
from connectors.ocds.config import OcdsBindingConfig, OcdsSourceConfig
from demo import dgcp_api
from demo.procurement import SDE_UNIT, dgcp_package, dgcp_releases

BINDING = Binding(
    "santo-domingo-este",
    Capability.PROCUREMENT,
    OcdsBindingConfig(source="dgcp", buyer=f"DO-UC-{SDE_UNIT}"),
)


def _connector(tmp_path: Path, **source: object) -> OcdsConnector:
    environment = ConnectorEnvironment(hub_database_url="sqlite://", config_dir=tmp_path)
    return OcdsConnector(OcdsSourceConfig.model_validate(source), environment)


@pytest.fixture
def api() -> Iterator[dgcp_api.DgcpApi]:
    with dgcp_api.start(page_size=2) as running:
        yield running


async def _codes(connector: OcdsConnector) -> list[str]:
    (records,) = await connector.list_for(BINDING, ["santo-domingo-este"])
    return sorted(str(r["id"]) for r in records)


SDE_CODES = ["ASDE-CCC-LPN-2024-0012", "ASDE-CCC-LPN-2025-0004", "ASDE-DAF-CP-2026-0031"]


async def test_a_package_file_filtered_by_buyer_latest_release_kept(tmp_path: Path) -> None:
    (tmp_path / "dgcp.json").write_text(json.dumps(dgcp_package()), encoding="utf-8")
    connector = _connector(tmp_path, connector="ocds", path="dgcp.json")
    (records,) = await connector.list_for(BINDING, ["santo-domingo-este"])
    by_code = {r["id"]: r for r in records}
    assert sorted(by_code) == SDE_CODES
    villa = by_code["ASDE-CCC-LPN-2025-0004"]
    assert villa["status"] == "complete"  # the award's release, not the tender's
    assert villa["supplier_id"] == "30912"
    assert str(villa["award_value"]) == "18325400.5"
    assert villa["currency"] == "DOP"
    assert (await connector.list_for(BINDING, ["la-vega"])) == [[]]


async def test_the_api_pages_are_followed_by_links_next(
    tmp_path: Path, api: dgcp_api.DgcpApi
) -> None:
    connector = _connector(tmp_path, connector="ocds", url=api.url)
    try:
        assert await _codes(connector) == SDE_CODES
        pages = -(-len(dgcp_releases()) // 2)
        assert pages >= 3
        assert api.pages_served == pages
        assert connector.pages_read == pages
        report = await connector.check()
        assert report.ok, report.message
        assert f"DO-UC-{SDE_UNIT}" in report.details["buyers"]
    finally:
        await connector.close()


async def test_max_pages_bounds_a_pass(tmp_path: Path, api: dgcp_api.DgcpApi) -> None:
    connector = _connector(tmp_path, connector="ocds", url=api.url, max_pages=1)
    try:
        await connector.list_for(BINDING, ["santo-domingo-este"])
        assert api.pages_served == 1
    finally:
        await connector.close()


async def test_an_api_that_fails_is_a_connector_error(
    tmp_path: Path, api: dgcp_api.DgcpApi
) -> None:
    api.fail_with(503)
    connector = _connector(tmp_path, connector="ocds", url=api.url)
    try:
        with pytest.raises(UpstreamError):
            await connector.list_for(BINDING, ["santo-domingo-este"])
        assert not (await connector.check()).ok
    finally:
        await connector.close()


async def test_a_missing_file_is_transient_and_not_json_is_upstream(tmp_path: Path) -> None:
    with pytest.raises(TransientError):
        await _connector(tmp_path, connector="ocds", path="missing.json").list_for(
            BINDING, ["santo-domingo-este"]
        )
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UpstreamError):
        await _connector(tmp_path, connector="ocds", path="broken.json").list_for(
            BINDING, ["santo-domingo-este"]
        )


async def test_a_malformed_release_is_kept_as_a_problem_not_a_crash(tmp_path: Path) -> None:
    releases = dgcp_releases()
    releases[-2]["tender"]["status"] = "abierto"  # not an OCDS code
    releases.append({"ocid": "OTRO-123", "buyer": {"id": f"DO-UC-{SDE_UNIT}"}})
    (tmp_path / "dgcp.json").write_text(json.dumps(dgcp_package(releases)), encoding="utf-8")
    connector = _connector(tmp_path, connector="ocds", path="dgcp.json")
    (records,) = await connector.list_for(BINDING, ["santo-domingo-este"])
    problems = {r["id"]: r["problem"] for r in records if "problem" in r}
    assert problems == {
        "ASDE-DAF-CP-2026-0031": "a code that is not in its OCDS codelist",
        "#4": "an ocid without the Dominican prefix ocds-6550wx",
    }
    assert len(records) == 4


def test_a_source_takes_a_file_or_an_api_not_both() -> None:
    with pytest.raises(ValueError, match="one of them"):
        OcdsSourceConfig.model_validate({"connector": "ocds"})
    with pytest.raises(ValueError, match="one of them"):
        OcdsSourceConfig.model_validate(
            {"connector": "ocds", "path": "a.json", "url": "http://127.0.0.1/"}
        )
    with pytest.raises(ValueError, match="DO-UC-"):
        OcdsBindingConfig.model_validate({"source": "dgcp", "buyer": "3318"})
