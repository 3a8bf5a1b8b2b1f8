"""The real app's rate limiter counts a known key on the key's own budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.settings import Settings
from schema.developers.keys import ApiScope
from schema.principal import Principal, PrincipalKind
from tests.fixtures import MUNICIPALITIES_DIR

LUIS = Principal("demo-lmd-0006", "Luis Manuel Díaz", PrincipalKind.NATIONAL_ADMIN)
QUERY = {"query": "{ __typename }"}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=MUNICIPALITIES_DIR,
        demo_data_dir=tmp_path / "demo",
        response_cache_seconds=0,
        # Nothing refills during the test: only the bursts count.
        rate_limit_per_minute_ip=1,
        rate_limit_burst_ip=2,
        rate_limit_per_minute_key=1,
        rate_limit_burst_key=4,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def _client(app: Starlette, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://hub"
    )


async def _statuses(http: httpx.AsyncClient, n: int, key: str | None = None) -> list[int]:
    headers = {} if key is None else {"X-Api-Key": key}
    return [
        (await http.post("/graphql", json=QUERY, headers=headers)).status_code for _ in range(n)
    ]


async def test_a_known_key_has_its_own_budget(app: Starlette) -> None:
    keys = [
        (
            await app.state.hub.api_keys.issue(
                name=f"Presupuesto propio {n}",
                contact_email="a@b.do",
                scopes=[ApiScope.READ_PUBLIC],
                by=LUIS,
            )
        ).key
        for n in range(2)
    ]
    async with _client(app, "203.0.113.20") as http:
        # Each key's burst (4), not the address's (2), nor one shared by the keys of an
        # address; and the address's own budget is left untouched.
        assert await _statuses(http, 5, keys[0]) == [200, 200, 200, 200, 429]
        assert await _statuses(http, 5, keys[1]) == [200, 200, 200, 200, 429]
        assert await _statuses(http, 3) == [200, 200, 429]


async def test_an_unknown_key_is_counted_as_its_address(app: Starlette) -> None:
    made_up = [f"pm_{n:012x}_" + "A" * 43 for n in range(3)]
    async with _client(app, "203.0.113.21") as http:
        # A fresh made-up key per request buys nothing: the address's burst (2) applies.
        answers = [await _statuses(http, 1, key) for key in made_up]
    assert answers == [[401], [401], [429]]
