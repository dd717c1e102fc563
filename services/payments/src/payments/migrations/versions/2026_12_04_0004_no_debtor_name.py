"""Accounts keep no debtor name: the ledger never used it, and it now travels sealed.

Expand before contract: the column becomes nullable and empty, and new code writes nothing to
it, while pods of the previous release (which still write a name) keep working during the
rollout and after a rollback. A later release drops the column.

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
    op.alter_column("account", "debtor_name", existing_type=sa.Text(), nullable=True)
    op.execute("UPDATE account SET debtor_name = NULL")


def downgrade() -> None:
    # The names are gone; an empty one keeps the old NOT NULL.
    op.execute("UPDATE account SET debtor_name = '' WHERE debtor_name IS NULL")
    op.alter_column("account", "debtor_name", existing_type=sa.Text(), nullable=False)
