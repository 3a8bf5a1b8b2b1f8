"""Erased personal data must not linger in the database files (Ley 172-13, cancellation).

An UPDATE that blanks a column leaves the old value behind: SQLite in free space on its
pages, PostgreSQL in the old row version (a dead tuple) until VACUUM reclaims it. So an
erasure runs in two steps:

* inside its transaction, `overwrite_freed_space` turns on SQLite's `secure_delete`, which
  zeroes the space the old values occupied as they are replaced;
* after the commit, `vacuum_erased` runs `VACUUM` on PostgreSQL over the tables the
  erasure touched, so the dead versions are removed at once rather than whenever
  autovacuum gets to them. (VACUUM cannot run in a transaction: it gets a connection of
  its own in autocommit mode.)

What stays outside the hub's reach, and is handled by operations policy (see README,
"Personal data and backups"): PostgreSQL's write-ahead log until its segments are
recycled, and backups until they expire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["overwrite_freed_space", "vacuum_erased"]

log = logging.getLogger("planasmun.store")


async def overwrite_freed_space(connection: AsyncConnection) -> None:
    """Call at the start of an erasing transaction."""
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql("PRAGMA secure_delete = ON")


async def vacuum_erased(engine: AsyncEngine, tables: Iterable[sa.Table]) -> None:
    """Call after an erasure committed; never raises (autovacuum remains the backstop)."""
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(engine.dialect.identifier_preparer.format_table(t) for t in tables)
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(f"VACUUM {names}")
    except sa.exc.SQLAlchemyError as error:
        log.warning(
            "VACUUM after an erasure failed (%s); autovacuum will reclaim the rows",
            type(error).__name__,
        )
