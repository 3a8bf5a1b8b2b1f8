"""Service requests, their status history, attachments and tracking-number counters, and
the outbox that delivers requests and e-mails.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tracking_number", sa.String(24), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_by", sa.Date, nullable=True),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("upstream_ref", sa.String(80), nullable=True),
        sa.Column("citizen_subject", sa.String(200), nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("answers", sa.JSON, nullable=True),
        sa.Column("consent_id", sa.String(32), nullable=True),
        sa.Column("assigned_to", sa.String(200), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("tracking_number", name="uq_service_requests_tracking"),
        sa.UniqueConstraint(
            "citizen_subject", "idempotency_key", name="uq_service_requests_idempotency"
        ),
    )
    op.create_index(
        "ix_service_requests_queue",
        "service_requests",
        ["municipality_id", "status", "submitted_at"],
    )
    op.create_index("ix_service_requests_citizen", "service_requests", ["citizen_subject"])
    op.create_table(
        "request_status_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=True),
    )
    op.create_index(
        "ix_request_status_changes_request", "request_status_changes", ["request_id", "id"]
    )
    op.create_table(
        "request_counters",
        sa.Column("municipality_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "request_attachments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_request_attachments_request", "request_attachments", ["request_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_request", "outbox", ["request_id"])


def downgrade() -> None:
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM service_requests")).scalar_one()
    if held:
        raise RuntimeError(
            f"service_requests holds {held} citizens' requests: export them before "
            "downgrading below revision 0005"
        )
    op.drop_table("outbox")
    op.drop_table("request_attachments")
    op.drop_table("request_counters")
    op.drop_table("request_status_changes")
    op.drop_table("service_requests")
