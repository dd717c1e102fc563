"""Read models from events: one function per event type, each applied once (inbox).

Events of one claim may come in any order (a balance before the claim itself), so every
function upserts only the columns its event owns, and newer timestamps win over older ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from minside import db
from minside.handlers.case_projections import (
    case_closed,
    case_opened,
    case_paused,
    case_resumed,
    notice_delivered,
    notice_requested,
    plan_agreed,
    step_taken,
)
from minside.handlers.upserts import insert, keep
from runtime.db import UnitOfWork

Projection = Callable[[AsyncConnection, Envelope[Any]], Awaitable[None]]


async def apply_event(uow: UnitOfWork, envelope: Envelope[Any]) -> bool:
    """Apply one event to the read models once; False if it was applied before."""
    project = PROJECTIONS[envelope.type]
    if not await uow.first_delivery("minside." + envelope.type, envelope.id, envelope.type):
        return False
    await project(uow.conn, envelope)
    return True


async def claim_registered(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p, t = e.payload, db.claim_view
    values = {
        "claim_id": p.claim_id,
        "debtor_ref": p.debtor_ref,
        "municipality": p.municipality,
        "invoice_number": p.invoice_number,
        "claim_type": p.claim_type,
        "description": p.description,
        "issue_date": p.issue_date,
        "due_date": p.due_date,
        "original_principal_ore": p.principal_ore,
        "principal_ore": p.principal_ore,
        "registered_at": p.registered_at,
    }
    stmt = insert(t, values)
    update = {k: stmt.excluded[k] for k in values if k != "claim_id"}
    # An adjustment that came first already set the principal after it.
    update["principal_ore"] = sa.case(
        (t.c.adjusted_at.is_(None), stmt.excluded.principal_ore), else_=t.c.principal_ore
    )
    await conn.execute(stmt.on_conflict_do_update(index_elements=["claim_id"], set_=update))


async def claim_adjusted(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p, t = e.payload, db.claim_view
    closed = p.principal_after_ore == 0
    values = {
        "claim_id": p.claim_id,
        "principal_ore": p.principal_after_ore,
        "adjusted_at": p.adjusted_at,
        "closed_reason": p.kind if closed else None,
        "closed_at": p.adjusted_at if closed else None,
    }
    stmt = insert(t, values)
    newer = sa.or_(t.c.adjusted_at.is_(None), t.c.adjusted_at < stmt.excluded.adjusted_at)
    update = {
        "principal_ore": stmt.excluded.principal_ore,
        "adjusted_at": stmt.excluded.adjusted_at,
        "closed_reason": sa.func.coalesce(t.c.closed_reason, stmt.excluded.closed_reason),
        "closed_at": sa.func.coalesce(t.c.closed_at, stmt.excluded.closed_at),
    }
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["claim_id"], set_=update, where=newer)
    )


async def account_opened(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p, t = e.payload, db.claim_view
    values = {
        "claim_id": p.claim_id,
        "debtor_ref": p.debtor_ref,
        "municipality": p.municipality,
        "kid": p.kid,
        "account_number": p.account_number,
    }
    stmt = insert(t, values)
    update = {
        "debtor_ref": keep(t, "debtor_ref", stmt),
        "municipality": keep(t, "municipality", stmt),
        "kid": stmt.excluded.kid,
        "account_number": stmt.excluded.account_number,
    }
    await conn.execute(stmt.on_conflict_do_update(index_elements=["claim_id"], set_=update))


async def balance_changed(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p, t = e.payload, db.claim_view
    values = {
        "claim_id": p.claim_id,
        "debtor_ref": p.debtor_ref,
        "balance_principal_ore": p.principal_ore,
        "balance_interest_ore": p.interest_ore,
        "balance_fees_ore": p.fees_ore,
        "balance_total_ore": p.total_ore,
        "balance_paid_ore": p.paid_ore,
        "balance_settled": p.settled,
        "balance_as_of": p.as_of,
        "balance_interest_through": p.interest_through,
        "balance_changed_at": p.changed_at,
        "closed_reason": "settled" if p.settled else None,
        "closed_at": p.changed_at if p.settled else None,
    }
    stmt = insert(t, values)
    update = {k: stmt.excluded[k] for k in values if k.startswith("balance_")}
    update["debtor_ref"] = keep(t, "debtor_ref", stmt)
    # Settled closes the claim; a later refund that reopens it clears only that reason.
    reopened = sa.and_(~stmt.excluded.balance_settled, t.c.closed_reason == "settled")
    update["closed_reason"] = sa.case(
        (stmt.excluded.balance_settled, sa.func.coalesce(t.c.closed_reason, "settled")),
        (reopened, None),
        else_=t.c.closed_reason,
    )
    update["closed_at"] = sa.case(
        (stmt.excluded.balance_settled, sa.func.coalesce(t.c.closed_at, stmt.excluded.closed_at)),
        (reopened, None),
        else_=t.c.closed_at,
    )
    newer = sa.or_(
        t.c.balance_changed_at.is_(None), t.c.balance_changed_at < stmt.excluded.balance_changed_at
    )
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["claim_id"], set_=update, where=newer)
    )


async def payment_received(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    row = {
        "payment_id": p.payment_id,
        "amount_ore": p.amount_ore,
        "channel": p.channel,
        "booking_date": p.booking_date,
        "received_at": p.received_at,
    }
    await conn.execute(pg.insert(db.payment_view).values(row).on_conflict_do_nothing())


async def payment_allocated(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    row = {
        "event_id": e.id,
        "payment_id": p.payment_id,
        "claim_id": p.claim_id,
        "fees_ore": p.fees_ore,
        "interest_ore": p.interest_ore,
        "principal_ore": p.principal_ore,
        "allocated_at": p.allocated_at,
    }
    await conn.execute(pg.insert(db.allocation_view).values(row).on_conflict_do_nothing())


PROJECTIONS: dict[str, Projection] = {
    "claims.registered.v2": claim_registered,
    "claims.registered.v1": claim_registered,
    "claims.adjusted.v1": claim_adjusted,
    "accounts.opened.v1": account_opened,
    "accounts.balance_changed.v1": balance_changed,
    "cases.opened.v1": case_opened,
    "cases.step_taken.v1": step_taken,
    "cases.paused.v1": case_paused,
    "cases.resumed.v1": case_resumed,
    "cases.closed.v1": case_closed,
    "cases.plan_agreed.v1": plan_agreed,
    "notices.requested.v2": notice_requested,
    "notices.requested.v1": notice_requested,
    "notices.delivered.v1": notice_delivered,
    "payments.received.v1": payment_received,
    "payments.allocated.v1": payment_allocated,
}
"""Event type → the function that applies it to the read models.

Min side shows no name or address, so it never opens ``debtor_details_sealed``: a v2 type and the
v1 it supersedes (read until its messages have drained) share one projection."""
