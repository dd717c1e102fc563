"""Cases, steps, fees, plans, flags, the work list and loaded policies; outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from runtime.migrations import create_outbox_and_inbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONB = postgresql.JSONB(astext_type=sa.Text())
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_version",
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("policy_id", "version"),
    )
    op.create_table(
        "dunning_case",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("debtor_kind", sa.Text(), nullable=False),
        sa.Column("debtor_name", sa.Text(), nullable=False),
        sa.Column("debtor_sealed", sa.Text(), nullable=False),
        sa.Column("debtor_address", JSONB, nullable=True),
        sa.Column("claim_type", sa.Text(), nullable=False),
        sa.Column("primary_claim_id", sa.UUID(), nullable=False),
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("paused_for", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("hold_until", sa.Date(), nullable=True),
        sa.Column("next_action_date", sa.Date(), nullable=True),
        sa.Column("next_step_key", sa.Text(), nullable=True),
        sa.Column("history", JSONB, server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("shard_key", sa.Integer(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "dunning_case_due",
        "dunning_case",
        ["next_action_date"],
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("dunning_case_list", "dunning_case", ["municipality", "status"])
    op.create_index("ix_dunning_case_debtor_ref", "dunning_case", ["debtor_ref"])
    op.create_table(
        "case_claim",
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=False),
        sa.Column("claim_type", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("original_principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("principal_segments", JSONB, nullable=False),
        sa.Column("property", JSONB, nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("limitation_date", sa.Date(), nullable=False),
        sa.Column("limitation_warn_date", sa.Date(), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["dunning_case.id"]),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    op.create_index("case_claim_case", "case_claim", ["case_id"])
    op.create_index(
        "case_claim_limitation",
        "case_claim",
        ["limitation_warn_date"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "claim_ledger",
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("kid", sa.Text(), nullable=True),
        sa.Column("account_number", sa.Text(), nullable=True),
        sa.Column("principal_ore", sa.BigInteger(), nullable=True),
        sa.Column("total_ore", sa.BigInteger(), nullable=True),
        sa.Column("settled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("changed_at", TS, nullable=True),
        sa.Column("fees_paid_ore", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("interest_paid_ore", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    op.create_table(
        "step",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("sent_date", sa.Date(), nullable=False),
        sa.Column("deadline_date", sa.Date(), nullable=True),
        sa.Column("fee_ore", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("facts", JSONB, nullable=False),
        sa.Column("notice_id", sa.UUID(), nullable=True),
        sa.Column("taken_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["dunning_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "seq", name="step_once"),
    )
    op.create_table(
        "fee",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("step_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("charged_at", TS, nullable=False),
        sa.Column("reversed_at", TS, nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fee_claim_id", "fee", ["claim_id"])
    op.create_table(
        "plan",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("instalments", JSONB, nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("agreed_by", sa.Text(), nullable=False),
        sa.Column("agreed_at", TS, nullable=False),
        sa.Column("broken_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_case_id", "plan", ["case_id"])
    op.create_index("ix_plan_debtor_ref", "plan", ["debtor_ref"])
    op.create_table(
        "debtor_flag",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_by_name", sa.Text(), nullable=False),
        sa.Column("set_at", TS, nullable=False),
        sa.Column("cleared_by", sa.Text(), nullable=True),
        sa.Column("cleared_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("debtor_flag_active", "debtor_flag", ["debtor_ref", "municipality"])
    op.create_table(
        "work_item",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", JSONB, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("assigned_to", sa.Text(), nullable=True),
        sa.Column("assigned_name", sa.Text(), nullable=True),
        sa.Column("assigned_at", TS, nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_name", sa.Text(), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["dunning_case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("work_item_list", "work_item", ["municipality", "status", "kind"])
    op.create_index(
        "work_item_open_once",
        "work_item",
        ["case_id", "kind"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "case_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=True),
        sa.Column("details", JSONB, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_log_case_id", "case_log", ["case_id"])
    create_outbox_and_inbox()


def downgrade() -> None:
    for table in (
        "case_log",
        "work_item",
        "debtor_flag",
        "plan",
        "fee",
        "step",
        "claim_ledger",
        "case_claim",
        "dunning_case",
        "policy_version",
        "outbox",
        "inbox",
    ):
        op.drop_table(table)
