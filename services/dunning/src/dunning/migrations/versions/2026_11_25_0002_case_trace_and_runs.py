"""The trace a case continues, and a record of every daily run (for its metrics).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONB = postgresql.JSONB(astext_type=sa.Text())
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("dunning_case", sa.Column("trace_headers", JSONB))
    op.create_table(
        "daily_run",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("shard", sa.Text(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("report", JSONB),
    )
    op.create_index("daily_run_latest", "daily_run", ["shard", "started_at"])


def downgrade() -> None:
    op.drop_index("daily_run_latest", table_name="daily_run")
    op.drop_table("daily_run")
    op.drop_column("dunning_case", "trace_headers")
