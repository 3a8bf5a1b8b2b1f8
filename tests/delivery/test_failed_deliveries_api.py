"""`failedDeliveries` and `retryDelivery` over HTTP, with real bearer tokens from the
bundled OpenID provider, on the real hub store and the hub's own delivery worker.

Pedro (supervisor of Santo Domingo Este) and Luis (national administrator) see Santo
Domingo Este's failed deliveries and retry one; Ana (its agent), Carmen (Santiago's agent),
María (a citizen) and anonymous callers are refused with FORBIDDEN, the signed-in
refusals audited. A retry is audited and wakes the worker at once. The answers hold ids,
codes and tracking numbers: no demo person's data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from demo import identity_provider
from demo.identity_provider import DEMO_USERS, ProviderHandle
from schema import SDL_PATH
from store.outbox import Outbox, OutboxKind, OutboxState
from store.store import create_engine
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve
from tests.privacy.personal_values import JUAN, MARIA, personal_values_in
from tests.privacy.support import PrivacyHub, codes, graphql
from tests.web.staff_support import submit_request, write_failed_delivery

SDE = "santo-domingo-este"
SANTIAGO = "santiago"

FAILED = """
query Failed($m: ID!, $first: Int, $offset: Int, $language: Language! = ES) {
  failedDeliveries(municipalityId: $m, first: $first, offset: $offset) {
    id municipalityId kind trackingNumber errorCode explanation(language: $language)
    attempts createdAt failedAt
  }
}
"""

RETRY = """
mutation Retry($m: ID!, $id: ID!) {
  retryDelivery(municipalityId: $m, id: $id) { id kind trackingNumber attempts }
}
"""

STATE = """
query State($m: ID!) { failedDeliveries(municipalityId: $m) { id } }
"""


class Deliveries:
    """María's two requests of Santo Domingo Este and Juan's of Santiago, and deliveries
    of them the worker gave up on: `email` (address refused), `mapping` (the
    municipality's system could not take it), `gone` (its request no longer exists), and
    `santiago`'s."""

    def __init__(self, hub: PrivacyHub) -> None:
        self.hub = hub
        for citizen in (MARIA, JUAN):
            hub.write_profile(citizen)
        with hub.client() as client:
            self.first = submit_request(client, SDE, token=hub.token("maria"))
            self.second = submit_request(client, SDE, token=hub.token("maria"))
            self.other = submit_request(client, SANTIAGO, token=hub.token("juan"))
        url = hub.database_url
        self.gone = write_failed_delivery(url, None, code="REQUEST_NOT_FOUND")
        self.email = write_failed_delivery(url, self.first)
        self.mapping = write_failed_delivery(
            url, self.second, kind=OutboxKind.DELIVER_REQUEST, code="UPSTREAM_MAPPING", attempts=2
        )
        self.santiago = write_failed_delivery(url, self.other, code="UPSTREAM_MAPPING")

    def ask(self, query: str, username: str | None, **variables: Any) -> dict[str, Any]:
        with self.hub.client() as client:
            return graphql(
                client,
                query,
                token=None if username is None else self.hub.token(username),
                **{"m": SDE, **variables},
            )

    def failed_ids(self, municipality: str = SDE) -> list[str]:
        body = self.ask(STATE, "luis", m=municipality)
        return [d["id"] for d in body["data"]["failedDeliveries"]]


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="module")
def deliveries(
    provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deliveries]:
    tmp = tmp_path_factory.mktemp("failed-deliveries")
    # The worker looks at the outbox only once a minute by itself: a retry must wake it.
    app, _ = hub_app(
        tmp,
        identity_settings(provider.issuer, jwks_min_refresh_seconds=0),
        delivery={"poll_seconds": 60},
    )
    with serve(app) as url:
        yield Deliveries(PrivacyHub(url, f"sqlite+aiosqlite:///{tmp / 'hub.db'}", provider))


def test_a_supervisor_sees_the_municipalitys_failed_deliveries(deliveries: Deliveries) -> None:
    body = deliveries.ask(FAILED, "pedro")
    assert "errors" not in body, body
    found = {d["id"]: d for d in body["data"]["failedDeliveries"]}
    # Most recently given up first; Santiago's is not among them.
    assert list(found) == [deliveries.mapping, deliveries.email, deliveries.gone]
    email, mapping, gone = (
        found[i] for i in (deliveries.email, deliveries.mapping, deliveries.gone)
    )
    assert (email["kind"], email["trackingNumber"], email["errorCode"], email["attempts"]) == (
        "EMAIL_TO_CITIZEN",
        deliveries.first,
        "SMTP_RECIPIENT_REFUSED",
        1,
    )
    assert "rechazó la dirección" in email["explanation"]
    assert (mapping["kind"], mapping["trackingNumber"], mapping["attempts"]) == (
        "REQUEST_TO_SYSTEM",
        deliveries.second,
        2,
    )
    assert "no pudo aceptar la solicitud" in mapping["explanation"]
    assert gone["trackingNumber"] is None
    assert all(
        d["municipalityId"] == SDE and d["createdAt"] and d["failedAt"] for d in found.values()
    )


def test_the_explanation_comes_in_english_when_asked(deliveries: Deliveries) -> None:
    body = deliveries.ask(FAILED, "pedro", language="EN")
    words = {d["errorCode"]: d["explanation"] for d in body["data"]["failedDeliveries"]}
    assert "refused the person's address" in words["SMTP_RECIPIENT_REFUSED"]


