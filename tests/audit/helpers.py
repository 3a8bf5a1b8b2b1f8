"""Helpers for the audit log tests: typical entries, and an attacker with SQL access."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.audit import AuditEntry, AuditLog


def staff_read(n: int, *, municipality: str = "santiago", subject: str = "c-0001") -> AuditEntry:
    """A typical entry: a staff agent reads a citizen's request."""
    return AuditEntry(
        actor=f"s-{municipality}-agent",
        actor_role=f"staff:{municipality}:agent",
        action="read_personal_data",
        record_type="service_request",
        record_id=f"req-{n}",
        fields=["name", "phone"],
        municipality_id=municipality,
        client_address="192.0.2.10",
        purpose="atender la solicitud",
        data_subject=subject,
    )


async def fill(log: AuditLog, count: int) -> None:
    for n in range(1, count + 1):
        await log.append(staff_read(n))


async def tamper(engine: AsyncEngine, *statements: str) -> None:
    """Run SQL on the audit tables as an attacker with database access would: with the
    append-only triggers out of the way, and put back afterwards."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # The owner may disable its triggers inside a transaction.
            for table in ("audit_log", "audit_head"):
                await connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for statement in statements:
                await connection.exec_driver_sql(statement)
            for table in ("audit_log", "audit_head"):
                await connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        triggers = (
            await connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_log', 'audit_head')"
            )
        ).all()
        assert triggers, "the migration installed no triggers"
        for trigger in triggers:
            await connection.exec_driver_sql(f"DROP TRIGGER {trigger.name}")
        for statement in statements:
            await connection.exec_driver_sql(statement)
        for trigger in triggers:
            await connection.exec_driver_sql(trigger.sql)


async def scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as connection:
        return (await connection.execute(sa.text(sql))).scalar_one()
