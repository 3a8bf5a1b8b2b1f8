"""The API key service on a real migrated store: format, hashing, checks, cache, revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from starlette.types import Message, Receive, Scope, Send

from gateway.api_keys import ApiKeyMiddleware
from schema.developers.keys import (
    AlreadyRevoked,
    ApiKeyNotFound,
    ApiKeyProblem,
    ApiKeyRejected,
    ApiKeys,
    ApiKeyStoreUnavailable,
    ApiScope,
    NotNationalAdmin,
    hash_key,
    parse_key,
)
from schema.principal import SCOPE_KEY, Principal, PrincipalKind, StaffRole
from store.api_keys import ApiKeyRecord, ApiKeyStore
from store.migrate import alembic_config
from store.store import create_engine, metadata
from tests.developers.support import KEY_PATTERN
from tests.fixtures import FakeClock

LUIS = Principal("demo-lmd-0006", "Luis Manuel Díaz", PrincipalKind.NATIONAL_ADMIN)
ANA = Principal(
    "demo-personal-0003",
    "Ana Mercedes Castillo",
    PrincipalKind.STAFF,
    {"santo-domingo-este": frozenset({StaffRole.ADMIN})},
)


class WallClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def keys(store_url: str) -> AsyncIterator[ApiKeys]:
    service = ApiKeys(store_url)
    yield service
    await service.aclose()


def test_0003_follows_0002_with_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revision = script.get_revision("0003")
    assert revision is not None and revision.down_revision == "0002"


async def test_the_migration_matches_the_table(store_url: str) -> None:
    engine = create_engine(store_url)
    async with engine.connect() as connection:
        found = await connection.run_sync(
            lambda sync: (
                {c["name"] for c in sa.inspect(sync).get_columns("api_keys")},
                {u["name"] for u in sa.inspect(sync).get_unique_constraints("api_keys")},
            )
        )
    await engine.dispose()
    table = metadata.tables["api_keys"]
    assert found == ({c.name for c in table.columns}, {"uq_api_keys_prefix"})


def test_keys_are_parsed_strictly() -> None:
    good = "pm_0123456789ab_" + "A" * 43
    assert parse_key(good) == ("0123456789ab", "A" * 43)
    for bad in (good + "A", good[:-1], good.upper(), "pm_0123456789AB_" + "A" * 43, " " + good):
        assert parse_key(bad) is None
    assert hash_key(good) == hashlib.sha256(good.encode()).hexdigest()


async def test_a_key_is_shown_once_and_stored_as_a_hash(keys: ApiKeys) -> None:
    issued = await keys.issue(
        name="Guagua en vivo",
        contact_email="dev@guagua.example.do",
        scopes=[ApiScope.SUBMIT_OPEN311, ApiScope.READ_PUBLIC],
        by=LUIS,
        client_address="203.0.113.9",
    )
    assert re.fullmatch(KEY_PATTERN, issued.key)
    assert issued.key not in repr(issued) and issued.record.secret_hash not in repr(issued)
    assert issued.record.scopes == ("read_public", "submit_open311")
    stored = await keys.store.get(issued.record.id)
    assert stored is not None and stored.secret_hash == hash_key(issued.key)
    grant = await keys.verify(issued.key)
    assert grant.key_id == issued.record.id
    assert grant.scopes == {ApiScope.READ_PUBLIC, ApiScope.SUBMIT_OPEN311}
    (entry,) = await keys.audit.tail(1)
    assert (entry.action, entry.record_id, entry.client_address) == (
        "api_key_issued",
        issued.record.id,
        "203.0.113.9",
    )


async def test_only_the_national_admin_manages_keys(keys: ApiKeys) -> None:
    """Defence in depth: the service refuses what the schema's permission already refuses."""
    with pytest.raises(NotNationalAdmin):
        await keys.issue(name="x", contact_email="x@y.do", scopes=[ApiScope.READ_PUBLIC], by=ANA)
    issued = await keys.issue(
        name="x", contact_email="x@y.do", scopes=[ApiScope.READ_PUBLIC], by=LUIS
    )
    with pytest.raises(NotNationalAdmin):
        await keys.revoke(issued.record.id, by=ANA)
    with pytest.raises(NotNationalAdmin):
        await keys.list_keys(by=ANA)
    with pytest.raises(ApiKeyNotFound):
        await keys.revoke("no-existe", by=LUIS)