def test_the_answer_holds_no_personal_data(deliveries: Deliveries) -> None:
    with deliveries.hub.client() as client:
        response = client.post(
            "/graphql",
            json={"query": FAILED, "variables": {"m": SDE}},
            headers={"Authorization": f"Bearer {deliveries.hub.token('pedro')}"},
        )
    assert response.status_code == 200
    assert personal_values_in(response.text) == set()
    assert MARIA.subject not in response.text


def test_pages_are_bounded(deliveries: Deliveries) -> None:
    everything = deliveries.ask(FAILED, "luis")["data"]["failedDeliveries"]
    page = deliveries.ask(FAILED, "luis", first=1, offset=1)["data"]["failedDeliveries"]
    assert [d["id"] for d in page] == [everything[1]["id"]]
    for variables, argument in (({"first": 0}, "first"), ({"first": 101}, "first")):
        body = deliveries.ask(FAILED, "pedro", **variables)
        assert codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["extensions"]["argument"] == argument
    assert codes(deliveries.ask(FAILED, "pedro", offset=-1)) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(("username", "municipality"), [
    ("ana", SDE), ("carmen", SDE), ("maria", SDE), ("pedro", SANTIAGO),
])  # fmt: skip
def test_anyone_else_is_refused_and_the_attempt_is_audited(
    deliveries: Deliveries, username: str, municipality: str
) -> None:
    before = len(deliveries.hub.audit())
    body = deliveries.ask(FAILED, username, m=municipality)
    assert body["data"]["failedDeliveries"] is None
    assert codes(body) == ["FORBIDDEN"]
    assert "envíos fallidos" in body["errors"][0]["message"]
    refused = deliveries.hub.audit()[before:]
    assert [(e.action, e.record_type, e.municipality_id) for e in refused] == [
        ("access_denied", "outbox_item", municipality)
    ]
    assert refused[0].actor == {u.username: u.subject for u in DEMO_USERS}[username]


def test_an_anonymous_caller_is_refused_without_an_entry(deliveries: Deliveries) -> None:
    before = len(deliveries.hub.audit())
    for query, variables in ((FAILED, {}), (RETRY, {"id": deliveries.email})):
        body = deliveries.ask(query, None, **variables)
        assert codes(body) == ["FORBIDDEN"]
    assert len(deliveries.hub.audit()) == before
    assert deliveries.email in deliveries.failed_ids()


def test_only_a_reviewer_retries_and_a_refusal_is_audited(deliveries: Deliveries) -> None:
    before = len(deliveries.hub.audit())
    body = deliveries.ask(RETRY, "ana", id=deliveries.email)
    assert body["data"]["retryDelivery"] is None
    assert codes(body) == ["FORBIDDEN"]
    assert [(e.action, e.record_type) for e in deliveries.hub.audit()[before:]] == [
        ("access_denied", "outbox_item")
    ]
    assert deliveries.email in deliveries.failed_ids()


def test_another_municipalitys_delivery_cannot_be_retried_from_this_one(
    deliveries: Deliveries,
) -> None:
    before = len(deliveries.hub.audit())
    for item_id in (deliveries.santiago, "no-es-un-id", "0" * 32):
        body = deliveries.ask(RETRY, "pedro", id=item_id)
        assert body["data"]["retryDelivery"] is None
        assert codes(body) == ["DELIVERY_NOT_FAILED"]
    assert deliveries.santiago in deliveries.failed_ids(SANTIAGO)
    assert len(deliveries.hub.audit()) == before


def test_a_retry_is_audited_wakes_the_worker_and_happens_once(deliveries: Deliveries) -> None:
    before = len(deliveries.hub.audit())
    body = deliveries.ask(RETRY, "pedro", id=deliveries.mapping)
    assert "errors" not in body, body
    assert body["data"]["retryDelivery"] == {
        "id": deliveries.mapping,
        "kind": "REQUEST_TO_SYSTEM",
        "trackingNumber": deliveries.second,
        "attempts": 2,
    }
    [entry] = deliveries.hub.audit()[before:]
    assert (entry.action, entry.record_type, entry.record_id, entry.municipality_id) == (
        "delivery_retried",
        "outbox_item",
        deliveries.mapping,
        SDE,
    )
    assert entry.actor == {u.username: u.subject for u in DEMO_USERS}["pedro"]
    assert entry.data_subject is None
    assert deliveries.mapping not in deliveries.failed_ids()
    # Retried twice: the second finds nothing to retry, and says so.
    again = deliveries.ask(RETRY, "luis", id=deliveries.mapping)
    assert codes(again) == ["DELIVERY_NOT_FAILED"]
    assert len(deliveries.hub.audit()) == before + 1
    # The worker (polling once a minute) was woken: the hub store holds Santo Domingo
    # Este's requests in these tests, so it finds the request at home and completes it.
    assert _done_within(deliveries, deliveries.mapping, seconds=10)


def _done_within(deliveries: Deliveries, item_id: str, seconds: float) -> bool:
    async def state() -> OutboxState | None:
        engine = create_engine(deliveries.hub.database_url)
        try:
            item = await Outbox(engine).item(item_id)
            return None if item is None else item.state
        finally:
            await engine.dispose()

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if asyncio.run(state()) is OutboxState.DONE:
            return True
        time.sleep(0.1)
    return False


def test_the_schema_file_lists_them() -> None:
    text = SDL_PATH.read_text(encoding="utf-8")
    assert "failedDeliveries(" in text and "retryDelivery(" in text
