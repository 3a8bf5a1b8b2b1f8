"""Nothing lost (issue 5): with Santo Domingo Este's system of record (SIGEM, SOAP) stopped,
50 requests are submitted through the GraphQL API over HTTP, some concurrently; SIGEM comes
back, and the hub is killed (SIGKILL) while it delivers them and started again. In the end
SIGEM's own register holds exactly the 50 requests, each once, with its tracking number,
SIGEM was asked to register each exactly once (the hub never leant on SIGEM's own
deduplication), and every request's citizen got exactly one confirmation e-mail.

Everything is real: the hub is `planasmun serve` under uvicorn in a subprocess with a
SQLite file store and the demo's municipality files; SIGEM, the other simulated systems,
the bundled OpenID provider (bearer tokens) and the SMTP server (aiosmtpd) run on loopback
in this process, so that they outlive the hub.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from demo import identity_provider
from demo.identity_provider import DEMO_USERS, ProviderHandle
from demo.mail_sink import MailSink
from demo.sigem_requests import read_solicitudes
from demo.systems import DemoPorts, DemoSystems, demo_systems
from store.outbox import Outbox
from store.requests import service_requests
from store.store import create_engine
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.identity.support import CLIENT_SECRET, CLIENT_SECRET_VARIABLE
from tests.privacy.personal_values import DEMO_CITIZENS
from tests.privacy.support import UPDATE_PROFILE
from tests.support import PROJECT_ROOT, free_port

REQUESTS = 50
MUNICIPALITY = "santo-domingo-este"
SERVICE = "certificado-uso-suelo"
TRACKING = re.compile(r"\bSDE-\d{4}-\d{6}\b")

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    created
    request { trackingNumber status deliveredToMunicipality }
    errors { field code message }
  }
}
"""


@pytest.fixture
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture
def systems(tmp_path: Path) -> Iterator[DemoSystems]:
    # A little latency on the simulated systems, as on a real network: the hub is then
    # reliably caught in the middle of delivering.
    with demo_systems(tmp_path / "demo-systems", DemoPorts(0, 0, 0), latency_ms=15) as running:
        yield running


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


def municipalities_dir(tmp_path: Path) -> Path:
    """The demo's files, with SIGEM's circuit breaker trying again after 1 s instead of
    30 s (a deployment setting), so that the test does not sit out the default."""
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    for path in directory.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        marker = "    connector: soap\n    wsdl: http://127.0.0.1:${PLANASMUN_DEMO_SIGEM_PORT"
        if marker in text:
            path.write_text(
                text.replace(
                    marker,
                    "    connector: soap\n    circuit_reset_seconds: 1\n"
                    "    wsdl: http://127.0.0.1:${PLANASMUN_DEMO_SIGEM_PORT",
                ),
                encoding="utf-8",
            )
    assert "circuit_reset_seconds: 1" in (directory / f"{MUNICIPALITY}.yaml").read_text()
    return directory


def hub_environment(
    tmp_path: Path, systems: DemoSystems, provider: ProviderHandle, mail: MailSink
) -> dict[str, str]:
    return {
        **os.environ,
        **systems.environment(),
        "PLANASMUN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        "PLANASMUN_MUNICIPALITIES_DIR": str(municipalities_dir(tmp_path)),
        # The simulated systems run here, in the test, and outlive the hub.
        "PLANASMUN_DEMO_SYSTEMS": "external",
        "PLANASMUN_IDENTITY__ISSUER": provider.issuer,
        "PLANASMUN_IDENTITY__JWKS_MIN_REFRESH_SECONDS": "0",
        CLIENT_SECRET_VARIABLE: CLIENT_SECRET,
        "PLANASMUN_IDENTITY__CLIENT_SECRET": f'{{"$env": "{CLIENT_SECRET_VARIABLE}"}}',
        "PLANASMUN_SMTP__HOST": "127.0.0.1",
        "PLANASMUN_SMTP__PORT": str(mail.port),
        "PLANASMUN_SMTP__SECURITY": "none",
        "PLANASMUN_SMTP__FROM_ADDRESS": "PLANASMUN <no-responder@planasmun.test>",
        # A killed worker's leases run out after 3 s; backoff short enough for a test.
        "PLANASMUN_DELIVERY__LEASE_SECONDS": "3",
        "PLANASMUN_DELIVERY__POLL_SECONDS": "0.5",
        "PLANASMUN_DELIVERY__FIRST_BACKOFF_SECONDS": "0.2",
        "PLANASMUN_DELIVERY__MAX_BACKOFF_SECONDS": "1",
        "PLANASMUN_DELIVERY__CONCURRENCY": "4",
        "PLANASMUN_RATE_LIMIT_PER_MINUTE_IP": "1000000",
        "PLANASMUN_RATE_LIMIT_BURST_IP": "1000000",
        "PLANASMUN_RESPONSE_CACHE_SECONDS": "0",
    }


