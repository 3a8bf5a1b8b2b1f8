"""Fixtures: the bundled OpenID provider, and the hub over real HTTP with María's and
Juan's profiles written through the API (with consent)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from tests.identity.support import CLIENT_SECRET
from tests.privacy.personal_values import DEMO_CITIZENS
from tests.privacy.support import PrivacyHub, privacy_hub


@pytest.fixture(scope="package")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="package")
def hub(provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivacyHub]:
    """Shared by tests that only read: María (Santo Domingo Este) and Juan (Santiago)
    have profiles. Tests that change data start a hub of their own (`fresh_hub`)."""
    with privacy_hub(tmp_path_factory.mktemp("privacy-hub"), provider) as running:
        for citizen in DEMO_CITIZENS:
            running.write_profile(citizen)
        yield running


@pytest.fixture
def fresh_hub(provider: ProviderHandle, tmp_path: Path) -> Iterator[PrivacyHub]:
    """A hub of this test's own, with no profile yet."""
    with privacy_hub(tmp_path, provider) as running:
        yield running


@pytest.fixture
def client(hub: PrivacyHub) -> Iterator[httpx.Client]:
    with hub.client() as http:
        yield http
