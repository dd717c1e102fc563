"""Dunning's tables: cases and their claims, steps, fees, plans, flags, work items, policies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

metadata = sa.MetaData()

policy_version = sa.Table(
    "policy_version",
    metadata,
    sa.Column("policy_id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("document", pg.JSONB, nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

dunning_case = sa.Table(
    "dunning_case",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    sa.Column("debtor_kind", sa.Text, nullable=False),
    sa.Column("debtor_name", sa.Text, nullable=False),
    # The identity number stays sealed: dunning never opens it, it only passes it on.
    sa.Column("debtor_sealed", sa.Text, nullable=False),
    sa.Column("debtor_address", pg.JSONB),
    sa.Column("claim_type", sa.Text, nullable=False),
    # The claim that opened the case: message key of the case's events.
    sa.Column("primary_claim_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("policy_id", sa.Text, nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("paused_for", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("hold_until", sa.Date),
    sa.Column("next_action_date", sa.Date),
    sa.Column("next_step_key", sa.Text),
    sa.Column("history", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("shard_key", sa.Integer, nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("closed_reason", sa.Text),
    # W3C headers of the claims.registered.v1 that opened the case: its steps continue that trace.
    sa.Column("trace_headers", pg.JSONB),
    sa.Index(
        "dunning_case_due",
        "next_action_date",
        postgresql_where=sa.text("status = 'active'"),
    ),
    sa.Index("dunning_case_list", "municipality", "status"),
)

daily_run = sa.Table(
    "daily_run",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("run_date", sa.Date, nullable=False),
    sa.Column("shard", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    # running, succeeded or failed
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("report", pg.JSONB),
    sa.Index("daily_run_latest", "shard", "started_at"),
)

run_catch_up = sa.Table(
    "run_catch_up",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("first_date", sa.Date, nullable=False),
    sa.Column("last_date", sa.Date, nullable=False),
    sa.Column("shard", sa.Text, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_by_name", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
)

case_claim = sa.Table(
    "case_claim",
    metadata,
    sa.Column("claim_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), sa.ForeignKey("dunning_case.id"), nullable=False),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("invoice_number", sa.Text, nullable=False),
    sa.Column("claim_type", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("issue_date", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("original_principal_ore", sa.BigInteger, nullable=False),
    sa.Column("principal_ore", sa.BigInteger, nullable=False),
    # [[from_date, principal_ore], …] for forsinkelsesrente on a changing principal.
    sa.Column("principal_segments", pg.JSONB, nullable=False),
    sa.Column("property", pg.JSONB),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("limitation_date", sa.Date, nullable=False),
    sa.Column("limitation_warn_date", sa.Date, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Index("case_claim_case", "case_id"),
    sa.Index(
        "case_claim_limitation",
        "limitation_warn_date",
        postgresql_where=sa.text("status = 'open'"),
    ),
)

# The ledger's view of a claim (from payments); events may arrive before the claim itself.
claim_ledger = sa.Table(
    "claim_ledger",
    metadata,
    sa.Column("claim_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("kid", sa.Text),
    sa.Column("account_number", sa.Text),
    sa.Column("principal_ore", sa.BigInteger),
    sa.Column("total_ore", sa.BigInteger),
    sa.Column("settled", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("as_of", sa.Date),
    sa.Column("changed_at", sa.DateTime(timezone=True)),
    sa.Column("fees_paid_ore", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("interest_paid_ore", sa.BigInteger, nullable=False, server_default="0"),
)

step = sa.Table(
    "step",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), sa.ForeignKey("dunning_case.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("step_key", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("policy_id", sa.Text, nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("run_date", sa.Date, nullable=False),
    sa.Column("sent_date", sa.Date, nullable=False),
    sa.Column("deadline_date", sa.Date),
    sa.Column("fee_ore", sa.BigInteger, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("facts", pg.JSONB, nullable=False),
    sa.Column("notice_id", pg.UUID(as_uuid=True)),
    sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    # The run is idempotent per date: a case's n-th step exists once, whatever runs overlap.
    sa.UniqueConstraint("case_id", "seq", name="step_once"),
)

fee = sa.Table(
    "fee",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("claim_id", pg.UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("step_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("charged_on", sa.Date, nullable=False),
    sa.Column("charged_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reversed_at", sa.DateTime(timezone=True)),
    sa.Column("reversal_reason", sa.Text),
)

plan = sa.Table(
    "plan",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("instalments", pg.JSONB, nullable=False),
    sa.Column("request_id", pg.UUID(as_uuid=True)),
    sa.Column("agreed_by", sa.Text, nullable=False),
    sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("broken_on", sa.Date),
)

debtor_flag = sa.Table(
    "debtor_flag",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("debtor_ref", sa.Text, nullable=False),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
    sa.Column("set_by_name", sa.Text, nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("cleared_by", sa.Text),
    sa.Column("cleared_at", sa.DateTime(timezone=True)),
    sa.Index("debtor_flag_active", "debtor_ref", "municipality"),
)

work_item = sa.Table(
    "work_item",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), sa.ForeignKey("dunning_case.id"), nullable=False),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("details", pg.JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("assigned_to", sa.Text),
    sa.Column("assigned_name", sa.Text),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("decision", sa.Text),
    sa.Column("decision_reason", sa.Text),
    sa.Column("decided_by", sa.Text),
    sa.Column("decided_name", sa.Text),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Index("work_item_list", "municipality", "status", "kind"),
    # One open item per case and kind: a step blocked again tomorrow is the same item.
    sa.Index(
        "work_item_open_once",
        "case_id",
        "kind",
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    ),
)

case_log = sa.Table(
    "case_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("actor", sa.Text),
    sa.Column("actor_name", sa.Text),
    sa.Column("details", pg.JSONB, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)


async def driver(conn: AsyncConnection) -> Any:
    """The asyncpg connection under ``conn``, inside its (already begun) transaction."""
    # SQLAlchemy begins the transaction at the first statement: make sure it has.
    await conn.execute(sa.text("SELECT 1"))
    raw = await conn.get_raw_connection()
    return raw.driver_connection
