"""The register follows the claim's life: the ledger's balances and dunning's closed cases.

Each event is applied once (inbox) and in any order: a balance older than the last one applied
to the claim changes nothing, and a closed case ends only a claim still open. A change of
status is recorded and announced as ``claims.status_changed.v1`` in the same transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from contracts.claims import ClaimStatusChangedV1
from contracts.dunning import CaseClosedV1
from contracts.envelope import Envelope
from contracts.payments import BalanceChangedV1
from intake import db
from intake.domain.lifecycle import after_balance, after_case_closed
from runtime.bus import PermanentError
from runtime.db import UnitOfWork

BALANCE_CONSUMER = "intake.accounts.balance_changed.v1"
CASE_CLOSED_CONSUMER = "intake.cases.closed.v1"


async def follow_balance(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """``accounts.balance_changed.v1``: paid when the ledger settles it, open after a refund."""
    change: BalanceChangedV1 = envelope.payload
    if not await uow.first_delivery(BALANCE_CONSUMER, envelope.id, envelope.type):
        return
    claim = await _claim(uow, change.claim_id)
    if claim.ledger_changed_at is not None and change.changed_at < claim.ledger_changed_at:
        return  # overtaken by a later balance
    await uow.conn.execute(
        sa.update(db.claim)
        .where(db.claim.c.id == claim.id)
        .values(ledger_changed_at=change.changed_at)
    )
    status = after_balance(claim.status, change.settled)
    if status is not None:
        reason = "settled" if change.settled else "reopened"
        await _change(uow, envelope, claim, status, "ledger", reason)


async def follow_case_closed(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """``cases.closed.v1``: an open claim of the case ends as the case's reason says."""
    closed: CaseClosedV1 = envelope.payload
    if not await uow.first_delivery(CASE_CLOSED_CONSUMER, envelope.id, envelope.type):
        return
    for claim_id in closed.claim_ids:
        claim = await _claim(uow, claim_id)
        status = after_case_closed(claim.status, closed.reason)
        if status is not None:
            await _change(uow, envelope, claim, status, "dunning", closed.reason)


async def _claim(uow: UnitOfWork, claim_id: UUID) -> Any:
    claim = await db.claim_by_id(uow.conn, claim_id, None, lock=True)
    if claim is None:
        raise PermanentError(f"claim {claim_id} is not in the register")
    return claim


async def _change(
    uow: UnitOfWork, envelope: Envelope[Any], claim: Any, status: str, by: str, reason: str
) -> None:
    await uow.conn.execute(
        sa.update(db.claim).where(db.claim.c.id == claim.id).values(status=status)
    )
    payload = ClaimStatusChangedV1(
        claim_id=claim.id,
        status_before=claim.status,
        status=status,
        decided_by=by,
        reason=reason,
        source_event_id=envelope.id,
        changed_at=uow.clock(),
    )
    uow.add_event(
        "claims.status_changed.v1",
        tenant=claim.municipality,
        subject=str(claim.id),
        payload=payload,
    )
