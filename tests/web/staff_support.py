"""Demo data for the staff console: service requests submitted through GraphQL by a signed-in
citizen, and the demo staff signed in through the provider's form."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from store.outbox import OutboxKind, OutboxState, new_id, outbox
from store.requests import RequestStore
from store.store import create_engine
from tests.privacy.support import graphql, sign_in

#: The demo staff the console's examples sign in as (`web.staff_pages`).
STAFF_USERNAMES = ("ana", "pedro", "carmen", "luis")

SERVICES = """
query StaffDemoServices($id: ID!) { municipality(id: $id) { services { id acceptsRequests } } }
"""

FIELDS = """
query StaffDemoFields($id: ID!) {
  service(id: $id) { requestFields { code required datatype } }
}
"""

SUBMIT = """
mutation StaffDemoSubmit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    request { trackingNumber }
    created
    errors { field message code }
  }
}
"""

PUBLIC_VIEW = """
query StaffDemoRequest($number: String!) { serviceRequest(trackingNumber: $number) { status } }
"""

DEMO_DESCRIPTION = "Hay escombros de una obra en la acera desde hace dos semanas."
DEMO_ADDRESS = "Calle Respaldo 4 núm. 12, Los Mina"


def _answer(field: Mapping[str, Any]) -> str:
    return {"NUMBER": "3", "DATETIME": "2026-12-01"}.get(field["datatype"], "Sí")


def request_input(
    client: httpx.Client, municipality: str, *, service: str | None = None
) -> dict[str, Any]:
    """`SubmitServiceRequestInput` for a service of `municipality` that takes requests
    (`service` if given), with its required fields answered."""
    body = graphql(client, SERVICES, id=municipality)
    services = [s for s in body["data"]["municipality"]["services"] if s["acceptsRequests"]]
    assert services, f"no service of {municipality} takes requests"
    # The first that asks no required multiple-choice question (free answers are easy to
    # make up; the choices' keys would cost a query of their own).
    for candidate in services:
        if service is not None and candidate["id"] != service:
            continue
        found = graphql(client, FIELDS, id=candidate["id"])
        assert found.get("data") and found["data"]["service"], found
        fields = found["data"]["service"]["requestFields"]
        if not any(f["required"] and f["datatype"].endswith("LIST") for f in fields):
            chosen = candidate
            break
    else:
        raise AssertionError(f"no service of {municipality} takes requests with free answers")
    return {
        "municipalityId": municipality,
        "serviceId": chosen["id"],
        "description": DEMO_DESCRIPTION,
        "address": DEMO_ADDRESS,
        "latitude": 18.4861,
        "longitude": -69.8546,
        "answers": [{"code": f["code"], "value": _answer(f)} for f in fields if f["required"]],
        "idempotencyKey": uuid.uuid4().hex,
        "consent": True,
    }


def submit_request(
    client: httpx.Client, municipality: str, *, token: str | None = None, service: str | None = None
) -> str:
    """Submit a request as the signed-in citizen (or `token`'s); its tracking number."""
    body = graphql(
        client, SUBMIT, token=token, input=request_input(client, municipality, service=service)
    )
    outcome = body["data"]["submitServiceRequest"]
    assert outcome["errors"] == [], outcome
    number: str = outcome["request"]["trackingNumber"]
    return number


def prepare_staff_demo_data(base_url: str, tracking_number: str) -> dict[str, str]:
    """What the console's examples need on a demo hub: request `tracking_number` (the
    first of Santo Domingo Este this year), which is María's demo request of the journey's
    pages (`tests.web.requests_support`, idempotent: submitted once whoever asks first);
    and session cookies of the demo staff, by username."""
    from tests.web.requests_support import submit_demo_request

    with httpx.Client(base_url=base_url, timeout=20) as maria:
        sign_in(maria, "maria")
        found = graphql(maria, PUBLIC_VIEW, number=tracking_number)["data"]["serviceRequest"]
        if found is None:
            number = submit_demo_request(maria)
            assert number == tracking_number, (number, tracking_number)
    sessions = {}
    for username in STAFF_USERNAMES:
        with httpx.Client(base_url=base_url, timeout=20) as browser:
            sessions[username] = sign_in(browser, username)
    return sessions


def write_failed_delivery(
    database_url: str,
    tracking_number: str | None,
    *,
    kind: OutboxKind = OutboxKind.EMAIL,
    code: str = "SMTP_RECIPIENT_REFUSED",
    attempts: int = 1,
    municipality_id: str = "santo-domingo-este",
) -> str:
    """An outbox item of request `tracking_number` that the delivery worker gave up on,
    written into a running hub's store as the worker leaves it (FAILED, its error code,
    when); its id. Written whole, so that the hub's own worker never claims it first.
    With no number, the item names a request of `municipality_id` that no longer exists."""

    async def write() -> str:
        engine = create_engine(database_url)
        try:
            request_id, municipality = uuid.uuid4().hex, municipality_id
            if tracking_number is not None:
                request = await RequestStore(engine).by_tracking_number(tracking_number)
                assert request is not None, tracking_number
                request_id, municipality = request.id, request.municipality_id
            now = dt.datetime.now(dt.UTC)
            item_id = new_id()
            async with engine.begin() as connection:
                await connection.execute(
                    outbox.insert().values(
                        id=item_id,
                        kind=kind.value,
                        municipality_id=municipality,
                        request_id=request_id,
                        payload={"template": "request_received", "status": "RECIBIDA"}
                        if kind is OutboxKind.EMAIL
                        else {},
                        state=OutboxState.FAILED.value,
                        attempts=attempts,
                        next_attempt_at=now - dt.timedelta(hours=1),
                        last_error=code,
                        created_at=now - dt.timedelta(hours=1),
                        done_at=now,
                    )
                )
            return item_id
        finally:
            await engine.dispose()

    # In a thread of its own: the browser tests' Playwright keeps a loop in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, write()).result()