@contextlib.contextmanager
def hub_process(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`planasmun serve` in a subprocess; killed with SIGKILL if still running at the end."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the hub exited:\n{log.read_text(errors='replace')}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"the hub did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def graphql(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def submit(client: httpx.AsyncClient, token: str, n: int) -> str:
    data = await graphql(
        client,
        SUBMIT,
        token,
        input={
            "municipalityId": MUNICIPALITY,
            "serviceId": SERVICE,
            "description": f"Certificado para el solar número {n} de la calle Duarte",
            "answers": [
                {"code": "uso_inmueble", "value": "vivienda"},
                {"code": "metros_cuadrados", "value": str(100 + n)},
            ],
            "idempotencyKey": str(uuid.uuid4()),
            "consent": True,
        },
    )
    result = data["submitServiceRequest"]
    assert result["errors"] == [], result
    assert result["created"] is True
    request = result["request"]
    assert request["status"] == "RECIBIDA"
    assert request["deliveredToMunicipality"] is False  # SIGEM is down
    number: str = request["trackingNumber"]
    return number


async def submit_all(url: str, tokens: list[str]) -> list[str]:
    """Half one after another, half ten at a time; citizens take turns."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        numbers = [await submit(client, tokens[n % 2], n) for n in range(REQUESTS // 2)]
        for start in range(REQUESTS // 2, REQUESTS, 10):
            numbers += await asyncio.gather(
                *(submit(client, tokens[n % 2], n) for n in range(start, min(start + 10, REQUESTS)))
            )
    return numbers


def sigem_register(systems: DemoSystems) -> Path:
    register = systems.sigem.requests
    assert register is not None
    return register.path


async def hub_state(database_url: str) -> tuple[int, dict[str, str | None]]:
    """(outbox items pending, upstream reference of each request) from the hub's store."""
    engine = create_engine(database_url)
    try:
        pending = await Outbox(engine).pending_count()
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(service_requests.c.tracking_number, service_requests.c.upstream_ref)
            )
            refs = {number: ref for number, ref in rows}
    finally:
        await engine.dispose()
    return pending, refs


def wait_for(condition: Any, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def test_nothing_is_lost_when_the_upstream_is_down_and_the_hub_is_killed(
    tmp_path: Path, systems: DemoSystems, provider: ProviderHandle, mail: MailSink
) -> None:
    env = hub_environment(tmp_path, systems, provider, mail)
    log = tmp_path / "hub.log"
    citizens = {c.username: c for c in DEMO_CITIZENS}
    emails = {u.username: u.email for u in DEMO_USERS}
    tokens = [provider.issue_access_token(name) for name in ("maria", "juan")]
    sigem = systems.sigem

    with hub_process(env, log) as (process, url):
        # The citizens' profiles (with consent): the e-mail address comes from there.
        with httpx.Client(base_url=url, timeout=10) as client:
            for name, token in zip(("maria", "juan"), tokens, strict=True):
                body = client.post(
                    "/graphql",
                    json={
                        "query": UPDATE_PROFILE,
                        "variables": {"input": citizens[name].profile_input()},
                    },
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                assert body["data"]["updateMyProfile"]["errors"] == [], body
            # A citizen has looked at the service while SIGEM was up (its catalogue is
            # what the submit checks against); then SIGEM goes down.
            body = client.post(
                "/graphql",
                json={"query": f'{{ service(id: "{MUNICIPALITY}:{SERVICE}") {{ name }} }}'},
            ).json()
            assert body["data"]["service"]["name"], body
        sigem.pause()

        numbers = asyncio.run(submit_all(url, tokens))
        assert len(set(numbers)) == REQUESTS
        assert read_solicitudes(sigem_register(systems)) == []
        # The confirmations do not wait for SIGEM.
        wait_for(lambda: len(mail.messages()) >= REQUESTS, 20, "the confirmations")

        # SIGEM returns; the hub is killed in the middle of delivering.
        sigem.resume()
        wait_for(
            lambda: len(read_solicitudes(sigem_register(systems))) >= 3,
            20,
            "the first deliveries",
            interval=0.005,
        )
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        at_kill = len(read_solicitudes(sigem_register(systems)))
    assert 0 < at_kill < REQUESTS, f"the hub was not killed during delivery ({at_kill})"

    with hub_process(env, log) as (_process, _url):
        database_url = env["PLANASMUN_DATABASE_URL"]
        wait_for(
            lambda: asyncio.run(hub_state(database_url))[0] == 0,
            30,
            "the outbox to empty",
            interval=0.25,
        )
        pending, references = asyncio.run(hub_state(database_url))

    # SIGEM's own register: exactly the 50 requests, each once, with its tracking number.
    rows = read_solicitudes(sigem_register(systems))
    assert len(rows) == REQUESTS
    assert sorted(r.NUMERO_SEGUIMIENTO for r in rows) == sorted(numbers)
    assert {r.MUNICIPIO for r in rows} == {"SDE"}
    # … registered by one call each: the hub looked before resending, never relying on
    # SIGEM's unique tracking number to drop a duplicate.
    assert sigem.calls["RegistrarSolicitud"] == REQUESTS
    # The hub knows each as delivered, under SIGEM's own id.
    assert pending == 0
    assert references == {r.NUMERO_SEGUIMIENTO: str(r.ID_SOLICITUD) for r in rows}

    # Exactly one confirmation per request, to the citizen who sent it.
    confirmations: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for message in mail.messages():
        subject = str(message["Subject"])
        if "recibida" not in subject:
            continue
        [number] = set(TRACKING.findall(subject))
        confirmations[number].append((str(message["To"]), str(message["Message-ID"])))
    assert sorted(confirmations) == sorted(numbers)
    assert all(len(sent) == 1 for sent in confirmations.values()), confirmations
    recipients = collections.Counter(to for sent in confirmations.values() for to, _ in sent)
    assert recipients == {emails["maria"]: REQUESTS // 2, emails["juan"]: REQUESTS // 2}
    assert len({mid for sent in confirmations.values() for _, mid in sent}) == REQUESTS
