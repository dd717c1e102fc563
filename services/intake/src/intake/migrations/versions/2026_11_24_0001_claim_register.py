"""The claim register, with the runtime's outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from runtime.migrations import create_outbox_and_inbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=False),
        sa.Column("claim_type", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("debtor_sealed", sa.Text(), nullable=False),
        sa.Column("debtor_kind", sa.Text(), nullable=False),
        sa.Column("debtor_name", sa.Text(), nullable=False),
        sa.Column("debtor_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("original_principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("original_kid", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("property", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("principal_ore >= 0", name="claim_principal_not_negative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality", "invoice_number", name="claim_invoice_unique"),
    )
    op.create_index("claim_list", "claim", ["municipality", "status", "due_date"], unique=False)
    op.create_index(op.f("ix_claim_debtor_ref"), "claim", ["debtor_ref"], unique=False)
    op.create_table(
        "idempotency_key",
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client", "key"),
    )
    op.create_table(
        "municipality",
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("orgnr", sa.String(length=9), nullable=False),
        sa.Column("claim_types", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("served", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("merged_into", sa.String(length=4), nullable=True),
        sa.PrimaryKeyConstraint("kommunenummer"),
        sa.UniqueConstraint("orgnr"),
    )
    op.create_table(
        "rejection",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("problems", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "adjustment",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("principal_before_ore", sa.BigInteger(), nullable=False),
        sa.Column("principal_after_ore", sa.BigInteger(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("adjusted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    create_outbox_and_inbox()


def downgrade() -> None:
    for table in ("rejection", "adjustment", "claim", "idempotency_key", "municipality"):
        op.drop_table(table)
    op.drop_table("outbox")
    op.drop_table("inbox")
