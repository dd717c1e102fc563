"""Intake's tables and the queries its handlers run (the claim register)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.domain.claims import Municipality

metadata = sa.MetaData()

municipality = sa.Table(
    "municipality",
    metadata,
    sa.Column("kommunenummer", sa.String(4), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("orgnr", sa.String(9), nullable=False, unique=True),
    sa.Column("claim_types", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("served", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column("merged_into", sa.String(4)),
)

claim = sa.Table(
    "claim",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("invoice_number", sa.Text, nullable=False),
    sa.Column("claim_type", sa.Text, nullable=False),
    # The number the claim was submitted under, where a successor collects it (register).
    sa.Column("original_municipality", sa.String(4)),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    sa.Column("debtor_sealed", sa.Text, nullable=False),
    sa.Column("debtor_kind", sa.Text, nullable=False),
    sa.Column("debtor_name", sa.Text, nullable=False),
    sa.Column("debtor_address", pg.JSONB),
    sa.Column("original_principal_ore", sa.BigInteger, nullable=False),
    sa.Column("principal_ore", sa.BigInteger, nullable=False),
    sa.Column("issue_date", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("original_kid", sa.Text),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("property", pg.JSONB),
    sa.Column("status", sa.Text, nullable=False),
    # When the ledger's last balance applied to the claim changed (an older one changes nothing).
    sa.Column("ledger_changed_at", sa.DateTime(timezone=True)),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("municipality", "invoice_number", name="claim_invoice_unique"),
    sa.CheckConstraint("principal_ore >= 0", name="claim_principal_not_negative"),
    sa.Index("claim_list", "municipality", "status", "due_date"),
)

adjustment = sa.Table(
    "adjustment",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("claim_id", pg.UUID(as_uuid=True), sa.ForeignKey("claim.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("principal_before_ore", sa.BigInteger, nullable=False),
    sa.Column("principal_after_ore", sa.BigInteger, nullable=False),
    sa.Column("reason_code", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("adjusted_at", sa.DateTime(timezone=True), nullable=False),
)

rejection = sa.Table(
    "rejection",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("invoice_number", sa.Text),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("problems", pg.JSONB, nullable=False),
    sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
)

idempotency_key = sa.Table(
    "idempotency_key",
    metadata,
    sa.Column("client", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("response", pg.JSONB),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


async def municipalities(conn: AsyncConnection) -> dict[str, Municipality]:
    """Every municipality the office knows, by kommunenummer."""
    rows = (await conn.execute(sa.select(municipality))).all()
    return {
        r.kommunenummer: Municipality(
            r.kommunenummer, r.name, r.orgnr, frozenset(r.claim_types), r.served
        )
        for r in rows
    }


async def upsert_municipality(conn: AsyncConnection, m: Municipality) -> None:
    """Add or update one municipality of the office."""
    values = {
        "kommunenummer": m.kommunenummer,
        "name": m.name,
        "orgnr": m.orgnr,
        "claim_types": sorted(m.claim_types),
        "served": m.served,
    }
    stmt = pg.insert(municipality).values(values)
    await conn.execute(stmt.on_conflict_do_update(index_elements=["kommunenummer"], set_=values))


async def existing_invoice_numbers(
    conn: AsyncConnection, municipality_number: str, invoice_numbers: Sequence[str]
) -> dict[str, Any]:
    """Registered claims among ``invoice_numbers`` of one municipality, by invoice number."""
    if not invoice_numbers:
        return {}
    rows = await conn.execute(
        sa.select(claim).where(
            claim.c.municipality == municipality_number,
            claim.c.invoice_number.in_(list(invoice_numbers)),
        )
    )
    return {r.invoice_number: r for r in rows}


async def claim_by_id(
    conn: AsyncConnection, claim_id: UUID, municipality_number: str | None, *, lock: bool = False
) -> Any:
    """One claim, only if it belongs to ``municipality_number`` (None: any)."""
    query = sa.select(claim).where(claim.c.id == claim_id)
    if municipality_number is not None:
        query = query.where(claim.c.municipality == municipality_number)
    if lock:
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def list_claims(
    conn: AsyncConnection,
    municipality_number: str,
    *,
    status: str | None,
    claim_type: str | None,
    due_before: date | None,
    due_after: date | None,
    debtor_ref: str | None,
    after_id: UUID | None,
    limit: int,
) -> list[Any]:
    """A page of one municipality's claims, ordered by id (keyset pagination)."""
    query = sa.select(claim).where(claim.c.municipality == municipality_number)
    filters = {
        claim.c.status: status,
        claim.c.claim_type: claim_type,
        claim.c.debtor_ref: debtor_ref,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    if due_before is not None:
        query = query.where(claim.c.due_date <= due_before)
    if due_after is not None:
        query = query.where(claim.c.due_date >= due_after)
    if after_id is not None:
        query = query.where(claim.c.id > after_id)
    return list((await conn.execute(query.order_by(claim.c.id).limit(limit))).all())
