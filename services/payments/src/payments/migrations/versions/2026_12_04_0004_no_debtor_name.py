"""Accounts keep no debtor name: the ledger never used it, and it now travels sealed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("account", "debtor_name")


def downgrade() -> None:
    # The names are gone; an empty one keeps the old code's NOT NULL.
    op.add_column("account", sa.Column("debtor_name", sa.Text(), nullable=False, server_default=""))
