"""Reads behind the pages. Every query takes the citizen's ``debtor_ref`` or claim ids already
checked against it, so no page can show another person's data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from minside import db
from minside.domain.claims import Balance, Claim
from minside.domain.story import CaseEvent, Paid


async def claims_of(
    conn: AsyncConnection, debtor_ref: str, claim_ids: Sequence[UUID] | None = None
) -> list[Claim]:
    """The citizen's registered claims (optionally only ``claim_ids``), with their deadlines."""
    t = db.claim_view
    query = sa.select(t, _deadlines_of(t.c.claim_id)).where(
        t.c.debtor_ref == debtor_ref, t.c.registered_at.is_not(None)
    )
    if claim_ids is not None:
        query = query.where(t.c.claim_id.in_(list(claim_ids)))
    return [_claim(r, tuple(r.deadlines or ())) for r in await conn.execute(query)]


def _deadlines_of(claim_id: Any) -> Any:
    """The deadlines of every case the claim is in, as one array column (one round trip)."""
    cc, ce = db.case_claim, db.case_event
    found = (
        sa.select(sa.func.array_agg(ce.c.deadline_date, type_=ARRAY(sa.Date)))
        .join(cc, cc.c.case_id == ce.c.case_id)
        .where(cc.c.claim_id == claim_id, ce.c.deadline_date.is_not(None))
    )
    return found.scalar_subquery().label("deadlines")


def _claim(r: Any, deadlines: tuple[Any, ...]) -> Claim:
    balance = None
    if r.balance_changed_at is not None:
        balance = Balance(
            r.balance_principal_ore,
            r.balance_interest_ore,
            r.balance_fees_ore,
            r.balance_total_ore,
            r.balance_paid_ore,
            r.balance_as_of,
            r.balance_interest_through,
        )
    return Claim(
        claim_id=r.claim_id,
        municipality=r.municipality,
        invoice_number=r.invoice_number,
        claim_type=r.claim_type,
        description=r.description,
        issue_date=r.issue_date,
        due_date=r.due_date,
        principal_ore=r.principal_ore,
        balance=balance,
        kid=r.kid,
        account_number=r.account_number,
        closed_reason=r.closed_reason,
        closed_on=r.closed_at.date() if r.closed_at else None,
        deadlines=deadlines,
    )


async def case_events_of(
    conn: AsyncConnection, claim_ids: Sequence[UUID]
) -> dict[UUID, list[CaseEvent]]:
    """The events of every case each claim belongs to, by claim."""
    if not claim_ids:
        return {}
    cc, ce = db.case_claim, db.case_event
    query = (
        sa.select(cc.c.claim_id, ce)
        .join(ce, ce.c.case_id == cc.c.case_id)
        .where(cc.c.claim_id.in_(list(claim_ids)))
        .order_by(ce.c.occurred_at)
    )
    found: dict[UUID, list[CaseEvent]] = defaultdict(list)
    for r in await conn.execute(query):
        found[r.claim_id].append(
            CaseEvent(
                kind=r.kind,
                occurred_at=r.occurred_at,
                step_kind=r.step_kind,
                reason=r.reason,
                sent_date=r.sent_date,
                deadline_date=r.deadline_date,
                until_date=r.until_date,
                fee_ore=r.fee_ore or 0,
            )
        )
    return found


async def payments_of(conn: AsyncConnection, claim_id: UUID) -> list[Any]:
    """Payments allocated to one claim: booking date, channel and the amount it got."""
    a, p = db.allocation_view, db.payment_view
    amount = (a.c.fees_ore + a.c.interest_ore + a.c.principal_ore).label("amount_ore")
    query = (
        sa.select(a.c.payment_id, amount, p.c.channel, p.c.booking_date, a.c.allocated_at)
        .outerjoin(p, p.c.payment_id == a.c.payment_id)
        .where(a.c.claim_id == claim_id)
        .order_by(a.c.allocated_at)
    )
    rows = []
    for r in await conn.execute(query):
        day = r.booking_date or r.allocated_at.date()
        rows.append(
            {"amount_ore": r.amount_ore, "channel": r.channel or "unknown", "booking_date": day}
        )
    return rows


def paid_lines(payments: Sequence[dict[str, Any]]) -> list[Paid]:
    """Payments as lines of the claim's story."""
    return [Paid(p["booking_date"], p["amount_ore"]) for p in payments]


async def letters_of(conn: AsyncConnection, debtor_ref: str, claim_id: UUID) -> list[Any]:
    """Delivered letters to the citizen about one claim, newest first."""
    n = db.notice_view
    query = (
        sa.select(n)
        .where(
            n.c.debtor_ref == debtor_ref,
            n.c.document_id.is_not(None),
            n.c.claim_ids.contains([claim_id]),
        )
        .order_by(n.c.sent_date.desc())
    )
    return list((await conn.execute(query)).all())


async def letter(conn: AsyncConnection, debtor_ref: str, notice_id: UUID) -> Any:
    """One delivered letter, only if it was addressed to the citizen."""
    n = db.notice_view
    query = sa.select(n).where(
        n.c.notice_id == notice_id, n.c.debtor_ref == debtor_ref, n.c.document_id.is_not(None)
    )
    return (await conn.execute(query)).first()


async def plan_of(conn: AsyncConnection, debtor_ref: str, claim_id: UUID) -> list[dict[str, Any]]:
    """The instalments of the newest plan covering the claim (empty if none)."""
    p = db.plan_view
    query = (
        sa.select(p.c.instalments)
        .where(p.c.debtor_ref == debtor_ref, p.c.claim_ids.contains([claim_id]))
        .order_by(p.c.agreed_at.desc())
        .limit(1)
    )
    found = (await conn.execute(query)).scalar()
    return list(found or [])


async def requests_of(conn: AsyncConnection, debtor_ref: str) -> list[Any]:
    """The citizen's requests, newest first."""
    r = db.citizen_request
    query = sa.select(r).where(r.c.debtor_ref == debtor_ref).order_by(r.c.created_at.desc())
    return list((await conn.execute(query)).all())


async def request_of(conn: AsyncConnection, debtor_ref: str, request_id: UUID) -> Any:
    """One request, only if the citizen made it."""
    r = db.citizen_request
    query = sa.select(r).where(r.c.id == request_id, r.c.debtor_ref == debtor_ref)
    return (await conn.execute(query)).first()
