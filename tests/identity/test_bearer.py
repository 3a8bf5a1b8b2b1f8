"""Bearer tokens on the real app over HTTP: the principal, or 401 with a clear message."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.types import Message, Receive, Scope, Send

from gateway.identity import Identity, IdentityMiddleware
from tests.identity.conftest import Hub
from tests.identity.support import identity_settings

QUERY = {"query": "{ municipalities { id } }"}


@pytest.fixture
def client(hub: Hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, timeout=10) as http:
        yield http


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_makes_the_principal_with_its_roles(client: httpx.Client, hub: Hub) -> None:
    token = hub.provider.issue_access_token("pedro")
    assert client.get("/_whoami", headers=_bearer(token)).json() == {
        "subject": "demo-personal-0004",
        "name": "Pedro Antonio Jiménez",
        "kind": "staff",
        "roles": {"santo-domingo-este": ["supervisor"]},
    }
    admin = client.get("/_whoami", headers=_bearer(hub.provider.issue_access_token("luis")))
    assert admin.json()["kind"] == "national_admin"
    citizen = client.get("/_whoami", headers=_bearer(hub.provider.issue_access_token("juan")))
    assert citizen.json()["kind"] == "citizen"


def test_no_token_is_anonymous(client: httpx.Client) -> None:
    assert client.get("/_whoami").json()["kind"] == "anonymous"
    # Another scheme (API keys come in their own header) is not a bearer token.
    basic = client.get("/_whoami", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.json()["kind"] == "anonymous"


def test_graphql_answers_a_caller_with_a_valid_token(client: httpx.Client, hub: Hub) -> None:
    response = client.post(
        "/graphql", json=QUERY, headers=_bearer(hub.provider.issue_access_token("maria"))
    )
    assert response.status_code == 200
    assert {"id": "santiago"} in response.json()["data"]["municipalities"]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _foreign_key_token(hub: Hub) -> str:
    claims = json.loads(
        base64.urlsafe_b64decode(hub.provider.issue_access_token("luis").split(".")[1] + "==")
    )
    return jwt.encode(
        {"alg": "RS256", "kid": hub.provider.provider.kid}, claims, RSAKey.generate_key(2048)
    )


CASES: dict[str, tuple[Callable[[Hub], str], str]] = {
    "expired": (lambda hub: hub.provider.issue_access_token("maria", expires_in=-300), "expiró"),
    "issuer": (
        lambda hub: hub.provider.issue_access_token("maria", issuer="https://otro.example"),
        "emisor incorrecto",
    ),
    "audience": (
        lambda hub: hub.provider.issue_access_token("maria", audience="otra-api"),
        "audiencia incorrecta",
    ),
    "bad_signature": (_foreign_key_token, "firma"),
    "algorithm": (
        lambda hub: f"{_b64({'alg': 'none'})}.{_b64({'sub': 'demo-lmd-0006'})}.",
        "RS256",
    ),
    "malformed": (lambda hub: "esto-no-es-un-jwt", "JWT"),
}


@pytest.mark.parametrize("reason", list(CASES))
@pytest.mark.parametrize("path", ["/graphql", "/_whoami", "/"])
def test_a_bad_token_gets_401_naming_the_problem(
    client: httpx.Client, hub: Hub, reason: str, path: str
) -> None:
    make, spanish = CASES[reason]
    token = make(hub)
    if path == "/graphql":
        response = client.post(path, json=QUERY, headers=_bearer(token))
    else:
        response = client.get(path, headers=_bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith(
        'Bearer realm="planasmun", error="invalid_token", error_description="'
    )
    assert response.headers["cache-control"] == "no-store"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["reason"] == reason
    assert spanish in error["extensions"]["es"]
    assert error["extensions"]["en"] in response.headers["www-authenticate"]
    assert error["message"] == f"{error['extensions']['es']} ({error['extensions']['en']})"
    assert "Traceback" not in response.text
    assert token not in response.text


def test_the_english_messages_name_the_problem(client: httpx.Client, hub: Hub) -> None:
    words = {
        "expired": "expired",
        "issuer": "wrong issuer",
        "audience": "wrong audience",
        "bad_signature": "signature is not valid",
    }
    for reason, english in words.items():
        response = client.get("/_whoami", headers=_bearer(CASES[reason][0](hub)))
        assert english in response.json()["errors"][0]["extensions"]["en"]


def test_a_bad_token_is_refused_even_with_a_session(client: httpx.Client, hub: Hub) -> None:
    """No falling back to the cookie: the token was meant, and it is wrong."""
    from tests.identity.test_login import sign_in

    sign_in(client, hub, "maria")
    assert client.get("/_whoami").json()["kind"] == "citizen"
    expired = hub.provider.issue_access_token("maria", expires_in=-300)
    assert client.get("/_whoami", headers=_bearer(expired)).status_code == 401
    # And a good token wins over the session.
    carmen = client.get("/_whoami", headers=_bearer(hub.provider.issue_access_token("carmen")))
    assert carmen.json()["name"] == "Carmen Rosa Tavárez"


async def test_a_websocket_with_a_bad_token_is_closed() -> None:
    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    identity = Identity(identity_settings("http://127.0.0.1:9"), demo=True)
    middleware = IdentityMiddleware(app, identity=identity)
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    token = f"{_b64({'alg': 'none'})}.{_b64({'sub': 'x'})}."
    scope: Scope = {
        "type": "websocket",
        "path": "/graphql",
        "headers": [(b"authorization", f"Bearer {token}".encode())],
    }
    await middleware(scope, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}]
    assert reached == []
    await middleware({**scope, "headers": []}, receive, send)
    assert len(reached) == 1
    await identity.aclose()
