"""Min side's tables: read models built from events, citizens' requests, sessions.

Read-model rows are keyed by the id the event carries, so any event may arrive first; a row
becomes visible to a citizen only once the event that names its debtor has arrived.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()
_UUID = pg.UUID(as_uuid=True)


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


claim_view = sa.Table(
    "claim_view",
    metadata,
    sa.Column("claim_id", _UUID, primary_key=True),
    sa.Column("debtor_ref", sa.Text),
    sa.Column("municipality", sa.String(4)),
    sa.Column("invoice_number", sa.Text),
    sa.Column("claim_type", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("issue_date", sa.Date),
    sa.Column("due_date", sa.Date),
    sa.Column("original_principal_ore", sa.BigInteger),
    sa.Column("principal_ore", sa.BigInteger),
    _at("registered_at"),
    _at("adjusted_at"),
    sa.Column("kid", sa.Text),
    sa.Column("account_number", sa.Text),
    sa.Column("balance_principal_ore", sa.BigInteger),
    sa.Column("balance_interest_ore", sa.BigInteger),
    sa.Column("balance_fees_ore", sa.BigInteger),
    sa.Column("balance_total_ore", sa.BigInteger),
    sa.Column("balance_paid_ore", sa.BigInteger),
    sa.Column("balance_settled", sa.Boolean),
    sa.Column("balance_as_of", sa.Date),
    sa.Column("balance_interest_through", sa.Date),
    _at("balance_changed_at"),
    sa.Column("closed_reason", sa.Text),
    _at("closed_at"),
    sa.Index("claim_view_debtor", "debtor_ref"),
)

case_view = sa.Table(
    "case_view",
    metadata,
    sa.Column("case_id", _UUID, primary_key=True),
    sa.Column("debtor_ref", sa.Text),
    sa.Column("municipality", sa.String(4)),
    _at("opened_at"),
)

case_claim = sa.Table(
    "case_claim",
    metadata,
    sa.Column("case_id", _UUID, primary_key=True),
    sa.Column("claim_id", _UUID, primary_key=True),
    sa.Index("case_claim_claim", "claim_id"),
)

# One row per step, pause, resume, closure or plan of a case: the claim's story.
case_event = sa.Table(
    "case_event",
    metadata,
    sa.Column("event_id", _UUID, primary_key=True),
    sa.Column("case_id", _UUID, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("step_kind", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("sent_date", sa.Date),
    sa.Column("deadline_date", sa.Date),
    sa.Column("until_date", sa.Date),
    sa.Column("fee_ore", sa.BigInteger),
    _at("occurred_at", nullable=False),
    sa.Index("case_event_case", "case_id"),
)

notice_view = sa.Table(
    "notice_view",
    metadata,
    sa.Column("notice_id", _UUID, primary_key=True),
    sa.Column("case_id", _UUID),
    sa.Column("debtor_ref", sa.Text),
    sa.Column("step_kind", sa.Text),
    sa.Column("claim_ids", pg.ARRAY(_UUID)),
    sa.Column("total_ore", sa.BigInteger),
    sa.Column("sent_date", sa.Date),
    sa.Column("deadline_date", sa.Date),
    _at("requested_at"),
    sa.Column("document_id", _UUID),
    sa.Column("channel", sa.Text),
    _at("delivered_at"),
    sa.Index("notice_view_debtor", "debtor_ref"),
)

payment_view = sa.Table(
    "payment_view",
    metadata,
    sa.Column("payment_id", _UUID, primary_key=True),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("booking_date", sa.Date, nullable=False),
    _at("received_at", nullable=False),
)

allocation_view = sa.Table(
    "allocation_view",
    metadata,
    sa.Column("event_id", _UUID, primary_key=True),
    sa.Column("payment_id", _UUID, nullable=False),
    sa.Column("claim_id", _UUID, nullable=False),
    sa.Column("fees_ore", sa.BigInteger, nullable=False),
    sa.Column("interest_ore", sa.BigInteger, nullable=False),
    sa.Column("principal_ore", sa.BigInteger, nullable=False),
    _at("allocated_at", nullable=False),
    sa.Index("allocation_view_claim", "claim_id"),
)

plan_view = sa.Table(
    "plan_view",
    metadata,
    sa.Column("plan_id", _UUID, primary_key=True),
    sa.Column("case_id", _UUID, nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False),
    sa.Column("claim_ids", pg.ARRAY(_UUID), nullable=False),
    sa.Column("instalments", pg.JSONB, nullable=False),
    _at("agreed_at", nullable=False),
    sa.Index("plan_view_debtor", "debtor_ref"),
)

# A citizen's request; the form token makes a double-click or a retried POST one request.
citizen_request = sa.Table(
    "citizen_request",
    metadata,
    sa.Column("id", _UUID, primary_key=True),
    sa.Column("form_token", sa.Text, nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("claim_ids", pg.ARRAY(_UUID), nullable=False),
    sa.Column("details", pg.JSONB, nullable=False),
    sa.Column("event_id", _UUID),
    _at("created_at", nullable=False),
    sa.UniqueConstraint("form_token", name="citizen_request_form_token_unique"),
    sa.Index("citizen_request_debtor", "debtor_ref"),
)

payment_attempt = sa.Table(
    "payment_attempt",
    metadata,
    sa.Column("form_token", sa.Text, primary_key=True),
    sa.Column("debtor_ref", sa.Text, nullable=False),
    sa.Column("claim_ids", pg.ARRAY(_UUID), nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("redirect_url", sa.Text),
    _at("created_at", nullable=False),
)

web_session = sa.Table(
    "web_session",
    metadata,
    sa.Column("id_hash", sa.Text, primary_key=True),
    sa.Column("debtor_ref", sa.Text, nullable=False),
    sa.Column("csrf_token", sa.Text, nullable=False),
    # The ID token (it holds the pid) sealed for the logout hint; never stored in clear.
    sa.Column("id_token_sealed", sa.Text, nullable=False),
    _at("created_at", nullable=False),
    _at("expires_at", nullable=False),
)
