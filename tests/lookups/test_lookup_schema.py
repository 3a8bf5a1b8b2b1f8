"""`serviceRequest` and `serviceRequests` find a request wherever it lives: the hub's
store, SIGEM's register (Santo Domingo Este's counter), GESMUN's archive (San Francisco de
Macorís), with one call per source per level, in the order asked."""

from __future__ import annotations

from typing import Any

from demo.systems import DemoSystems
from schema.principal import ANONYMOUS
from tests.requests.support import ANA, CARMEN, MARIA, Env

LIST = """
query Track($numbers: [String!]!) {
  serviceRequests(trackingNumbers: $numbers) {
    trackingNumber status serviceId serviceName submittedAt updatedAt
    history { status at note }
    municipality { id }
  }
}
"""
ONE = """
query One($number: String!) {
  serviceRequest(trackingNumber: $number) { trackingNumber status description address }
}
"""


def numbers_of(result: Any) -> list[str | None]:
    return [None if r is None else r["trackingNumber"] for r in result.data["serviceRequests"]]


async def test_the_list_answers_in_the_order_asked_with_null_for_unknown_numbers(
    env: Env, systems: DemoSystems
) -> None:
    hub = (await env.submit(MARIA))["request"]["trackingNumber"]
    asked = [
        "SOL-2023-0097",  # GESMUN's archive (San Francisco de Macorís)
        "SGM-2026-99999",  # SIGEM's pattern, not in SIGEM
        hub,  # the hub's own store
        " sgm-2026-00041 ",  # SIGEM's counter (Santo Domingo Este)
        "12345",  # no one's number
        "SOL-2023-0112",
    ]
    before = systems.sigem.calls["ConsultarSolicitudes"]
    result = await env.run(LIST, ANONYMOUS, numbers=asked)
    assert result.errors is None, result.errors
    assert numbers_of(result) == [
        "SOL-2023-0097",
        None,
        hub,
        "SGM-2026-00041",
        None,
        "SOL-2023-0112",
    ]
    # One call to SIGEM for the whole level.
    assert systems.sigem.calls["ConsultarSolicitudes"] - before == 1
    items = result.data["serviceRequests"]
    archive, counter = items[0], items[3]
    assert archive["municipality"]["id"] == "san-francisco-de-macoris"
    assert archive["status"] == "RESUELTA"
    assert archive["serviceId"] == "licencia-construccion"
    assert archive["serviceName"] == "Licencia de construcción"  # from the catalogue
    assert archive["submittedAt"].startswith("2023-03-14T04:00:00")
    assert [h["status"] for h in archive["history"]] == ["RECIBIDA", "RESUELTA"]
    assert archive["history"][1]["note"] == "Licencia entregada."
    assert counter["municipality"]["id"] == "santo-domingo-este"
    assert counter["status"] == "EN_PROCESO"
    assert items[5]["status"] == "RECHAZADA"


async def test_service_request_finds_a_counter_filed_request(env: Env) -> None:
    result = await env.run(
        "query($n: String!) { serviceRequest(trackingNumber: $n) { trackingNumber status "
        "deliveredToMunicipality history { note } } }",
        ANONYMOUS,
        n="SGM-2026-00057",
    )
    assert result.errors is None, result.errors
    found = result.data["serviceRequest"]
    assert found["status"] == "RESUELTA"
    assert found["deliveredToMunicipality"] is True
    assert found["history"][-1]["note"].startswith("Certificado listo")


async def test_a_number_no_pattern_matches_asks_no_source(env: Env, systems: DemoSystems) -> None:
    before = dict(systems.sigem.calls)
    result = await env.run(ONE, ANONYMOUS, number="ABC-123-XYZ")
    assert result.errors is None and result.data["serviceRequest"] is None
    assert systems.sigem.calls.get("ConsultarSolicitudes", 0) == before.get(
        "ConsultarSolicitudes", 0
    )


async def test_anonymous_and_other_staff_see_no_personal_data_of_an_external_request(
    env: Env,
) -> None:
    for principal in (ANONYMOUS, CARMEN):
        result = await env.run(ONE, principal, number="SGM-2026-00041")
        found = result.data["serviceRequest"]
        assert found["trackingNumber"] == "SGM-2026-00041"
        assert found["description"] is None and found["address"] is None
        refused = {(e.extensions or {}).get("code") for e in result.errors or []}
        assert refused & {"FORBIDDEN", "UNAUTHENTICATED"}, result.errors
    # Its own staff see that the hub holds nothing personal for it.
    result = await env.run(
        'query { serviceRequest(trackingNumber: "SGM-2026-00041", purpose: "Atender la '
        'consulta del ciudadano en ventanilla") { description } }',
        ANA,
    )
    assert result.data["serviceRequest"]["description"] is None


async def test_a_failed_source_is_a_partial_error_at_its_index(
    env: Env, systems: DemoSystems
) -> None:
    systems.sigem.pause()
    try:
        result = await env.run(LIST, ANONYMOUS, numbers=["SGM-2026-00041", "SOL-2023-0097"])
    finally:
        systems.sigem.resume()
    assert numbers_of(result) == [None, "SOL-2023-0097"]
    assert result.errors is not None and len(result.errors) == 1
    error = result.errors[0]
    assert error.path == ["serviceRequests", 0]
    assert error.extensions["municipality"] == "santo-domingo-este"
    assert error.extensions["source"] == "sigem"


async def test_more_than_100_numbers_is_bad_user_input(env: Env) -> None:
    result = await env.run(LIST, ANONYMOUS, numbers=[f"SOL-2023-{n:04d}" for n in range(101)])
    assert result.data is None or result.data.get("serviceRequests") is None
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert result.errors[0].extensions["argument"] == "trackingNumbers"
