"""The release package each pilot publishes, over the real app, on the demo's systems."""

from __future__ import annotations

import json

import httpx
import pytest
import yaml

from gateway.hub import Hub
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.procurement.ocds_validation import problems

PUBLISHING = sorted(
    path.stem
    for path in DEMO_MUNICIPALITIES_DIR.glob("*.yaml")
    if "procurement" in (yaml.safe_load(path.read_text(encoding="utf-8")).get("bindings") or {})
)


def test_pilots_publish_from_their_own_system_and_from_the_dgcp() -> None:
    assert {"la-vega", "santo-domingo-este"} <= set(PUBLISHING)


@pytest.mark.parametrize("municipality", PUBLISHING)
async def test_the_package_validates_against_ocds_1_1(
    client: httpx.AsyncClient, municipality: str
) -> None:
    response = await client.get(f"/datos/contrataciones/{municipality}.json")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    package = json.loads(response.content)
    assert problems(package) == []
    assert package["version"] == "1.1"
    assert package["uri"] == f"http://testserver/datos/contrataciones/{municipality}.json"
    assert package["publicationPolicy"] == "http://testserver/datos/contrataciones"
    assert set(package["publisher"]) == {"name", "scheme", "uid"}
    assert package["releases"], "a pilot that binds procurement publishes processes"
    assert response.headers["x-processes-left-out"] == "0"
    for release in package["releases"]:
        assert release["ocid"].startswith("ocds-6550wx-")
        assert release["initiationType"] == "tender"
        assert release["language"] == "es"
        buyers = [p for p in release["parties"] if "buyer" in p["roles"]]
        assert [b["id"] for b in buyers] == [f"DO-UC-{package['publisher']['uid']}"]
        assert release["buyer"]["id"] == buyers[0]["id"]
        for award in release.get("awards", []):
            for supplier in award["suppliers"]:
                assert supplier["id"].startswith("DO-RPE-")
                party = next(p for p in release["parties"] if p["id"] == supplier["id"])
                assert party["identifier"]["scheme"] == "DO-RPE"
                assert party["roles"] == ["supplier"]


async def test_la_vega_from_its_sql_database(client: httpx.AsyncClient) -> None:
    package = (await client.get("/datos/contrataciones/la-vega.json")).json()
    by_ocid = {r["ocid"]: r for r in package["releases"]}
    bridge = by_ocid["ocds-6550wx-ALV-CCC-LPN-2025-0004"]
    assert bridge["tag"] == ["tender", "award", "contract"]
    assert bridge["tender"]["procurementMethod"] == "open"
    assert bridge["tender"]["mainProcurementCategory"] == "works"
    assert bridge["tender"]["status"] == "complete"
    assert bridge["tender"]["tenderPeriod"] == {
        "startDate": "2025-05-12T00:00:00-04:00",
        "endDate": "2025-06-16T00:00:00-04:00",
    }
    assert bridge["awards"][0]["suppliers"] == [
        {"id": "DO-RPE-40517", "name": "Ingeniería Cibao, S.A."}
    ]
    assert bridge["contracts"][0]["value"] == {"amount": 28500000.0, "currency": "DOP"}
    assert bridge["contracts"][0]["awardID"] == bridge["awards"][0]["id"]
    open_one = by_ocid["ocds-6550wx-ALV-DAF-CM-2026-0011"]
    assert open_one["tag"] == ["tender"]
    assert "awards" not in open_one
    assert package["publisher"] == {"name": "La Vega", "scheme": "DO-UC", "uid": "3301"}


async def test_santo_domingo_este_from_the_dgcp_package(client: httpx.AsyncClient) -> None:
    package = (await client.get("/datos/contrataciones/santo-domingo-este.json")).json()
    ocids = [r["ocid"] for r in package["releases"]]
    # Only its buyer's releases; one per process, the latest (the award of 2025-0004).
    assert sorted(ocids) == [
        "ocds-6550wx-ASDE-CCC-LPN-2024-0012",
        "ocds-6550wx-ASDE-CCC-LPN-2025-0004",
        "ocds-6550wx-ASDE-DAF-CP-2026-0031",
    ]
    villa = next(r for r in package["releases"] if r["ocid"].endswith("2025-0004"))
    assert villa["awards"][0]["value"]["amount"] == 18325400.5
    assert villa["awards"][0]["suppliers"][0]["id"] == "DO-RPE-30912"


async def test_unknown_or_unbound_municipality_is_404(client: httpx.AsyncClient) -> None:
    for municipality in ("atlantis", "jarabacoa"):
        response = await client.get(
            f"/datos/contrataciones/{municipality}.json", headers={"Accept-Language": "en"}
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_PUBLISHED"
        assert "does not publish" in response.json()["error"]["message"]


async def test_the_index_lists_every_package(client: httpx.AsyncClient, hub: Hub) -> None:
    index = (await client.get("/datos/contrataciones")).json()
    assert [p["municipality"] for p in index["packages"]] == PUBLISHING
    assert index["publicationPolicy"]


PROCUREMENT = """
query($id: ID!) {
  municipality(id: $id) {
    procurement {
      ocid code title status method category date
      value { amount currency }
      buyer { id name }
      supplier { id name }
      awards { id status value { amount } suppliers { id } }
      contracts { id awardId status value { amount currency } }
    }
  }
}
"""


async def test_graphql_shows_the_same_releases(client: httpx.AsyncClient) -> None:
    answer = (
        await client.post("/graphql", json={"query": PROCUREMENT, "variables": {"id": "la-vega"}})
    ).json()
    assert "errors" not in answer, answer
    processes = answer["data"]["municipality"]["procurement"]
    bridge = next(p for p in processes if p["code"] == "ALV-CCC-LPN-2025-0004")
    assert bridge["ocid"] == "ocds-6550wx-ALV-CCC-LPN-2025-0004"
    assert bridge["buyer"] == {"id": "DO-UC-3301", "name": "La Vega"}
    assert bridge["supplier"] == {"id": "DO-RPE-40517", "name": "Ingeniería Cibao, S.A."}
    assert bridge["contracts"] == [
        {
            "id": "ALV-CCC-LPN-2025-0004-1",
            "awardId": "ALV-CCC-LPN-2025-0004-1",
            "status": "active",
            "value": {"amount": "28500000.00", "currency": "DOP"},
        }
    ]
    unbound = (
        await client.post("/graphql", json={"query": PROCUREMENT, "variables": {"id": "jarabacoa"}})
    ).json()
    assert unbound == {"data": {"municipality": {"procurement": None}}}


async def test_graphql_pages_and_searches_latest_first(client: httpx.AsyncClient) -> None:
    query = """
    query($s: String, $f: Int) {
      municipality(id: "la-vega") { procurement(search: $s, first: $f) { code date } }
    }
    """
    everything = (await client.post("/graphql", json={"query": query})).json()
    codes = [p["code"] for p in everything["data"]["municipality"]["procurement"]]
    dates = [p["date"] for p in everything["data"]["municipality"]["procurement"]]
    assert dates == sorted(dates, reverse=True)
    first = (await client.post("/graphql", json={"query": query, "variables": {"f": 2}})).json()
    assert [p["code"] for p in first["data"]["municipality"]["procurement"]] == codes[:2]
    found = (
        await client.post("/graphql", json={"query": query, "variables": {"s": "PUENTE"}})
    ).json()
    assert [p["code"] for p in found["data"]["municipality"]["procurement"]] == [
        "ALV-CCC-LPN-2025-0004"
    ]
