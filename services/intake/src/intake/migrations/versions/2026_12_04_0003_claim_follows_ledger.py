"""The claim register follows the ledger: when its last applied balance changed.

Revision ID: 0003
Revises: 0002_original_municipality
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002_original_municipality"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim", sa.Column("ledger_changed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("claim", "ledger_changed_at")
