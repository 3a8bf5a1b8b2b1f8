"""Citizens' profiles and consents (Ley 172-13): what the hub holds about a person.

`citizen_profiles` is keyed by an opaque id (what the audit log names) and found by the
identity provider's subject, which becomes NULL when the citizen asks for cancellation:
the anonymised row stays for statistics. `citizen_consents` records each consent with
its purpose, text version, time and withdrawal.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_profiles",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("municipality_id", sa.String(64), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("cedula", sa.String(13), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("subject", name="uq_citizen_profiles_subject"),
    )
    op.create_index("ix_citizen_profiles_municipality", "citizen_profiles", ["municipality_id"])
    op.create_table(
        "citizen_consents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "profile_id",
            sa.String(32),
            sa.ForeignKey("citizen_profiles.id", name="fk_citizen_consents_profile"),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("text_version", sa.String(64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_citizen_consents_profile", "citizen_consents", ["profile_id"])


def downgrade() -> None:
    # Profiles and consents are citizens' data and the proof of their consent: a routine
    # downgrade must not drop them by accident.
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM citizen_profiles")).scalar_one()
    if held:
        raise RuntimeError(
            f"citizen_profiles holds {held} profiles: export and drop them by hand "
            "before downgrading below revision 0004"
        )
    op.drop_index("ix_citizen_consents_profile", table_name="citizen_consents")
    op.drop_table("citizen_consents")
    op.drop_index("ix_citizen_profiles_municipality", table_name="citizen_profiles")
    op.drop_table("citizen_profiles")
