"""A claim's state within its case: principal, settlement, its end, and fees taken back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from dunning import db, mapping, queries
from dunning.handlers.common import close, log
from dunning.records import CaseRecord
from runtime.db import UnitOfWork


async def set_principal(
    uow: UnitOfWork, claim_id: UUID, principal_ore: int, from_day: date
) -> None:
    """A new principal from ``from_day`` on (forsinkelsesrente follows it)."""
    c = db.case_claim.c
    query = sa.select(c.principal_ore, c.principal_segments).where(c.claim_id == claim_id)
    row = (await uow.conn.execute(query)).one()
    if row.principal_ore == principal_ore:
        return
    segments = [s for s in row.principal_segments if s[0] < from_day.isoformat()]
    segments.append([from_day.isoformat(), principal_ore])
    await uow.conn.execute(
        sa.update(db.case_claim)
        .where(c.claim_id == claim_id)
        .values(principal_ore=principal_ore, principal_segments=segments)
    )


async def end_claim(uow: UnitOfWork, claim_id: UUID, status: str) -> None:
    c = db.case_claim.c
    await uow.conn.execute(
        sa.update(db.case_claim)
        .where(c.claim_id == claim_id, c.status == "open")
        .values(status=status, closed_at=uow.clock())
    )


async def close_if_nothing_open(uow: UnitOfWork, case_id: UUID, reason: str) -> None:
    """Close the case once none of its claims is open."""
    case = await queries.case_for_update(uow.conn, case_id)
    if case is not None and not case.claims:
        await close(uow, case, reason)


async def reverse_fees(
    uow: UnitOfWork,
    case: CaseRecord,
    claim_id: UUID,
    reason: str,
    *,
    charged_after: date | None = None,
) -> None:
    """Take back the fees charged on a claim (``fees.reversed.v1`` each): all of them (a
    wrongly issued claim), or those charged after ``charged_after`` (paid before then)."""
    f = db.fee.c
    now = uow.clock()
    later = sa.true() if charged_after is None else f.charged_on > charged_after
    rows = (
        await uow.conn.execute(
            sa.update(db.fee)
            .where(f.claim_id == claim_id, f.reversed_at.is_(None), later)
            .values(reversed_at=now, reversal_reason=reason)
            .returning(db.fee)
        )
    ).all()
    for row in rows:
        details = {"amount_ore": row.amount_ore, "fee_id": str(row.id)}
        if charged_after is not None:
            details["paid_on"] = charged_after.isoformat()  # paid before the letter
        await log(uow, case.id, "fee_reversed", details)
        uow.add_event(
            "fees.reversed.v1",
            tenant=case.municipality,
            subject=str(claim_id),
            payload=mapping.fee_reversed_event(row, reason, now),
        )


async def apply_balance(uow: UnitOfWork, claim_id: Any) -> None:
    """Bring the claim in line with the ledger: new principal, or settled."""
    case_id = await queries.case_of_claim(uow.conn, claim_id)
    ledger = (
        await uow.conn.execute(
            sa.select(db.claim_ledger).where(db.claim_ledger.c.claim_id == claim_id)
        )
    ).first()
    if case_id is None or ledger is None or ledger.as_of is None:
        return
    await queries.case_for_update(uow.conn, case_id)
    # A payment on day D covers interest through D; the new principal runs from D + 1.
    await set_principal(uow, claim_id, ledger.principal_ore, ledger.as_of + timedelta(days=1))
    if ledger.settled:
        await end_claim(uow, claim_id, "settled")
        await close_if_nothing_open(uow, case_id, "settled")
