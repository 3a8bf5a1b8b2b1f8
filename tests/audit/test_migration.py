"""Revision 0002: the tables match the module's, one head, and no careless downgrade."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

import store.audit  # noqa: F401  (registers audit_log, audit_head in metadata)
from store.audit import GENESIS_HASH, AuditLog
from store.migrate import alembic_config, upgrade, upgrade_async
from store.store import create_engine, metadata
from tests.audit.helpers import fill
from tests.support import PROJECT_ROOT


def test_one_head_and_0002_follows_0001() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"the migrations have branched: {script.get_heads()}"
    revision = script.get_revision("0002")
    assert revision is not None and revision.down_revision == "0001"


async def test_migrations_match_the_table_definitions(tmp_path: Path) -> None:
    """As tests/connectors/test_native.py checks, with the audit tables registered."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    async with engine.connect() as connection:
        found = await connection.run_sync(
            lambda sync: {
                table: (
                    {c["name"] for c in sa.inspect(sync).get_columns(table)},
                    {i["name"] for i in sa.inspect(sync).get_indexes(table)},
                )
                for table in sa.inspect(sync).get_table_names()
                if table != "alembic_version"
            }
        )
    await engine.dispose()
    expected = {
        t.name: ({c.name for c in t.columns}, {i.name for i in t.indexes})
        for t in metadata.sorted_tables
    }
    assert {"audit_log", "audit_head"} <= set(found)
    assert {name: columns for name, (columns, _) in found.items()} == {
        name: columns for name, (columns, _) in expected.items()
    }
    for table in ("audit_log", "audit_head"):
        assert found[table] == expected[table]


async def test_the_head_starts_at_genesis(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.text("SELECT id, seq, hash FROM audit_head"))).all()
    assert [tuple(row) for row in rows] == [(1, 0, GENESIS_HASH)]


async def test_downgrade_refuses_to_drop_entries(store_url: str, log: AuditLog) -> None:
    # An empty log may go (and come back); one with entries may not.
    assert await _downgrade(store_url, "0001") == (0, "")
    await upgrade_async(store_url)
    await fill(log, 2)
    code, err = await _downgrade(store_url, "0001")
    assert code != 0 and "audit_log holds 2 entries" in err
    assert (await log.verify()).checked == 2


async def _downgrade(url: str, revision: str) -> tuple[int, str]:
    # In a process of its own: Alembic's async env leaves its engine undisposed when a
    # migration raises, and this test makes one raise on purpose.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from alembic import command; "
        "from store.migrate import alembic_config; "
        "command.downgrade(alembic_config(sys.argv[1]), sys.argv[2])",
        url,
        revision,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    lines = [line for line in stderr.decode().splitlines() if not line.startswith("INFO")]
    return process.returncode, "\n".join(lines)


def test_upgrade_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url)
    upgrade(url)
