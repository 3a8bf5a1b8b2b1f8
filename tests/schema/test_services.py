from __future__ import annotations

import re

import pytest

from tests.fixtures import Execute

SEARCH = """query($q: String, $m: ID) {
  services(search: $q, municipalityId: $m) { id name description } }"""


@pytest.mark.parametrize("query", ["tramite", "TRÁMITE", "Tramite no objecion"])
async def test_search_ignores_accents_and_case(execute: Execute, query: str) -> None:
    result = await execute(SEARCH, q=query)
    services = result.data["services"]
    assert sum(s["name"].startswith("Trámite de certificado de no objeción") for s in services) >= 2
    for service in services:
        text = (service["name"] + " " + service["description"]).lower()
        assert "trámite" in text, service


async def test_licencia_construccion_finds_every_ayuntamientos_licence(execute: Execute) -> None:
    result = await execute(SEARCH, q="licencia construccion")
    ids = {s["id"] for s in result.data["services"]}
    for municipality in (
        "santo-domingo-este",
        "santiago",
        "la-vega",
        "higuey",
        "san-francisco-de-macoris",
        "puerto-plata",
        "jarabacoa",
    ):
        assert f"{municipality}:licencia-construccion" in ids
    assert all(
        "Licencia de construcción" in s["name"]
        for s in result.data["services"]
        if s["id"].endswith(":licencia-construccion")
    )


async def test_search_needs_every_word(execute: Execute) -> None:
    result = await execute(SEARCH, q="licencia zzzz")
    assert result.data["services"] == []


async def test_category_filter_and_full_fields(execute: Execute) -> None:
    result = await execute(
        """{ municipality(id: "santiago") { services(category: URBANISMO) {
              id name description category requirements fee { amount currency } durationDays
              channels legalBasis municipality { id name } } } }"""
    )
    assert result.errors is None
    services = result.data["municipality"]["services"]
    assert services and {s["category"] for s in services} == {"URBANISMO"}
    licence = next(s for s in services if s["id"] == "santiago:licencia-construccion")
    assert licence["fee"]["currency"] == "DOP"
    assert re.fullmatch(r"\d+\.\d\d", licence["fee"]["amount"]), licence["fee"]
    assert licence["requirements"] and licence["channels"]
    assert licence["municipality"] == {"id": "santiago", "name": "Santiago de los Caballeros"}


async def test_service_by_id_and_bad_ids(execute: Execute) -> None:
    ok = await execute('{ service(id: "jarabacoa:licencia-construccion") { name } }')
    assert ok.data["service"]["name"].startswith("Licencia de construcción")
    missing = await execute('{ service(id: "jarabacoa:no-existe") { name } }')
    assert missing.errors is None and missing.data["service"] is None
    bad = await execute('{ service(id: "sin-separador") { name } }')
    assert bad.errors and bad.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert "municipio:servicio" in bad.errors[0].message


async def test_paging_with_first_and_offset(execute: Execute) -> None:
    query = """query($f: Int, $o: Int) { municipality(id: "santiago") {
                 services(first: $f, offset: $o) { id } } }"""
    everything = (await execute(query)).data["municipality"]["services"]
    page = (await execute(query, f=3, o=2)).data["municipality"]["services"]
    assert page == everything[2:5]
    bad = await execute(query, f=5000)
    assert bad.errors and bad.errors[0].extensions["code"] == "BAD_USER_INPUT"


def test_schema_enums_match_what_connectors_accept() -> None:
    from connectors.capabilities import CHANNELS, SERVICE_CATEGORIES
    from schema.services.types import Channel, ServiceCategory

    assert {c.value for c in ServiceCategory} == SERVICE_CATEGORIES
    assert {c.value for c in Channel} == CHANNELS
