"""Sent notices.requested.v1 outbox rows lose the debtor's name and address (carried in clear).

The type is superseded by its v2 (name and address sealed); the sent rows are history nobody
reads again, so the personal data goes. Unsent rows are published as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from runtime.migrations import drop_from_sent_outbox

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_from_sent_outbox(["notices.requested.v1"], ["debtor_name", "debtor_address"])


def downgrade() -> None:
    # What was taken out is gone; the rows stay as they are.
    pass
