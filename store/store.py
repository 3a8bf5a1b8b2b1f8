"""The hub's own store: tables for what a municipality without a system keeps here.

The schema is owned by Alembic migrations (`store/migrations`); these table
objects describe it for queries and must match the latest migration (a test checks).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text, false
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()

services = Table(
    "services",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("requirements", JSON, nullable=False),
    # Money as integer cents: exact, and portable across SQLite and PostgreSQL.
    Column("fee_cents", Integer, nullable=True),
    Column("fee_currency", String(3), nullable=False, server_default="DOP"),
    Column("duration_days", Integer, nullable=True),
    Column("channels", JSON, nullable=False),
    Column("legal_basis", Text, nullable=True),
    Column("demo", Boolean, nullable=False, server_default=false()),
)


def create_engine(url: str) -> AsyncEngine:
    """An async engine for the hub store; SQLite gets a busy timeout for several workers.

    Statement parameters never appear in SQLAlchemy's errors and logs (`hide_parameters`):
    they may be citizens' personal data.
    """
    if url.startswith("sqlite"):
        return create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
