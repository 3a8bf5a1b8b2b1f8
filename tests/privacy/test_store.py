"""`store.citizens` on SQLite and PostgreSQL: profiles, consents, erasure,
counts, and the migration that creates them."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from store.citizens import CitizenStore, Consent, ProfileChanges
from store.migrate import alembic_config, upgrade_async
from store.store import create_engine
from tests.privacy.personal_values import JUAN, MARIA
from tests.support import fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
        await upgrade_async(url)
        engine = create_engine(url)
        yield engine
        await engine.dispose()
        return
    async with fresh_postgres_database() as url:
        await upgrade_async(url)
        engine = create_engine(url)
        yield engine
        await engine.dispose()


def _changes(citizen: object = MARIA, **override: str | None) -> ProfileChanges:
    values: dict[str, str | None] = {
        "municipality_id": MARIA.municipality,
        "name": MARIA.name,
        "cedula": MARIA.cedula,
        "phone": MARIA.phone,
        "email": MARIA.email,
        "address": MARIA.address,
    }
    values.update(override)
    return ProfileChanges(**values)


def test_0004_follows_the_api_keys() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revision = script.get_revision("0004")
    assert revision is not None and revision.down_revision == "0003"


async def test_a_profile_is_created_empty_then_rectified(engine: AsyncEngine) -> None:
    changes: list[int] = []
    store = CitizenStore(engine, on_change=lambda: changes.append(1))
    assert await store.profile(MARIA.subject) is None
    empty, again = await asyncio.gather(
        store.ensure_profile(MARIA.subject), store.ensure_profile(MARIA.subject)
    )
    assert empty.id == again.id and empty.held() == ()
    saved = await store.update_profile(empty.id, _changes())
    assert saved is not None and saved.cedula == MARIA.cedula
    assert saved.held() == ("name", "cedula", "phone", "email", "address")
    assert (await store.profile(MARIA.subject)) == saved
    # The repr (logs, tracebacks) holds no personal value.
    assert MARIA.cedula not in repr(saved) and MARIA.name not in repr(saved)
    assert MARIA.phone not in repr(_changes())
    assert changes  # every write tells the hub (its response cache)


async def test_changed_fields_compare_with_what_is_stored(engine: AsyncEngine) -> None:
    store = CitizenStore(engine)
    assert _changes().changed_fields(None) == (
        "municipality_id",
        "name",
        "cedula",
        "phone",
        "email",
        "address",
    )
    profile = await store.update_profile((await store.ensure_profile(MARIA.subject)).id, _changes())
    assert _changes(phone="809-555-0199", address=None).changed_fields(profile) == (
        "phone",
        "address",
    )


async def test_erasure_keeps_an_anonymous_row_and_withdraws_consents(engine: AsyncEngine) -> None:
    store = CitizenStore(engine)
    for citizen in (MARIA, JUAN):
        profile = await store.ensure_profile(citizen.subject)
        await store.update_profile(profile.id, _changes(name=citizen.name))
        await store.add_consent(Consent.given(profile.id, "datos_de_contacto", "v1"))
    maria = await store.profile(MARIA.subject)
    assert maria is not None
    assert await store.statistics() == {"profiles": 2, "erased": 0}

    erasure = await store.erase(MARIA.subject)
    assert erasure is not None
    assert (erasure.profile_id, erasure.consents_withdrawn) == (maria.id, 1)
    assert erasure.fields == ("name", "cedula", "phone", "email", "address")
    assert await store.profile(MARIA.subject) is None
    assert await store.consents(MARIA.subject) == []
    assert await store.erase(MARIA.subject) is None
    assert await store.statistics() == {"profiles": 2, "erased": 1}
    async with engine.connect() as connection:
        row = (
            (
                await connection.execute(
                    sa.text("SELECT * FROM citizen_profiles WHERE id = :id"), {"id": maria.id}
                )
            )
            .mappings()
            .one()
        )
        consents = (
            await connection.execute(
                sa.text("SELECT withdrawn_at FROM citizen_consents WHERE profile_id = :id"),
                {"id": maria.id},
            )
        ).all()
    assert {k: row[k] for k in ("subject", "name", "cedula", "phone", "email", "address")} == (
        dict.fromkeys(("subject", "name", "cedula", "phone", "email", "address"))
    )
    assert row["municipality_id"] == MARIA.municipality and row["erased_at"] is not None
    assert [c.withdrawn_at is not None for c in consents] == [True]
    # Juan is untouched; a rectification of an erased profile finds nothing.
    juan = await store.profile(JUAN.subject)
    assert juan is not None and juan.name == JUAN.name
    assert (await store.consents(JUAN.subject))[0].active
    assert await store.update_profile(maria.id, _changes()) is None
    # María may start again: a new profile, not the old one.
    fresh = await store.ensure_profile(MARIA.subject)
    assert fresh.id != maria.id and fresh.held() == ()


def test_profile_changes_know_whether_they_hold_personal_data() -> None:
    assert _changes().has_personal_data
    nothing = dataclasses.replace(
        _changes(), name=None, cedula=None, phone=None, email=None, address=None
    )
    assert not nothing.has_personal_data
