"""Min side's read models, citizens' requests and sessions, with the runtime's outbox and inbox.

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

_UUID = sa.UUID()
_TS = sa.DateTime(timezone=True)
_IDS = postgresql.ARRAY(sa.UUID())
_JSON = postgresql.JSONB(astext_type=sa.Text())


def upgrade() -> None:
    op.create_table(
        "claim_view",
        sa.Column("claim_id", _UUID, nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=True),
        sa.Column("municipality", sa.String(length=4), nullable=True),
        sa.Column("invoice_number", sa.Text(), nullable=True),
        sa.Column("claim_type", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("original_principal_ore", sa.BigInteger(), nullable=True),
        sa.Column("principal_ore", sa.BigInteger(), nullable=True),
        sa.Column("registered_at", _TS, nullable=True),
        sa.Column("adjusted_at", _TS, nullable=True),
        sa.Column("kid", sa.Text(), nullable=True),
        sa.Column("account_number", sa.Text(), nullable=True),
        sa.Column("balance_principal_ore", sa.BigInteger(), nullable=True),
        sa.Column("balance_interest_ore", sa.BigInteger(), nullable=True),
        sa.Column("balance_fees_ore", sa.BigInteger(), nullable=True),
        sa.Column("balance_total_ore", sa.BigInteger(), nullable=True),
        sa.Column("balance_paid_ore", sa.BigInteger(), nullable=True),
        sa.Column("balance_settled", sa.Boolean(), nullable=True),
        sa.Column("balance_as_of", sa.Date(), nullable=True),
        sa.Column("balance_changed_at", _TS, nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    op.create_index("claim_view_debtor", "claim_view", ["debtor_ref"])
    op.create_table(
        "case_view",
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=True),
        sa.Column("municipality", sa.String(length=4), nullable=True),
        sa.Column("opened_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "case_claim",
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("claim_id", _UUID, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "claim_id"),
    )
    op.create_index("case_claim_claim", "case_claim", ["claim_id"])
    op.create_table(
        "case_event",
        sa.Column("event_id", _UUID, nullable=False),
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("step_kind", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("sent_date", sa.Date(), nullable=True),
        sa.Column("deadline_date", sa.Date(), nullable=True),
        sa.Column("until_date", sa.Date(), nullable=True),
        sa.Column("fee_ore", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("case_event_case", "case_event", ["case_id"])
    op.create_table(
        "notice_view",
        sa.Column("notice_id", _UUID, nullable=False),
        sa.Column("case_id", _UUID, nullable=True),
        sa.Column("debtor_ref", sa.Text(), nullable=True),
        sa.Column("step_kind", sa.Text(), nullable=True),
        sa.Column("claim_ids", _IDS, nullable=True),
        sa.Column("total_ore", sa.BigInteger(), nullable=True),
        sa.Column("sent_date", sa.Date(), nullable=True),
        sa.Column("deadline_date", sa.Date(), nullable=True),
        sa.Column("requested_at", _TS, nullable=True),
        sa.Column("document_id", _UUID, nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("delivered_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("notice_id"),
    )
    op.create_index("notice_view_debtor", "notice_view", ["debtor_ref"])
    op.create_table(
        "payment_view",
        sa.Column("payment_id", _UUID, nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    op.create_table(
        "allocation_view",
        sa.Column("event_id", _UUID, nullable=False),
        sa.Column("payment_id", _UUID, nullable=False),
        sa.Column("claim_id", _UUID, nullable=False),
        sa.Column("fees_ore", sa.BigInteger(), nullable=False),
        sa.Column("interest_ore", sa.BigInteger(), nullable=False),
        sa.Column("principal_ore", sa.BigInteger(), nullable=False),
        sa.Column("allocated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("allocation_view_claim", "allocation_view", ["claim_id"])
    op.create_table(
        "plan_view",
        sa.Column("plan_id", _UUID, nullable=False),
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("claim_ids", _IDS, nullable=False),
        sa.Column("instalments", _JSON, nullable=False),
        sa.Column("agreed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    op.create_index("plan_view_debtor", "plan_view", ["debtor_ref"])
    op.create_table(
        "citizen_request",
        sa.Column("id", _UUID, nullable=False),
        sa.Column("form_token", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("claim_ids", _IDS, nullable=False),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("event_id", _UUID, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_token", name="citizen_request_form_token_unique"),
    )
    op.create_index("citizen_request_debtor", "citizen_request", ["debtor_ref"])
    op.create_table(
        "payment_attempt",
        sa.Column("form_token", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("claim_ids", _IDS, nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("redirect_url", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("form_token"),
    )
    op.create_table(
        "web_session",
        sa.Column("id_hash", sa.Text(), nullable=False),
        sa.Column("debtor_ref", sa.Text(), nullable=False),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        sa.Column("id_token_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_table(
        "login_attempt",
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("return_to", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    create_outbox_and_inbox()


_TABLES = (
    "login_attempt",
    "web_session",
    "payment_attempt",
    "citizen_request",
    "plan_view",
    "allocation_view",
    "payment_view",
    "notice_view",
    "case_event",
    "case_claim",
    "case_view",
    "claim_view",
    "outbox",
    "inbox",
)


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)
