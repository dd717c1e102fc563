"""The ledger's view from payments: KID and account, balances, and what payments covered."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from contracts.envelope import Envelope
from contracts.payments import AccountOpenedV1, BalanceChangedV1, PaymentAllocatedV1
from dunning import db, queries
from dunning.domain.catalogue import Catalogue
from dunning.handlers.claim_state import apply_balance
from dunning.handlers.common import Actor, activate
from runtime.db import UnitOfWork

OPENED = "dunning.accounts.opened.v1"
BALANCE = "dunning.accounts.balance_changed.v1"
ALLOCATED = "dunning.payments.allocated.v1"
_L = db.claim_ledger


async def record_account(uow: UnitOfWork, envelope: Envelope[Any], catalogue: Catalogue) -> None:
    """The claim's KID and the collection account; a step blocked for want of them resumes."""
    account: AccountOpenedV1 = envelope.payload
    if not await uow.first_delivery(OPENED, envelope.id, envelope.type):
        return
    values = {"kid": account.kid, "account_number": account.account_number}
    await uow.conn.execute(
        pg.insert(_L)
        .values(claim_id=account.claim_id, **values)
        .on_conflict_do_update(index_elements=["claim_id"], set_=values)
    )
    case_id = await queries.case_of_claim(uow.conn, account.claim_id)
    if case_id is not None:
        await _unblock_kid(uow, case_id, catalogue)


async def _unblock_kid(uow: UnitOfWork, case_id: Any, catalogue: Catalogue) -> None:
    w = db.work_item.c
    resolved = await uow.conn.execute(
        sa.update(db.work_item)
        .where(w.case_id == case_id, w.status == "open", w.code == "case.kid_missing")
        .values(status="resolved", decision="kid_received", decided_at=uow.clock())
        .returning(w.id)
    )
    case = await queries.case_for_update(uow.conn, case_id)
    if resolved.first() is not None and case is not None:
        await activate(uow, case, catalogue, Actor(), "KID mottatt")


async def record_balance(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """A new balance: settled closes the claim (and the case when nothing else is open)."""
    balance: BalanceChangedV1 = envelope.payload
    if not await uow.first_delivery(BALANCE, envelope.id, envelope.type):
        return
    values = {
        "principal_ore": balance.principal_ore,
        "total_ore": balance.total_ore,
        "settled": balance.settled,
        "as_of": balance.as_of,
        "changed_at": balance.changed_at,
    }
    stmt = pg.insert(_L).values(claim_id=balance.claim_id, **values)
    # Balances of one claim may arrive out of order: the latest change wins.
    newer = sa.or_(_L.c.changed_at.is_(None), _L.c.changed_at <= stmt.excluded.changed_at)
    applied = await uow.conn.execute(
        stmt.on_conflict_do_update(index_elements=["claim_id"], set_=values, where=newer).returning(
            _L.c.claim_id
        )
    )
    if applied.first() is not None:
        await apply_balance(uow, balance.claim_id)


async def record_allocation(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """What a payment covered of fees and interest (a letter shows only what is still owed)."""
    allocated: PaymentAllocatedV1 = envelope.payload
    if not await uow.first_delivery(ALLOCATED, envelope.id, envelope.type):
        return
    stmt = pg.insert(_L).values(
        claim_id=allocated.claim_id,
        fees_paid_ore=allocated.fees_ore,
        interest_paid_ore=allocated.interest_ore,
    )
    await uow.conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["claim_id"],
            set_={
                "fees_paid_ore": _L.c.fees_paid_ore + allocated.fees_ore,
                "interest_paid_ore": _L.c.interest_paid_ore + allocated.interest_ore,
            },
        )
    )
