"""How far the ledger has booked a claim's interest (accrued interest is shown up to today).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim_view", sa.Column("balance_interest_through", sa.Date()))


def downgrade() -> None:
    op.drop_column("claim_view", "balance_interest_through")
