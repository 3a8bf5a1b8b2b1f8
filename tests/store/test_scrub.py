"""Erased personal data does not linger in the database files."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from store.citizens import CitizenStore, ProfileChanges
from store.migrate import upgrade_async
from store.requests import NewRequest, RequestStore
from store.store import create_engine
from tests.support import fresh_postgres_database

WRITTEN = "Mi vecino Rigoberto Almánzar tira basura en el solar baldío"
NAME = "Altagracia Minerva Sosa"


def _secure_delete_off(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete = OFF")
    cursor.close()


def _files(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.glob("hub.db*")))


def _request(subject: str) -> NewRequest:
    return NewRequest(
        municipality_id="jarabacoa",
        short_code="JAR",
        service_id="JAR-SAN-01",
        service_name="Denuncia de vertedero",
        citizen_subject=subject,
        # Long enough to spill onto overflow pages, which SQLite frees without zeroing
        # them unless `secure_delete` is on.
        description=" ".join([WRITTEN] * 120),
        address="Calle del Sol 4",
        deliver=False,
    )


async def test_sqlite_files_hold_no_trace_after_erasure(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_async(url)
    engine = create_engine(url)
    # Some builds turn secure_delete on by default (Debian's does): start from off, as
    # other builds do, so that the erasure must turn it on itself.
    sa.event.listen(engine.sync_engine, "connect", _secure_delete_off)
    try:
        citizens, requests = CitizenStore(engine), RequestStore(engine)
        profile = await citizens.ensure_profile("sub-x")
        await citizens.update_profile(
            profile.id, ProfileChanges(municipality_id="jarabacoa", name=NAME)
        )
        await requests.submit(_request("sub-x"))
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        held = _files(tmp_path)
        assert WRITTEN.encode() in held  # the check can see them
        assert NAME.encode() in held
        await requests.erase_citizen("sub-x")
        await citizens.erase("sub-x")
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await engine.dispose()
    held = _files(tmp_path)
    assert WRITTEN.encode() not in held
    assert NAME.encode() not in held


@pytest.mark.postgres
async def test_postgresql_vacuums_the_erased_tables_at_once() -> None:
    async with fresh_postgres_database() as url:
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            requests = RequestStore(engine)
            await requests.submit(_request("sub-y"))
            await requests.erase_citizen("sub-y")
            query = sa.text(
                "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'service_requests'"
            )
            vacuumed = False
            for _ in range(50):  # statistics are flushed asynchronously
                async with engine.connect() as connection:
                    vacuumed = bool((await connection.execute(query)).scalar())
                if vacuumed:
                    break
                await asyncio.sleep(0.1)
            assert vacuumed
        finally:
            await engine.dispose()