async def test_revocation_is_immediate_here_and_within_the_cache_lifetime_elsewhere(
    store_url: str,
) -> None:
    clock = FakeClock()
    here = ApiKeys(store_url, monotonic=clock)
    elsewhere = ApiKeys(store_url, monotonic=clock, cache_seconds=10)  # another worker
    try:
        issued = await here.issue(
            name="Dos procesos", contact_email="a@b.do", scopes=[ApiScope.READ_PUBLIC], by=LUIS
        )
        assert await here.is_known(issued.key) and await elsewhere.is_known(issued.key)
        await here.revoke(issued.record.id, by=LUIS)
        with pytest.raises(ApiKeyRejected) as refused:
            await here.verify(issued.key)
        assert refused.value.problem is ApiKeyProblem.REVOKED
        assert await elsewhere.is_known(issued.key)  # its cached answer, for a few seconds
        clock.now += 10
        assert not await elsewhere.is_known(issued.key)
        with pytest.raises(AlreadyRevoked):
            await elsewhere.revoke(issued.record.id, by=LUIS)
        (revoked,) = await here.list_keys(by=LUIS)
        assert revoked.revoked_by == LUIS.subject and revoked.revoked_at is not None
    finally:
        await here.aclose()
        await elsewhere.aclose()


async def test_answers_are_cached_and_last_use_is_recorded_once_a_minute(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, wall = FakeClock(), WallClock()
    keys = ApiKeys(store_url, monotonic=clock, now=wall, cache_seconds=5)
    lookups: list[str] = []
    original = ApiKeyStore.find_by_prefix

    async def counted(self: ApiKeyStore, prefix: str) -> ApiKeyRecord | None:
        lookups.append(prefix)
        return await original(self, prefix)

    async def last_used(key_id: str) -> dt.datetime | None:
        record = await keys.store.get(key_id)
        assert record is not None
        return record.last_used_at

    monkeypatch.setattr(ApiKeyStore, "find_by_prefix", counted)
    try:
        issued = await keys.issue(
            name="Caché", contact_email="a@b.do", scopes=[ApiScope.READ_PUBLIC], by=LUIS
        )
        wrong = issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")
        for _ in range(3):
            await keys.verify(issued.key)
            assert not await keys.is_known(wrong)
        assert len(lookups) == 2  # one per distinct key, then the cache answers
        first = await last_used(issued.record.id)
        assert first == wall.now

        clock.now += 5
        wall.now += dt.timedelta(seconds=30)
        await keys.verify(issued.key)  # looked up again, but used less than a minute ago
        assert await last_used(issued.record.id) == first
        clock.now += 5
        wall.now += dt.timedelta(seconds=31)
        await keys.verify(issued.key)
        assert await last_used(issued.record.id) == wall.now
        assert len(lookups) == 4
    finally:
        await keys.aclose()


async def test_an_unavailable_store_refuses_with_503(tmp_path: Path) -> None:
    """Never migrated: the table is missing, and nothing is let through unchecked."""
    keys = ApiKeys(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    key = "pm_0123456789ab_" + "A" * 43
    with pytest.raises(ApiKeyStoreUnavailable):
        await keys.verify(key)
    assert not await keys.is_known(key)

    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": "/graphql",
        "headers": [(b"x-api-key", key.encode())],
    }
    await ApiKeyMiddleware(app, keys=keys)(scope, receive, send)
    assert sent[0]["status"] == 503 and reached == []
    await keys.aclose()


async def test_the_middleware_adds_scopes_to_a_signed_in_principal(keys: ApiKeys) -> None:
    issued = await keys.issue(
        name="Con sesión", contact_email="a@b.do", scopes=[ApiScope.SUBMIT_OPEN311], by=LUIS
    )
    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    async def nothing() -> Message:
        return {"type": "websocket.connect"}

    async def ignore(message: Message) -> None:
        raise AssertionError(f"nothing should be sent: {message}")

    headers = [(b"x-api-key", issued.key.encode())]
    scope: Scope = {"type": "http", "headers": headers, SCOPE_KEY: ANA}
    await ApiKeyMiddleware(app, keys=keys)(scope, nothing, ignore)
    principal = reached[0][SCOPE_KEY]
    assert principal.kind is PrincipalKind.STAFF
    assert principal.staff_roles == ANA.staff_roles
    assert principal.scopes == {"submit_open311"}

    closed: list[Message] = []

    async def record(message: Message) -> None:
        closed.append(message)

    refused = {"type": "websocket", "headers": [(b"x-api-key", b"pm_nope")]}
    await ApiKeyMiddleware(app, keys=keys)(refused, nothing, record)
    assert closed == [{"type": "websocket.close", "code": 1008}]
    assert len(reached) == 1
