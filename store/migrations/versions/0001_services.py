"""The services catalogue of municipalities served by the hub store.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("municipality_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("requirements", sa.JSON, nullable=False),
        sa.Column("fee_cents", sa.Integer, nullable=True),
        sa.Column("fee_currency", sa.String(3), nullable=False, server_default="DOP"),
        sa.Column("duration_days", sa.Integer, nullable=True),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=True),
        sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("services")
