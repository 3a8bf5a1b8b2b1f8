"""API keys on the real app over HTTP: issued once by the national administrator, stored
hashed, scopes on the principal, refused to everyone else, revoked for good, audited."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import uuid
from collections.abc import Iterator

import httpx
import pytest

from store.audit import AuditLog
from store.store import create_engine
from tests.developers.conftest import Hub
from tests.developers.support import ISSUE, KEY_PATTERN, LIST, REVOKE, graphql, headers, issue

LUIS_SUBJECT = "demo-lmd-0006"


@pytest.fixture
def client(hub: Hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, timeout=10) as http:
        yield http


def _secret(key: str) -> str:
    # pm_<prefix>_<secret>: the base64url secret may itself contain "_".
    return key.split("_", 2)[2]


def test_the_national_admin_gets_the_key_once(client: httpx.Client, hub: Hub) -> None:
    luis = hub.token("luis")
    response = graphql(
        client,
        ISSUE,
        {
            "input": {
                "name": "  Mapa de obras  ",
                "contactEmail": "datos@periodico.example.do",
                "scopes": ["SUBMIT_OPEN311", "READ_PUBLIC", "READ_PUBLIC"],
            }
        },
        token=luis,
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    payload = response.json()["data"]["issueApiKey"]
    key = payload["key"]
    assert re.fullmatch(KEY_PATTERN, key)
    issued = payload["apiKey"]
    assert issued["name"] == "Mapa de obras"
    assert issued["prefix"] == key[:15]
    assert issued["scopes"] == ["READ_PUBLIC", "SUBMIT_OPEN311"]
    assert issued["active"] is True
    assert issued["revokedAt"] is None and issued["lastUsedAt"] is None

    listing = graphql(client, LIST, token=luis)
    assert listing.status_code == 200
    (mine,) = [k for k in listing.json()["data"]["apiKeys"] if k["id"] == issued["id"]]
    assert mine["prefix"] == key[:15]
    assert mine["contactEmail"] == "datos@periodico.example.do"
    assert _secret(key) not in listing.text
    # No field of the schema can give the key back.
    fields = graphql(client, '{ __type(name: "ApiKey") { fields { name } } }').json()
    names = {f["name"] for f in fields["data"]["__type"]["fields"]}
    assert names.isdisjoint({"key", "secret", "secretHash", "hash"})


def test_the_store_holds_no_key_only_its_prefix_and_hash(client: httpx.Client, hub: Hub) -> None:
    key = issue(client, hub.token("luis"), name="Inspección de la base")["key"]
    prefix, secret = key.split("_")[1], _secret(key)
    with sqlite3.connect(hub.database) as database:
        tables = [
            r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in database.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(cell) for cell in row)
                assert key not in text and secret not in text, f"{table} holds the key"
        stored = database.execute(
            "SELECT prefix, secret_hash FROM api_keys WHERE prefix = ?", (prefix,)
        ).fetchone()
    assert stored == (prefix, hashlib.sha256(key.encode()).hexdigest())


def test_a_request_with_the_key_gets_its_scopes(client: httpx.Client, hub: Hub) -> None:
    luis = hub.token("luis")
    issued = issue(client, luis, name="Solo lectura", scopes=("READ_PUBLIC",))
    key = issued["key"]
    alone = client.get("/_scopes", headers=headers(key=key)).json()
    assert alone == {
        "subject": f"api-key:{issued['apiKey']['id']}",
        "kind": "developer",
        "scopes": ["read_public"],
    }
    # With a bearer token too: the person stays who they are and gains the key's scopes.
    both = client.get("/_scopes", headers=headers(hub.token("maria"), key)).json()
    assert both["kind"] == "citizen" and both["scopes"] == ["read_public"]
    assert client.get("/_scopes").json()["scopes"] == []

    answer = graphql(client, "{ municipalities { id } }", key=key)
    assert answer.status_code == 200
    assert len(answer.json()["data"]["municipalities"]) == 10
    listing = graphql(client, LIST, token=luis).json()["data"]["apiKeys"]
    (mine,) = [k for k in listing if k["id"] == issued["apiKey"]["id"]]
    assert mine["lastUsedAt"] is not None


@pytest.mark.parametrize("username", ["ana", "pedro", "maria", "juan"])
def test_staff_and_citizens_cannot_manage_keys(
    client: httpx.Client, hub: Hub, username: str
) -> None:
    token = hub.token(username)
    variables = {"input": {"name": "X", "contactEmail": "x@example.do", "scopes": ["READ_PUBLIC"]}}
    for query, field, values in (
        (ISSUE, "issueApiKey", variables),
        (REVOKE, "revokeApiKey", {"id": str(uuid.uuid4())}),
        (LIST, "apiKeys", None),
    ):
        body = graphql(client, query, values, token=token).json()
        assert body["data"] == {field: None}
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["message"].startswith("Solo la administración nacional (LMD)")


def test_anonymous_callers_and_key_holders_cannot_manage_keys(
    client: httpx.Client, hub: Hub
) -> None:
    anonymous = graphql(client, LIST).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    key = issue(client, hub.token("luis"), name="Desarrollador curioso")["key"]
    developer = graphql(client, LIST, key=key).json()
    assert developer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_revoked_key_gets_401(client: httpx.Client, hub: Hub) -> None:
    luis = hub.token("luis")
    issued = issue(client, luis, name="Aplicación retirada")
    key, key_id = issued["key"], issued["apiKey"]["id"]
    assert client.get("/_scopes", headers=headers(key=key)).status_code == 200

    revoked = graphql(client, REVOKE, {"id": key_id}, token=luis).json()["data"]["revokeApiKey"]
    assert revoked["errors"] == []
    assert revoked["apiKey"]["active"] is False and revoked["apiKey"]["revokedAt"]

    for path in ("/_scopes", "/graphql"):
        refused = client.post(path, json={"query": "{ __typename }"}, headers=headers(key=key))
        assert refused.status_code == 401
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert error["extensions"]["reason"] == "revoked_api_key"
        assert "revocada" in error["extensions"]["es"]
        assert "revoked" in error["extensions"]["en"]
        assert refused.headers["www-authenticate"].startswith('ApiKey realm="planasmun"')
        assert key not in refused.text

    again = graphql(client, REVOKE, {"id": key_id}, token=luis).json()["data"]["revokeApiKey"]
    assert again["errors"] == [
        {
            "field": "id",
            "message": "Esa clave de API ya estaba revocada.",
            "code": "ALREADY_REVOKED",
        }
    ]
    unknown = graphql(client, REVOKE, {"id": "no-existe"}, token=luis).json()
    assert unknown["data"]["revokeApiKey"]["errors"][0]["code"] == "NOT_FOUND"
    listing = graphql(client, LIST, token=luis).json()["data"]["apiKeys"]
    assert [k["active"] for k in listing if k["id"] == key_id] == [False]


def test_unknown_and_malformed_keys_get_401(client: httpx.Client, hub: Hub) -> None:
    real = issue(client, hub.token("luis"), name="Clave para adivinar")["key"]
    wrong_secret = real[:16] + ("A" if real[16] != "A" else "B") + real[17:]
    cases = {
        "malformed_api_key": ["clave", real + "x", real.replace("pm_", "pk_")],
        "invalid_api_key": [wrong_secret, "pm_000000000000_" + "A" * 43],
    }
    for reason, keys in cases.items():
        for key in keys:
            refused = client.get("/_scopes", headers=headers(key=key))
            assert refused.status_code == 401, key
            assert refused.json()["errors"][0]["extensions"]["reason"] == reason
            assert "clave de API" in refused.json()["errors"][0]["message"]


def test_input_problems_come_back_as_data(client: httpx.Client, hub: Hub) -> None:
    response = graphql(
        client,
        ISSUE,
        {"input": {"name": " ", "contactEmail": "no-es-correo", "scopes": []}},
        token=hub.token("luis"),
    )
    payload = response.json()["data"]["issueApiKey"]
    assert payload["key"] is None and payload["apiKey"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("name", "REQUIRED"),
        ("contactEmail", "INVALID"),
        ("scopes", "REQUIRED"),
    ]
    assert payload["errors"][1]["message"] == (
        "Escriba un correo electrónico válido, como nombre@ejemplo.do."
    )


def test_a_mutation_over_get_is_refused(client: httpx.Client, hub: Hub) -> None:
    """Strawberry runs no mutation sent with GET: a link or an <img> cannot issue a key."""
    before = len(graphql(client, LIST, token=hub.token("luis")).json()["data"]["apiKeys"])
    mutation = (
        'mutation { issueApiKey(input: {name: "Por GET", contactEmail: "a@b.do", '
        "scopes: [READ_PUBLIC]}) { key } }"
    )
    refused = client.get(
        "/graphql",
        params={"query": mutation},
        headers={"Accept": "application/json", **headers(hub.token("luis"))},
    )
    assert refused.status_code == 405  # as GraphQL over HTTP says
    assert refused.json()["errors"][0]["extensions"]["code"] == "MUTATION_OVER_GET"
    after = len(graphql(client, LIST, token=hub.token("luis")).json()["data"]["apiKeys"])
    assert after == before


async def test_issuing_and_revoking_are_audited(client: httpx.Client, hub: Hub) -> None:
    luis = hub.token("luis")
    issued = issue(client, luis, name="Auditada", email="auditoria@example.do")
    key_id = issued["apiKey"]["id"]
    graphql(client, REVOKE, {"id": key_id}, token=luis)

    engine = create_engine(hub.database_url)
    try:
        log = AuditLog(engine)
        entries = [e for e in await log.tail(50) if e.record_id == key_id]
        assert (await log.verify()).ok
    finally:
        await engine.dispose()
    assert [e.action for e in entries] == ["api_key_issued", "api_key_revoked"]
    for entry in entries:
        assert entry.actor == LUIS_SUBJECT
        assert entry.actor_role == "national_admin"
        assert entry.record_type == "api_key"
        assert entry.client_address == "127.0.0.1"
        text = str(entry.as_json())
        assert _secret(issued["key"]) not in text and "auditoria@" not in text
