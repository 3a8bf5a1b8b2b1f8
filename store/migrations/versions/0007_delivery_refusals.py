"""Why a municipality's system refused a request: kept with the failed delivery (for its
reviewers) and with the request (for the citizen's tracking page).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("reason", sa.String(300), nullable=True))
    op.add_column("service_requests", sa.Column("refusal_reason", sa.String(300), nullable=True))


def downgrade() -> None:
    # Only the upstream's words are lost: the error code stays in `outbox.last_error`.
    with op.batch_alter_table("service_requests") as batch:
        batch.drop_column("refusal_reason")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("reason")
