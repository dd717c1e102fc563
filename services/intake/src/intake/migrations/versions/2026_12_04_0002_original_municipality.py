"""A claim keeps the kommunenummer it was submitted under when a successor collects it.

Revision ID: 0002_original_municipality
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_original_municipality"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim", sa.Column("original_municipality", sa.String(length=4)))


def downgrade() -> None:
    op.drop_column("claim", "original_municipality")
