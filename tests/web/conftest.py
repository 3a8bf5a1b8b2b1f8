"""Fixtures for the web client: the live demo hub over HTTP, and in-process hubs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

import web
from connectors import (
    Binding,
    Capability,
    Connector,
    HealthReport,
    Record,
    RecordKey,
    TransientError,
    default_registry,
)
from gateway.app import create_app
from gateway.hub import Hub
from gateway.identity.sessions import SESSION_COOKIE
from gateway.settings import Settings
from tests.fixtures import MUNICIPALITIES_DIR as NATIVE_MUNICIPALITIES_DIR
from tests.privacy.support import prepare_demo_data
from tests.web.staff_support import prepare_staff_demo_data, write_failed_delivery
from web.routing import ExampleURL
from web.staff_pages import demo_tracking_number


@pytest.fixture
def client(live_hub: str) -> Iterator[httpx.Client]:
    """A browser-like client of the live hub: asks for HTML, keeps cookies per test."""
    with httpx.Client(base_url=live_hub, headers={"Accept": "text/html"}, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
def demo_sessions(live_hub: str, live_hub_dir: Path) -> Mapping[str, str]:
    """Session cookies of the demo citizens on the live hub, by username, for the examples
    that sign in (`Example.signed_in_as`). María writes her profile and a staff member
    reads it first, so that her pages show everything they can. The staff console's
    examples need a request of Santo Domingo Este and the demo staff's sessions, and its
    failed deliveries' page a delivery given up on (no demo system refuses one by itself:
    it is written into the hub's store)."""
    sessions = prepare_demo_data(live_hub)
    sessions.update(prepare_staff_demo_data(live_hub, demo_tracking_number(1)))
    write_failed_delivery(f"sqlite+aiosqlite:///{live_hub_dir / 'hub.db'}", demo_tracking_number(1))
    return sessions


def example_headers(
    example: ExampleURL, sessions: Mapping[str, str], **cookies: str
) -> dict[str, str]:
    """Headers to GET an example: the preference cookies given, and the session of the
    account it signs in as."""
    if example.signed_in_as is not None:
        cookies[SESSION_COOKIE] = sessions[example.signed_in_as]
    if not cookies:
        return {}
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


class DownConnector(Connector):
    """A source that is down: every read fails the way an unreachable system does."""

    kind = "test-down"
    capabilities = frozenset({Capability.SERVICES})

    async def check(self) -> HealthReport:
        return HealthReport(ok=False, message="down for the test")

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        raise TransientError("test source is down")

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        raise TransientError("test source is down")


def _municipalities_with_santiago_down(directory: Path) -> Path:
    directory.mkdir()
    for name in ("santiago", "jarabacoa", "manabao"):
        text = (NATIVE_MUNICIPALITIES_DIR / f"{name}.yaml").read_text(encoding="utf-8")
        if name == "santiago":
            text = text.replace("connector: native", f"connector: {DownConnector.kind}")
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
async def hub_with_a_source_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Hub]:
    """Santiago's services come from a source that is down; Jarabacoa's and Manabao's work."""
    # The registry is process-wide: give it back afterwards without the test kind, so that
    # no other test sees "test-down" among the known kinds.
    monkeypatch.setattr(default_registry, "_extra", dict(default_registry._extra))
    monkeypatch.setattr(default_registry, "_loaded", dict(default_registry._loaded))
    default_registry.register(DownConnector)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=_municipalities_with_santiago_down(tmp_path / "municipalities"),
    )
    hub = Hub(settings)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.close()


def asgi_client(app: Starlette) -> httpx.AsyncClient:
    """In-process HTTP; the hub is started by the fixture (ASGITransport runs no lifespan)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Accept": "text/html"},
    )


@pytest.fixture
def gateway_app(hub_with_a_source_down: Hub) -> Starlette:
    return create_app(hub=hub_with_a_source_down)


@pytest.fixture
def web_only_app(hub_with_a_source_down: Hub) -> Starlette:
    """The web client as the gateway should mount it, with its exception handlers."""
    app = Starlette(
        routes=web.build_routes(hub_with_a_source_down.schema),
        exception_handlers=dict(web.exception_handlers()),
    )
    app.state.hub = hub_with_a_source_down
    return app
