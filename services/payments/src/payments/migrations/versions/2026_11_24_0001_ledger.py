"""The sub-ledger: accounts, postings, payment files, the unmatched queue, plans, settlements.

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

JSONB = postgresql.JSONB(astext_type=sa.Text())
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("kid_serial", start=1)))
    _accounts_and_ledger()
    _payments()
    _plans_and_settlements()
    create_outbox_and_inbox()


def _accounts_and_ledger() -> None:
    op.create_table(
        "account",
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=False),
        sa.Column("claim_type", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("debtor_name", sa.Text(), nullable=False),
        sa.Column("kid", sa.Text(), nullable=False),
        sa.Column("kid_algorithm", sa.Text(), nullable=False),
        sa.Column("original_kid", sa.Text(), nullable=True),
        sa.Column("original_principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("interest_ore", sa.BigInteger(), nullable=False),
        sa.Column("fees_ore", sa.BigInteger(), nullable=False),
        sa.Column("paid_ore", sa.BigInteger(), nullable=False),
        sa.Column("interest_through", sa.Date(), nullable=True),
        sa.Column("opened_at", STAMP, nullable=False),
        sa.CheckConstraint(
            "principal_ore >= 0 AND interest_ore >= 0 AND fees_ore >= 0 AND paid_ore >= 0",
            name="account_not_negative",
        ),
        sa.PrimaryKeyConstraint("claim_id"),
        sa.UniqueConstraint("kid"),
        postgresql_with={"fillfactor": 50},
    )
    op.create_index("ix_account_debtor_ref", "account", ["debtor_ref"], unique=False)
    op.create_index("ix_account_original_kid", "account", ["original_kid"], unique=False)
    op.create_table(
        "posting",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=True),
        sa.Column("debtor_ref", sa.Text(), nullable=True),
        sa.Column("payment_id", sa.UUID(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("component", sa.Text(), nullable=True),
        sa.Column("debit_account", sa.Text(), nullable=False),
        sa.Column("credit_account", sa.Text(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("booked_at", STAMP, nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.CheckConstraint("amount_ore > 0", name="posting_amount_positive"),
        sa.CheckConstraint("debit_account <> credit_account", name="posting_two_accounts"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_posting_claim_id", "posting", ["claim_id"], unique=False)
    op.create_index("ix_posting_payment_id", "posting", ["payment_id"], unique=False)
    op.create_table(
        "fee",
        sa.Column("fee_id", sa.UUID(), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("reversed_ore", sa.BigInteger(), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["account.claim_id"]),
        sa.PrimaryKeyConstraint("fee_id"),
    )
    op.create_table(
        "adjustment",
        sa.Column("adjustment_id", sa.UUID(), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["account.claim_id"]),
        sa.PrimaryKeyConstraint("adjustment_id"),
    )


def _payments() -> None:
    op.create_table(
        "payment_file",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("file_key", sa.Text(), nullable=True),
        sa.Column("format", sa.Text(), nullable=False),
        sa.Column("sender", sa.Text(), nullable=True),
        sa.Column("result", JSONB, nullable=True),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_key"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "payment",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("file_id", sa.UUID(), nullable=True),
        sa.Column("file_seq", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("payment_key", sa.Text(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("kid", sa.Text(), nullable=True),
        sa.Column("kid_valid", sa.Boolean(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("payer_account", sa.Text(), nullable=True),
        sa.Column("payer_name", sa.Text(), nullable=True),
        sa.Column("archive_reference", sa.Text(), nullable=True),
        sa.Column("free_text", sa.Text(), nullable=True),
        sa.Column("received_at", STAMP, nullable=False),
        sa.CheckConstraint("amount_ore > 0", name="payment_amount_positive"),
        sa.ForeignKeyConstraint(["file_id"], ["payment_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sender", "payment_key", name="payment_identity"),
    )
    op.create_table(
        "unmatched_payment",
        sa.Column("payment_id", sa.UUID(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=True),
        sa.Column("candidates", JSONB, nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=True),
        sa.Column("result", JSONB, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("resolved_at", STAMP, nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"]),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    op.create_index(
        "unmatched_payment_queue", "unmatched_payment", ["state", "created_at"], unique=False
    )
    op.create_table(
        "refund_instruction",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("payment_id", sa.UUID(), nullable=True),
        sa.Column("claim_id", sa.UUID(), nullable=True),
        sa.Column("debtor_ref", sa.Text(), nullable=True),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("to_account", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.CheckConstraint("amount_ore > 0", name="refund_amount_positive"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "payer_account",
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("account", "debtor_ref"),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", JSONB, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("client", "key"),
    )


def _plans_and_settlements() -> None:
    op.create_table(
        "plan",
        sa.Column("plan_id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("claim_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("agreed_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    op.create_table(
        "instalment",
        sa.Column("plan_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("missed_reported_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.plan_id"]),
        sa.PrimaryKeyConstraint("plan_id", "number"),
    )
    op.create_table(
        "settlement",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("interest_ore", sa.BigInteger(), nullable=False),
        sa.Column("fees_kept_ore", sa.BigInteger(), nullable=False),
        sa.Column("claims_count", sa.Integer(), nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality", "period_start", name="settlement_once_per_period"),
    )
    op.create_table(
        "settlement_posting",
        sa.Column("posting_id", sa.BigInteger(), nullable=False),
        sa.Column("settlement_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["posting_id"], ["posting.id"]),
        sa.ForeignKeyConstraint(["settlement_id"], ["settlement.id"]),
        sa.PrimaryKeyConstraint("posting_id"),
    )


def downgrade() -> None:
    for table in (
        "settlement_posting",
        "settlement",
        "instalment",
        "plan",
        "idempotency_key",
        "payer_account",
        "refund_instruction",
        "unmatched_payment",
        "payment",
        "payment_file",
        "adjustment",
        "fee",
        "posting",
        "account",
        "outbox",
        "inbox",
    ):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence("kid_serial")))
