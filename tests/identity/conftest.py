"""Fixtures: the bundled OpenID provider and a hub with login wired in, both over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from gateway.identity import Identity
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    """The demo provider on a free loopback port; the hub is its client `planasmun-web`."""
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@dataclasses.dataclass(frozen=True)
class Hub:
    url: str
    identity: Identity
    provider: ProviderHandle


@pytest.fixture(scope="module")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The gateway app (demo municipalities on the hub store) with login, under uvicorn."""
    app, identity = hub_app(
        tmp_path_factory.mktemp("identity-hub"),
        identity_settings(provider.issuer, jwks_min_refresh_seconds=0),
    )
    with serve(app) as url:
        yield Hub(url, identity, provider)
