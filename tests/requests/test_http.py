"""Service requests over real HTTP and WebSocket with the bundled OpenID provider's
bearer tokens: submit, double submit, tracking without personal data, staff of another
municipality refused and audited, and live updates (graphql-transport-ws), in one worker
and across two workers sharing Redis."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve
from tests.privacy.support import codes, graphql, read_audit
from tests.requests.support import (
    CHANGE,
    PUBLIC_TRACK,
    SECRET_ADDRESS,
    SECRET_WORDS,
    SUBMIT,
    TRACK,
    request_input,
)
from tests.support import require

SUBSCRIBE = (
    "subscription($n: String!) { requestStatusChanged(trackingNumber: $n) "
    "{ trackingNumber status history { status note } description } }"
)


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@contextlib.contextmanager
def running(tmp_dir: Path, provider: ProviderHandle, **options: object) -> Iterator[str]:
    app, _ = hub_app(
        tmp_dir, identity_settings(provider.issuer, jwks_min_refresh_seconds=0), **options
    )
    with serve(app, ws="websockets-sansio") as url:
        yield url


@pytest.fixture(scope="module")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running(tmp_path_factory.mktemp("requests-hub"), provider) as url:
        yield url


def _database(url_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{url_dir / 'hub.db'}"


def submit(client: httpx.Client, token: str, data: dict[str, Any]) -> dict[str, Any]:
    body = graphql(client, SUBMIT, token=token, input=data)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["submitServiceRequest"]
    return payload


def test_submit_twice_with_one_key_and_track_without_personal_data(
    hub: str, provider: ProviderHandle
) -> None:
    maria = provider.issue_access_token("maria")
    data = request_input()
    with httpx.Client(base_url=hub, timeout=10) as client:
        first, again = submit(client, maria, data), submit(client, maria, data)
        assert first["errors"] == [] and first["created"] is True
        assert again["created"] is False
        number = first["request"]["trackingNumber"]
        assert again["request"]["trackingNumber"] == number
        assert first["request"]["description"].startswith(SECRET_WORDS)
        # Anonymous, and another citizen: the public view only.
        for token in (None, provider.issue_access_token("juan")):
            response = client.post(
                "/graphql",
                json={"query": TRACK, "variables": {"number": number}},
                headers={"Authorization": f"Bearer {token}"} if token else {},
            )
            assert response.status_code == 200
            body = response.json()
            assert body["data"]["serviceRequest"]["status"] == "RECIBIDA"
            assert set(codes(body)) == {"FORBIDDEN"}
            assert SECRET_WORDS not in response.text and SECRET_ADDRESS not in response.text
        # A validation problem comes back as data, in Spanish and English.
        bad = submit(client, maria, request_input(consent=False))
        assert [(e["field"], e["code"]) for e in bad["errors"]] == [("consent", "CONSENT_REQUIRED")]
        assert bad["errors"][0]["en"].startswith("To send the request")


def test_staff_of_another_municipality_are_refused_and_audited(
    provider: ProviderHandle, tmp_path: Path
) -> None:
    with running(tmp_path, provider) as url, httpx.Client(base_url=url, timeout=10) as client:
        number = submit(client, provider.issue_access_token("maria"), request_input())["request"][
            "trackingNumber"
        ]
        carmen = provider.issue_access_token("carmen")
        body = graphql(client, CHANGE, token=carmen, number=number, status="EN_REVISION")
        assert body["data"] == {"changeServiceRequestStatus": None}
        assert codes(body) == ["FORBIDDEN"]
        read = graphql(client, TRACK, token=carmen, number=number)
        assert SECRET_WORDS not in json.dumps(read, ensure_ascii=False)
        # Ana, of Santo Domingo Este, may.
        moved = graphql(
            client,
            CHANGE,
            token=provider.issue_access_token("ana"),
            number=number,
            status="EN_REVISION",
        )
        assert moved["data"]["changeServiceRequestStatus"]["status"] == "EN_REVISION"
    entries = read_audit(_database(tmp_path))
    denied = [e for e in entries if e.action == "access_denied"]
    assert {e.actor for e in denied} == {"demo-personal-0005"}
    assert all(e.municipality_id == "santo-domingo-este" for e in denied)
    assert [e.actor for e in entries if e.action == "request_status_changed"] == [
        "demo-personal-0003"
    ]


# -- Live updates ---------------------------------------------------------------------


def _ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


@contextlib.contextmanager
def open_subscription(
    base: str, number: str, origin: str | None = None
) -> Iterator[ClientConnection]:
    headers = {"Origin": origin if origin is not None else base}
    with connect(
        _ws_url(base),
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
        open_timeout=10,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"n": number}},
                }
            )
        )
        yield ws


def next_payload(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message["type"] == "ping":
            ws.send(json.dumps({"type": "pong"}))
            continue
        assert message["type"] == "next", message
        data: dict[str, Any] = message["payload"]["data"]["requestStatusChanged"]
        return data


def _live_update(subscriber_base: str, changer_base: str, provider: ProviderHandle) -> None:
    with httpx.Client(base_url=changer_base, timeout=10) as client:
        number = submit(client, provider.issue_access_token("maria"), request_input())["request"][
            "trackingNumber"
        ]
        with open_subscription(subscriber_base, number) as ws:
            current = next_payload(ws)
            assert (current["trackingNumber"], current["status"]) == (number, "RECIBIDA")
            assert current["description"] is None  # anonymous: the public view
            body = graphql(
                client,
                CHANGE,
                token=provider.issue_access_token("ana"),
                number=number,
                status="EN_REVISION",
                note="Revisando la zona",
            )
            assert "errors" not in body, body
            changed = next_payload(ws)
            assert changed["status"] == "EN_REVISION"
            assert changed["history"][-1] == {"status": "EN_REVISION", "note": "Revisando la zona"}


def test_a_subscriber_hears_a_status_change(hub: str, provider: ProviderHandle) -> None:
    _live_update(hub, hub, provider)


def test_a_page_of_another_site_cannot_open_the_websocket(
    hub: str, provider: ProviderHandle
) -> None:
    with httpx.Client(base_url=hub, timeout=10) as client:
        number = submit(client, provider.issue_access_token("maria"), request_input())["request"][
            "trackingNumber"
        ]
    # Closed with 1008 before the handshake completes, which the server answers as 403.
    with pytest.raises(InvalidStatus) as refused:
        connect(
            _ws_url(hub),
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers={"Origin": "https://evil.example"},
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403
    # Its own pages may (the same host and port).
    with open_subscription(hub, number) as ws:
        assert next_payload(ws)["status"] == "RECIBIDA"


def test_allowed_origins_from_the_settings(provider: ProviderHandle, tmp_path: Path) -> None:
    with running(tmp_path, provider, allowed_origins="https://portal.example.do") as url:
        with httpx.Client(base_url=url, timeout=10) as client:
            number = submit(client, provider.issue_access_token("maria"), request_input())[
                "request"
            ]["trackingNumber"]
        with open_subscription(url, number, origin="https://portal.example.do") as ws:
            assert next_payload(ws)["status"] == "RECIBIDA"


def test_live_updates_cross_workers_through_redis(provider: ProviderHandle, tmp_path: Path) -> None:
    redis_url = os.environ.get("PLANASMUN_TEST_REDIS_URL")
    require(redis_url is not None, "Redis (PLANASMUN_TEST_REDIS_URL)")
    # Two workers on one store, as behind a load balancer: one holds the subscription,
    # the other takes the change.
    with (
        running(tmp_path, provider, redis_url=redis_url) as first,
        running(tmp_path, provider, redis_url=redis_url) as second,
    ):
        _live_update(first, second, provider)


def test_tracking_is_public_for_anyone_with_the_number(hub: str, provider: ProviderHandle) -> None:
    with httpx.Client(base_url=hub, timeout=10) as client:
        number = submit(client, provider.issue_access_token("maria"), request_input())["request"][
            "trackingNumber"
        ]
        body = graphql(client, PUBLIC_TRACK, number=number)
    assert "errors" not in body
    assert body["data"]["serviceRequest"]["trackingNumber"] == number
    assert uuid.UUID  # the module's helpers stay imported for the key generator
