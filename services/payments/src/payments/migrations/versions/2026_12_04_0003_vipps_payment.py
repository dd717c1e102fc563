"""Vipps payments in a table of their own (they lived in ``idempotency_key`` until now).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vipps_payment",
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("shares", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("captured_ore", sa.BigInteger(), nullable=False),
        sa.Column("psp_reference", sa.Text(), nullable=True),
        sa.Column("issue", sa.Text(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("booked_at", STAMP, nullable=True),
        sa.CheckConstraint(
            "state IN ('created', 'authorized', 'captured', 'cancelled', 'expired', 'refunded')",
            name="vipps_payment_state",
        ),
        sa.CheckConstraint("amount_ore > 0 AND captured_ore >= 0", name="vipps_payment_amounts"),
        sa.PrimaryKeyConstraint("reference"),
    )
    op.create_index("ix_vipps_payment_debtor_ref", "vipps_payment", ["debtor_ref"], unique=False)
    # The Vipps payments kept in idempotency_key before this table are dropped: none is live
    # (payments answered Min side 401 until this release, so none was ever created by it).
    op.execute("DELETE FROM idempotency_key WHERE client = 'vipps'")


def downgrade() -> None:
    op.drop_index("ix_vipps_payment_debtor_ref", table_name="vipps_payment")
    op.drop_table("vipps_payment")
