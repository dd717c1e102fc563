"""Payments keep the payer's bank date and what the bank sent; reversals point at what they undo.

`paid_on` is the day the payer's bank debited the payer (the legal payment date); the existing
`booking_date` stays the settlement date. OCR's form number, centre id, day code, partial
settlement and serial number and camt's EndToEndId are kept for audit. `reversed_by` names the
bank's reversal that undid a payment. Fees are read per claim when a payment is allocated.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BANK_FIELDS = (
    "form_number",
    "centre_id",
    "day_code",
    "partial_settlement",
    "serial_number",
    "end_to_end_id",
)


def upgrade() -> None:
    op.add_column("payment", sa.Column("paid_on", sa.Date(), nullable=True))
    op.execute("UPDATE payment SET paid_on = booking_date")
    op.alter_column("payment", "paid_on", nullable=False)
    for name in _BANK_FIELDS:
        op.add_column("payment", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("payment", sa.Column("reversed_by", postgresql.UUID(), nullable=True))
    op.create_index("fee_claim", "fee", ["claim_id"])


def downgrade() -> None:
    op.drop_index("fee_claim", table_name="fee")
    for name in ("reversed_by", *_BANK_FIELDS, "paid_on"):
        op.drop_column("payment", name)
