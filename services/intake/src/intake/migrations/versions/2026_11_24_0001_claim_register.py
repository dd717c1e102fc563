"""The claim register, with the runtime's outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from alembic import op

from runtime.migrations import create_outbox_and_inbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from intake.db import metadata

    metadata.create_all(op.get_bind())
    create_outbox_and_inbox()


def downgrade() -> None:
    from intake.db import metadata

    metadata.drop_all(op.get_bind())
    op.drop_table("outbox")
    op.drop_table("inbox")
