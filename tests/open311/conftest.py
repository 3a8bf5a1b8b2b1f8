"""The real hub over HTTP (uvicorn, the gateway app as `create_app` builds it) with the
bundled OpenID provider, and API keys issued by the national administrator.

The pilot governments are on the hub store (fast, no outside systems), except La Vega,
whose requests go to its SQL database (SIMUVEGA), bound as in config/municipalities/
but on a port where nothing listens: its requests wait in the outbox, as when the
municipality's system is down.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from tests.developers.support import REVOKE, graphql, issue
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, MUNICIPALITIES_DIR
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve
from tests.support import free_port

#: A municipality whose requests wait in the outbox (its system is down).
DOWN = "la-vega"


@dataclasses.dataclass(frozen=True)
class Open311Hub:
    url: str
    provider: ProviderHandle
    database: Path
    #: API keys: with SUBMIT_OPEN311; READ_PUBLIC only; revoked (it had SUBMIT_OPEN311).
    submit_key: str
    read_only_key: str
    revoked_key: str

    def token(self, username: str) -> str:
        return self.provider.issue_access_token(username)


def _municipalities(directory: Path) -> Path:
    """The hub-store pilots, La Vega's requests bound to an unreachable SIMUVEGA."""
    target = directory / "municipalities"
    shutil.copytree(MUNICIPALITIES_DIR, target)
    demo: dict[str, Any] = yaml.safe_load(
        (DEMO_MUNICIPALITIES_DIR / f"{DOWN}.yaml").read_text(encoding="utf-8")
    )
    path = target / f"{DOWN}.yaml"
    local: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    local["sources"]["simuvega"] = {
        "connector": "sql",
        "url": f"postgresql+asyncpg://planasmun@127.0.0.1:{free_port()}/simuvega",
    }
    local["bindings"]["requests"] = demo["bindings"]["requests"]
    path.write_text(yaml.safe_dump(local, allow_unicode=True), encoding="utf-8")
    return target


@pytest.fixture(scope="package")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="package")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Open311Hub]:
    directory = tmp_path_factory.mktemp("open311-hub")
    app, _ = hub_app(
        directory,
        identity_settings(provider.issuer),
        municipalities_dir=_municipalities(directory),
    )
    with serve(app) as url, httpx.Client(base_url=url, timeout=20) as client:
        luis = provider.issue_access_token("luis")
        submit_key = issue(client, luis, name="App de reportes", scopes=("SUBMIT_OPEN311",))
        read_only = issue(client, luis, name="Mapa de datos", scopes=("READ_PUBLIC",))
        revoked = issue(client, luis, name="App retirada", scopes=("SUBMIT_OPEN311",))
        response = graphql(client, REVOKE, {"id": revoked["apiKey"]["id"]}, token=luis)
        assert response.json()["data"]["revokeApiKey"]["apiKey"]["active"] is False
        yield Open311Hub(
            url=url,
            provider=provider,
            database=directory / "hub.db",
            submit_key=submit_key["key"],
            read_only_key=read_only["key"],
            revoked_key=revoked["key"],
        )


@pytest.fixture
def client(hub: Open311Hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, timeout=20) as http:
        yield http
