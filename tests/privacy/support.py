"""The real hub over HTTP with the bundled OpenID provider: bearer tokens for the API,
the sign-in form for browsers, and the hub store read back for the audit log."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from demo.identity_provider import ProviderHandle
from gateway.identity.sessions import SESSION_COOKIE
from store.audit import AuditLog, AuditRecord
from store.store import create_engine
from tests.identity.support import hub_app, identity_settings, serve
from tests.privacy.personal_values import MARIA, DemoCitizen

UPDATE_PROFILE = """
mutation Update($input: ProfileInput!) {
  updateMyProfile(input: $input) {
    profile { name cedula phone email address municipality { id } }
    errors { field message code }
  }
}
"""

STAFF_READ = """
query StaffRead($subject: ID!, $purpose: String!) {
  citizen(subject: $subject, purpose: $purpose) { subject name cedula phone email address }
}
"""

DEMO_STAFF_PURPOSE = "Atender la solicitud de demostración SDE-2026-000123"


def graphql(
    client: httpx.Client,
    query: str,
    *,
    token: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    """POST /graphql (variables, never values inlined in the query); the JSON answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: Mapping[str, Any]) -> list[str]:
    return [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []]


@dataclasses.dataclass(frozen=True)
class PrivacyHub:
    """A hub under uvicorn (demo municipalities on the hub store, login wired in)."""

    url: str
    database_url: str
    provider: ProviderHandle

    def token(self, username: str) -> str:
        return self.provider.issue_access_token(username)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def write_profile(self, citizen: DemoCitizen) -> dict[str, Any]:
        with self.client() as client:
            body = graphql(
                client,
                UPDATE_PROFILE,
                token=self.token(citizen.username),
                input=citizen.profile_input(),
            )
        assert body["data"]["updateMyProfile"]["errors"] == [], body
        profile: dict[str, Any] = body["data"]["updateMyProfile"]["profile"]
        return profile

    def audit(self, *, data_subject: str | None = None) -> list[AuditRecord]:
        return read_audit(self.database_url, data_subject=data_subject)


def read_audit(database_url: str, *, data_subject: str | None = None) -> list[AuditRecord]:
    """The audit log's entries (about `data_subject` if given), oldest first."""

    async def read() -> list[AuditRecord]:
        engine = create_engine(database_url)
        try:
            log = AuditLog(engine)
            found: list[AuditRecord] = []
            after = None
            while True:
                page = await log.entries(data_subject=data_subject, after_seq=after, limit=1000)
                found.extend(page)
                if len(page) < 1000:
                    return found
                after = page[-1].seq
        finally:
            await engine.dispose()

    return asyncio.run(read())


def verify_audit(database_url: str) -> bool:
    async def verify() -> bool:
        engine = create_engine(database_url)
        try:
            return (await AuditLog(engine).verify()).ok
        finally:
            await engine.dispose()

    return asyncio.run(verify())


@contextlib.contextmanager
def privacy_hub(tmp_dir: Path, provider: ProviderHandle) -> Iterator[PrivacyHub]:
    app, _identity = hub_app(
        tmp_dir, identity_settings(provider.issuer, jwks_min_refresh_seconds=0)
    )
    with serve(app) as url:
        yield PrivacyHub(url, f"sqlite+aiosqlite:///{tmp_dir / 'hub.db'}", provider)


# -- Browsers: the sign-in form, as people use it -------------------------------------


def sign_in(client: httpx.Client, username: str, password: str = "demo1234") -> str:
    """Sign `client` (which keeps cookies) in through the provider's form, as a browser
    would; returns the session cookie's value."""
    start = client.get("/entrar")
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    form = client.post(
        authorize, data={"usuario": username, "contrasena": password, "accion": "entrar"}
    )
    assert form.status_code == 302, form.text
    landed = client.get(form.headers["location"])
    assert landed.status_code == 303, landed.text
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie, "no session cookie after signing in"
    return cookie


def prepare_demo_data(base_url: str) -> dict[str, str]:
    """What the web audits need on a demo hub: María's profile (written with consent) and
    one staff read of it (an access-log entry), through the sign-in form and GraphQL.
    Returns a signed-in session cookie for each demo citizen, by username."""
    sessions = {}
    for username in ("maria", "juan", "ana"):
        with httpx.Client(base_url=base_url, timeout=10) as browser:
            sessions[username] = sign_in(browser, username)
            if username == "maria":
                body = graphql(browser, UPDATE_PROFILE, input=MARIA.profile_input())
                assert body["data"]["updateMyProfile"]["errors"] == [], body
            if username == "ana":
                body = graphql(
                    browser, STAFF_READ, subject=MARIA.subject, purpose=DEMO_STAFF_PURPOSE
                )
                assert "errors" not in body, body
    return {name: cookie for name, cookie in sessions.items() if name != "ana"}
