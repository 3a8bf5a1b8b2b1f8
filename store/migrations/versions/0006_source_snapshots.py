"""The last known answers of cached reads, kept across restarts and shared by workers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_snapshots",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_source_snapshots_stored_at", "source_snapshots", ["stored_at"])


def downgrade() -> None:
    # Public data only, read again from the sources: nothing is lost by dropping it.
    op.drop_index("ix_source_snapshots_stored_at", table_name="source_snapshots")
    op.drop_table("source_snapshots")
