from __future__ import annotations

from tests.fixtures import Execute


async def test_lists_the_ten_pilot_governments(execute: Execute) -> None:
    result = await execute("{ municipalities { id oneCode name kind province } }")
    assert result.errors is None
    found = result.data["municipalities"]
    assert len(found) == 10
    assert sum(m["kind"] == "AYUNTAMIENTO" for m in found) == 7
    assert sum(m["kind"] == "JUNTA_DISTRITO" for m in found) == 3
    assert {
        "id": "manabao",
        "oneCode": "130303",
        "name": "Manabao",
        "kind": "JUNTA_DISTRITO",
        "province": "La Vega",
    } in found


async def test_filters_by_province_ignoring_accents_and_kind(execute: Execute) -> None:
    result = await execute(
        "query($p: String, $k: MunicipalityKind) { municipalities(province: $p, kind: $k) { id } }",
        p="la vega",
        k="AYUNTAMIENTO",
    )
    assert [m["id"] for m in result.data["municipalities"]] == ["jarabacoa", "la-vega"]


async def test_junta_names_its_parent_onboarded_or_not(execute: Execute) -> None:
    result = await execute(
        '{ a: municipality(id: "manabao") { parent { id name oneCode onboarded } }'
        '  b: municipality(id: "cabarete") { parent { id oneCode onboarded } }'
        '  c: municipality(id: "santiago") { parent { id } contact { email } } }'
    )
    assert result.errors is None
    assert result.data["a"]["parent"] == {
        "id": "jarabacoa",
        "name": "Jarabacoa",
        "oneCode": "1303",
        "onboarded": True,
    }
    assert result.data["b"]["parent"] == {"id": "sosua", "oneCode": "1807", "onboarded": False}
    assert result.data["c"]["parent"] is None
    assert result.data["c"]["contact"]["email"].endswith(".demo.planasmun.do")


async def test_unknown_municipality_is_null_not_an_error(execute: Execute) -> None:
    result = await execute('{ municipality(id: "atlantis") { id } }')
    assert result.errors is None
    assert result.data == {"municipality": None}


async def test_sources_show_connector_and_status(execute: Execute) -> None:
    await execute("{ __typename }")
    result = await execute(
        '{ municipality(id: "jarabacoa") { sources { name connector status } } }'
    )
    assert result.data["municipality"]["sources"] == [
        {"name": "hub", "connector": "native", "status": "UNKNOWN"}
    ]
