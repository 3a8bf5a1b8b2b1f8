"""The GraphQL endpoint over real HTTP and WebSocket, against the hub under uvicorn."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry.http
import websockets
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from accessibility import Language
from gateway.graphql_app import GRAPHQL_DOMAIN, MESSAGES, PROBLEMS
from web.i18n import read_catalogue

QUERY = "{ municipalities { id oneCode name kind province } }"
MUNICIPALITIES = [
    {"id": i}
    for i in (
        "cabarete",
        "higuey",
        "jarabacoa",
        "la-vega",
        "manabao",
        "puerto-plata",
        "san-francisco-de-macoris",
        "santiago",
        "santo-domingo-este",
        "veron-punta-cana",
    )
]


def _post(base: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=10)


def test_post_lists_the_ten_governments(live_hub: str) -> None:
    response = _post(live_hub, {"query": QUERY})
    assert response.status_code == 200
    municipalities = response.json()["data"]["municipalities"]
    assert len(municipalities) == 10
    assert [m["kind"] for m in municipalities].count("AYUNTAMIENTO") == 7
    assert [m["kind"] for m in municipalities].count("JUNTA_DISTRITO") == 3


def test_get_runs_queries_per_graphql_over_http(live_hub: str) -> None:
    response = httpx.get(
        f"{live_hub}/graphql",
        params={
            "query": "query($id: ID!) { municipality(id: $id) { name } }",
            "variables": json.dumps({"id": "higuey"}),
        },
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"municipality": {"name": "Higüey"}}


def test_bad_json_is_a_clear_400(live_hub: str) -> None:
    bad = httpx.post(
        f"{live_hub}/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    assert "Traceback" not in bad.text


def _nested(depth: int) -> str:
    query = "id"
    for _ in range(depth):
        query = f"services {{ municipality {{ {query} }} }}"
    return "{ municipalities { " + query + " } }"


def test_too_deep_query_is_a_graphql_error_not_a_500(live_hub: str) -> None:
    response = _post(live_hub, {"query": _nested(8)})
    assert response.status_code == 200
    body = response.json()
    assert body.get("data") is None
    (error,) = body["errors"]
    assert "exceeds the maximum operation depth of 10" in error["message"]
    assert error["message"].startswith("La consulta tiene 18 niveles de profundidad")
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_too_many_aliases_is_a_graphql_error(live_hub: str) -> None:
    aliases = " ".join(f"a{i}: municipalities {{ id }}" for i in range(40))
    body = _post(live_hub, {"query": "{ " + aliases + " }"}).json()
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["message"].startswith("La consulta usa 40 alias; el máximo es 15.")
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"


def test_too_many_tokens_is_a_graphql_error(live_hub: str) -> None:
    fields = " ".join(["id"] * 3000)
    body = _post(live_hub, {"query": "{ municipalities { " + fields + " } }"}).json()
    assert body.get("data") is None
    assert "token" in body["errors"][0]["message"].lower()


def test_health_and_readiness(live_hub: str) -> None:
    assert httpx.get(f"{live_hub}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{live_hub}/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and body["municipalities"] == 10
    assert {s["connector"] for s in body["sources"]} == {
        "native",
        "soap",
        "sql",
        "rest",
        "spreadsheet",
        "ocds",
    }
    assert {s["municipality"] for s in body["sources"]} == {m["id"] for m in MUNICIPALITIES}
    assert {s["status"] for s in body["sources"]} == {"ok"}


def test_security_headers_on_every_response(live_hub: str) -> None:
    for path in ("/healthz", "/graphql"):
        headers = httpx.get(f"{live_hub}{path}", headers={"accept": "text/html"}).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


async def test_websocket_graphql_transport_ws(live_hub: str) -> None:
    url = live_hub.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["type"] == "next" and message["id"] == "1"
        assert len(message["payload"]["data"]["municipalities"]) == 10
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "complete"


@pytest.mark.parametrize("path", ["/graphql", "/readyz"])
def test_unknown_methods_are_refused(live_hub: str, path: str) -> None:
    assert httpx.delete(f"{live_hub}{path}").status_code == 405


def test_metrics_count_upstream_calls_by_source(live_hub: str) -> None:
    query = '{ municipality(id: "santiago") { services { id } } } # metrics'
    assert _post(live_hub, {"query": query}).status_code == 200
    text = httpx.get(f"{live_hub}/metrics").text
    assert "# TYPE planasmun_upstream_calls_total counter" in text
    assert (
        'planasmun_upstream_calls_total{connector="soap",municipality="santiago",source="munisoft"}'
        in text
    )


def test_depth_counts_through_fragments_and_ignores_introspection(live_hub: str) -> None:
    fragment = (
        "fragment M on Municipality { services(first: 1) { municipality { services(first: 1) "
        "{ municipality { services(first: 1) { id } } } } } }"
    )
    shallow = "{ municipalities { ...M } } " + fragment
    assert "errors" not in _post(live_hub, {"query": shallow}).json()
    deep = (
        "{ municipalities { services { municipality { services { municipality { ...M } } } } } } "
    )
    body = _post(live_hub, {"query": deep + fragment}).json()
    assert body["errors"][0]["message"].startswith("La consulta tiene 11 niveles")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    levels = ["__schema", "types", "fields", "type", *["ofType"] * 7]
    introspection = "{ " + " { ".join(levels) + " { name" + " }" * (len(levels) + 1)
    assert "errors" not in _post(live_hub, {"query": introspection}).json()


GRAPHQL_RESPONSE = "application/graphql-response+json"


def test_graphql_response_json_is_accepted_and_answered_in_it(live_hub: str) -> None:
    response = _post(live_hub, {"query": "{ __typename }"}, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json() == {"data": {"__typename": "Query"}}
    # Preferred when both are accepted; plain JSON when the client asks for JSON first.
    both = _post(live_hub, {"query": "{ __typename }"}, accept=f"{GRAPHQL_RESPONSE}, */*")
    assert both.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    json_first = _post(
        live_hub, {"query": "{ __typename }"}, accept=f"application/json, {GRAPHQL_RESPONSE};q=0.5"
    )
    assert json_first.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ({"query": "{"}, "parse"),
        ({"query": "{ noSuchField }"}, "validation"),
        ({"query": "query($id: ID!) { municipality(id: $id) { name } }"}, "coercion"),
    ],
)
def test_a_request_error_is_400_without_data_under_graphql_response_json(
    live_hub: str, body: dict[str, str], what: str
) -> None:
    strict = _post(live_hub, body, accept=GRAPHQL_RESPONSE)
    assert strict.status_code == 400, what
    assert strict.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in strict.json()
    assert strict.json()["errors"]
    # The traditional media type keeps 200 for a well-formed request, as the spec says.
    legacy = _post(live_hub, body, accept="application/json")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")


def test_a_field_error_keeps_200_and_data_under_graphql_response_json(live_hub: str) -> None:
    response = _post(
        live_hub,
        {"query": '{ serviceRequest(trackingNumber: "X") { status } }'},
        accept=GRAPHQL_RESPONSE,
    )
    body = response.json()
    assert response.status_code == 200, body
    assert "data" in body


@pytest.mark.parametrize("parameter", ["variables", "extensions"])
@pytest.mark.parametrize("value", ["string", 0, False, ["array"]])
def test_variables_and_extensions_of_the_wrong_json_type_are_400(
    live_hub: str, parameter: str, value: object
) -> None:
    # Twice: the first valid answer must not be replayed from the response cache.
    for _ in range(2):
        assert _post(live_hub, {"query": "{ __typename }"}).status_code == 200
        response = _post(live_hub, {"query": "{ __typename }", parameter: value})
        assert response.status_code == 400, response.text


def _assert_hub_error(response: httpx.Response, code: str) -> dict[str, Any]:
    """A refusal in the hub's shape: one GraphQL error, Spanish (English), a code."""
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    extensions = error["extensions"]
    assert extensions["code"] == code
    assert error["message"] == f"{extensions['es']} ({extensions['en']})"
    assert extensions["es"] != extensions["en"]
    return dict(extensions)


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "INVALID_JSON"),
        (
            b'{"query": "{ __typename }", "variables": "{}"}',
            "application/json",
            400,
            "INVALID_PARAMETER",
        ),
        (
            b'{"query": "{ __typename }", "extensions": []}',
            "application/json",
            400,
            "INVALID_PARAMETER",
        ),
        (b'{"query": 1}', "application/json", 400, "INVALID_PARAMETER"),
        (b"{}", "application/json", 400, "MISSING_QUERY"),
        (
            b'{"query": "query A { __typename }", "operationName": "B"}',
            "application/json",
            400,
            "UNKNOWN_OPERATION",
        ),
        (b"<query/>", "application/xml", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
def test_a_request_strawberry_refuses_is_answered_as_a_hub_error(
    live_hub: str, content: bytes, content_type: str, status: int, code: str, accept: str
) -> None:
    response = httpx.post(
        f"{live_hub}/graphql",
        content=content,
        headers={"content-type": content_type, "accept": accept},
        timeout=10,
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(accept)
    extensions = _assert_hub_error(response, code)
    if code == "INVALID_PARAMETER":
        assert extensions["parameter"] in extensions["en"]


def test_a_mutation_over_get_is_405_and_runs_nothing(live_hub: str) -> None:
    response = httpx.get(
        f"{live_hub}/graphql",
        params={"query": "mutation { anything }"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    _assert_hub_error(response, "MUTATION_OVER_GET")


def test_answers_vary_on_accept(live_hub: str) -> None:
    page = httpx.get(f"{live_hub}/graphql", headers={"accept": "text/html"})
    answer = httpx.get(
        f"{live_hub}/graphql",
        params={"query": "{ __typename }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    for response in (page, answer, _post(live_hub, {"query": "{ __typename }"})):
        assert "accept" in response.headers["vary"].lower()
    assert answer.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize("language", Language)
def test_the_graphql_catalogue_holds_exactly_the_refusals_in_use(language: Language) -> None:
    catalogue = read_catalogue(language, GRAPHQL_DOMAIN)
    assert not catalogue.fuzzy
    held = {m.id: m.string for m in catalogue if m.id}
    assert set(held) == set(MESSAGES)
    for message_id, text in held.items():
        assert isinstance(text, str) and text.strip(), message_id
        assert (text == message_id) is (language is Language.ENGLISH), message_id
    assert [(m.id, errors) for m, errors in catalogue.check()] == []


def test_every_refusal_named_is_one_strawberry_makes() -> None:
    """A Strawberry upgrade that rewords a refusal fails here, not silently in production."""
    package = Path(strawberry.http.__file__).parent
    source = "".join(path.read_text() for path in package.glob("*.py"))
    source += CannotGetOperationTypeError(None).as_http_error_reason()
    source += CannotGetOperationTypeError("X").as_http_error_reason()
    source += InvalidOperationTypeError(OperationType.MUTATION).as_http_error_reason("GET")
    missing = [reason for reason in PROBLEMS if reason not in source]
    assert missing == []
    assert 'Unknown operation named "X".' in source
