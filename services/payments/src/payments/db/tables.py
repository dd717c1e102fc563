"""Payments' tables. The ledger (``posting``) is append-only; ``account`` caches each claim's
balance for fast allocation, and ``kravflyt payments reconcile`` proves it equals the postings.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()
UUID = pg.UUID(as_uuid=True)
STAMP = sa.DateTime(timezone=True)

kid_serial = sa.Sequence("kid_serial", metadata=metadata, start=1)

account = sa.Table(
    "account",
    metadata,
    sa.Column("claim_id", UUID, primary_key=True),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("invoice_number", sa.Text, nullable=False),
    sa.Column("claim_type", sa.Text, nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    # Unused and empty since the name travels sealed (migration 0004); kept nullable for one
    # release so that the previous one, which still writes it, runs on this schema. Then dropped.
    sa.Column("debtor_name", sa.Text),
    sa.Column("kid", sa.Text, nullable=False, unique=True),
    sa.Column("kid_algorithm", sa.Text, nullable=False),
    sa.Column("original_kid", sa.Text, index=True),
    sa.Column("original_principal_ore", sa.BigInteger, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("principal_ore", sa.BigInteger, nullable=False),
    sa.Column("interest_ore", sa.BigInteger, nullable=False),
    sa.Column("fees_ore", sa.BigInteger, nullable=False),
    sa.Column("paid_ore", sa.BigInteger, nullable=False),
    sa.Column("interest_through", sa.Date),
    sa.Column("opened_at", STAMP, nullable=False),
    sa.CheckConstraint(
        "principal_ore >= 0 AND interest_ore >= 0 AND fees_ore >= 0 AND paid_ore >= 0",
        name="account_not_negative",
    ),
    # Balances change on every payment: half of each page free keeps those updates HOT (no
    # index writes), four times cheaper than at the default fill when a file pays 100 000.
    postgresql_with={"fillfactor": 50},
)

posting = sa.Table(
    "posting",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    # No foreign key to account: a per-row check (and key-share lock) on 300 000 postings of one
    # payment file costs more than the rest of their insert; reconcile finds orphan postings.
    sa.Column("claim_id", UUID, index=True),
    sa.Column("debtor_ref", sa.Text),
    sa.Column("payment_id", UUID, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("component", sa.Text),
    sa.Column("debit_account", sa.Text, nullable=False),
    sa.Column("credit_account", sa.Text, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("booked_on", sa.Date, nullable=False),
    sa.Column("booked_at", STAMP, nullable=False),
    sa.Column("reference", sa.Text),
    sa.CheckConstraint("amount_ore > 0", name="posting_amount_positive"),
    sa.CheckConstraint("debit_account <> credit_account", name="posting_two_accounts"),
)

payment_file = sa.Table(
    "payment_file",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("sha256", sa.Text, nullable=False, unique=True),
    sa.Column("file_key", sa.Text, unique=True),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("sender", sa.Text),
    sa.Column("result", pg.JSONB),
    sa.Column("imported_by", sa.Text, nullable=False),
    sa.Column("imported_at", STAMP, nullable=False),
)

payment = sa.Table(
    "payment",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("file_id", UUID, sa.ForeignKey("payment_file.id")),
    sa.Column("file_seq", sa.Integer),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("sender", sa.Text, nullable=False),
    sa.Column("payment_key", sa.Text, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("reversal", sa.Boolean, nullable=False),
    sa.Column("kid", sa.Text),
    sa.Column("kid_valid", sa.Boolean, nullable=False),
    sa.Column("booking_date", sa.Date, nullable=False),
    sa.Column("value_date", sa.Date),
    sa.Column("payer_account", sa.Text),
    sa.Column("payer_name", sa.Text),
    sa.Column("archive_reference", sa.Text),
    sa.Column("free_text", sa.Text),
    sa.Column("received_at", STAMP, nullable=False),
    # The day the payer's bank debited the payer: the legal payment date (booking_date is
    # when the money reached the collection account).
    sa.Column("paid_on", sa.Date, nullable=False),
    # As the bank sent them: OCR's form number, centre id, day code, partial settlement and
    # serial number; camt.054's EndToEndId.
    sa.Column("form_number", sa.Text),
    sa.Column("centre_id", sa.Text),
    sa.Column("day_code", sa.Text),
    sa.Column("partial_settlement", sa.Text),
    sa.Column("serial_number", sa.Text),
    sa.Column("end_to_end_id", sa.Text),
    # The bank's reversal that undid this payment, once one did.
    sa.Column("reversed_by", UUID),
    sa.UniqueConstraint("sender", "payment_key", name="payment_identity"),
    sa.CheckConstraint("amount_ore > 0", name="payment_amount_positive"),
)

unmatched_payment = sa.Table(
    "unmatched_payment",
    metadata,
    sa.Column("payment_id", UUID, sa.ForeignKey("payment.id"), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("municipality", sa.String(4)),
    sa.Column("candidates", pg.JSONB, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("claim_id", UUID),
    sa.Column("result", pg.JSONB),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("resolved_at", STAMP),
    sa.Column("resolved_by", sa.Text),
    sa.Index("unmatched_payment_queue", "state", "created_at"),
)

refund_instruction = sa.Table(
    "refund_instruction",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("payment_id", UUID),
    sa.Column("claim_id", UUID),
    sa.Column("debtor_ref", sa.Text),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("to_account", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.CheckConstraint("amount_ore > 0", name="refund_amount_positive"),
)

payer_account = sa.Table(
    "payer_account",
    metadata,
    sa.Column("account", sa.Text, primary_key=True),
    sa.Column("debtor_ref", sa.Text, primary_key=True),
)

fee = sa.Table(
    "fee",
    metadata,
    sa.Column("fee_id", UUID, primary_key=True),
    sa.Column("claim_id", UUID, sa.ForeignKey("account.claim_id"), nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("reversed_ore", sa.BigInteger, nullable=False),
    sa.Column("charged_on", sa.Date, nullable=False),
    sa.Index("fee_claim", "claim_id"),
)

adjustment = sa.Table(
    "adjustment",
    metadata,
    sa.Column("adjustment_id", UUID, primary_key=True),
    sa.Column("claim_id", UUID, sa.ForeignKey("account.claim_id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("applied_at", STAMP, nullable=False),
)

plan = sa.Table(
    "plan",
    metadata,
    sa.Column("plan_id", UUID, primary_key=True),
    sa.Column("case_id", UUID, nullable=False),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False),
    sa.Column("claim_ids", pg.ARRAY(UUID), nullable=False),
    sa.Column("agreed_on", sa.Date, nullable=False),
    sa.Column("agreed_at", STAMP, nullable=False),
)

instalment = sa.Table(
    "instalment",
    metadata,
    sa.Column("plan_id", UUID, sa.ForeignKey("plan.plan_id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("missed_reported_at", STAMP),
)

settlement = sa.Table(
    "settlement",
    metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("principal_ore", sa.BigInteger, nullable=False),
    sa.Column("interest_ore", sa.BigInteger, nullable=False),
    sa.Column("fees_kept_ore", sa.BigInteger, nullable=False),
    sa.Column("claims_count", sa.Integer, nullable=False),
    sa.Column("document", pg.JSONB, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", STAMP, nullable=False),
    sa.UniqueConstraint("municipality", "period_start", name="settlement_once_per_period"),
)

settlement_posting = sa.Table(
    "settlement_posting",
    metadata,
    sa.Column("posting_id", sa.BigInteger, sa.ForeignKey("posting.id"), primary_key=True),
    sa.Column("settlement_id", UUID, sa.ForeignKey("settlement.id"), nullable=False),
)

idempotency_key = sa.Table(
    "idempotency_key",
    metadata,
    sa.Column("client", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("response", pg.JSONB),
    sa.Column("created_at", STAMP, nullable=False),
)

# Vipps MobilePay payments started from Min side: what the citizen chose and where Vipps is.
vipps_payment = sa.Table(
    "vipps_payment",
    metadata,
    sa.Column("reference", sa.Text, primary_key=True),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    # [{claim_id, kid, amount_ore}], oldest due first: exactly the claims chosen.
    sa.Column("shares", pg.JSONB, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("captured_ore", sa.BigInteger, nullable=False),
    sa.Column("psp_reference", sa.Text),
    # Why the capture was not booked to the claims (it went to the unmatched queue instead).
    sa.Column("issue", sa.Text),
    sa.Column("created_at", STAMP, nullable=False),
    sa.Column("updated_at", STAMP, nullable=False),
    sa.Column("booked_at", STAMP),
    sa.CheckConstraint(
        "state IN ('created', 'authorized', 'captured', 'cancelled', 'expired', 'refunded')",
        name="vipps_payment_state",
    ),
    sa.CheckConstraint("amount_ore > 0 AND captured_ore >= 0", name="vipps_payment_amounts"),
)
