"""Fixtures: the bundled OpenID provider and the real hub over HTTP, with a scope probe."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from schema.principal import principal_from_connection
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve


async def scopes_probe(request: Request) -> JSONResponse:
    """Test-only: who the request is, and what its API key grants."""
    principal = principal_from_connection(request)
    return JSONResponse(
        {
            "subject": principal.subject,
            "kind": principal.kind.value,
            "scopes": sorted(principal.scopes),
        }
    )


@dataclasses.dataclass(frozen=True)
class Hub:
    url: str
    provider: ProviderHandle
    #: The hub store's SQLite file, to look at what it holds.
    database: Path

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.database}"

    def token(self, username: str) -> str:
        return self.provider.issue_access_token(username)


@pytest.fixture(scope="package")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="package")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The gateway app (demo municipalities on the hub store) under uvicorn."""
    directory = tmp_path_factory.mktemp("developers-hub")
    app, _ = hub_app(directory, identity_settings(provider.issuer))
    app.router.routes.insert(0, Route("/_scopes", scopes_probe))
    with serve(app) as url:
        yield Hub(url, provider, directory / "hub.db")
