"""The ledger's view from payments: KID and account, balances, what payments covered, and
payments the bank took back.

A payment counts on the day the payer's bank debited the payer (the balance's ``as_of``), which
may be days before the money reached the collection account. A fee-bearing letter sent in
between came after the debtor had paid (inkassoloven § 9 (2), inkassoforskriften § 1-2 (3):
no fee when paid before the deadline): once the payment leaves nothing but such fees open,
they are taken back. A payment the bank reversed reopens the claim and its case at the step
it had reached, with a fresh statutory period before the next step, and a caseworker is told.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from contracts.envelope import Envelope
from contracts.payments import (
    AccountOpenedV1,
    BalanceChangedV1,
    PaymentAllocatedV1,
    PaymentReversedV1,
)
from dunning import db, mapping, queries
from dunning.domain.catalogue import Catalogue
from dunning.handlers.claim_state import apply_balance, reverse_fees
from dunning.handlers.common import Actor, activate, log, queue, reschedule, today
from rules.calendar import deadline
from rules.money import format_ore
from runtime.db import UnitOfWork

OPENED = "dunning.accounts.opened.v1"
BALANCE = "dunning.accounts.balance_changed.v1"
ALLOCATED = "dunning.payments.allocated.v1"
REVERSED = "dunning.payments.reversed.v1"
# A debtor whose payment was reversed gets the period of a § 9 varsel before the next step.
FRESH_PERIOD_DAYS = 14
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
        if balance.cause == "payment" and not balance.settled:
            await _reverse_fees_paid_in_time(uow, balance)


async def _reverse_fees_paid_in_time(uow: UnitOfWork, balance: BalanceChangedV1) -> None:
    """Fees charged after the day the debtor paid, once the payment left only them open."""
    if balance.principal_ore or balance.interest_ore:
        return
    f = db.fee.c
    later = sa.select(sa.func.coalesce(sa.func.sum(f.amount_ore), 0)).where(
        f.claim_id == balance.claim_id, f.reversed_at.is_(None), f.charged_on > balance.as_of
    )
    charged_later = int((await uow.conn.execute(later)).scalar_one())
    if not charged_later or balance.fees_ore > charged_later:
        return
    case_id = await queries.case_of_claim(uow.conn, balance.claim_id)
    case = None if case_id is None else await queries.case_for_update(uow.conn, case_id)
    if case is None:
        return
    await reverse_fees(
        uow, case, balance.claim_id, "paid_before_the_letter", charged_after=balance.as_of
    )


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


async def record_reversal(uow: UnitOfWork, envelope: Envelope[Any], catalogue: Catalogue) -> None:
    """The bank took back a payment: the claim is open again, and so is its case.

    The case resumes at the step it had reached; the next step waits for a fresh 14-day
    period from today (the debtor believed the claim paid), so nothing is charged for the
    time the claim stood as paid. A caseworker gets the story as a work item.
    """
    reversal: PaymentReversedV1 = envelope.payload
    if not await uow.first_delivery(REVERSED, envelope.id, envelope.type):
        return
    case_id = await queries.case_of_claim(uow.conn, reversal.claim_id)
    if case_id is None:
        return
    c, cc = db.dunning_case.c, db.case_claim.c
    await uow.conn.execute(
        sa.update(db.case_claim)
        .where(cc.claim_id == reversal.claim_id, cc.status == "settled")
        .values(status="open", closed_at=None)
    )
    day = today(uow)
    hold = deadline(day, FRESH_PERIOD_DAYS)
    row = (
        await uow.conn.execute(
            sa.select(c.status, c.closed_reason, c.paused_for, c.hold_until)
            .where(c.id == case_id)
            .with_for_update()
        )
    ).one()
    reopened = row.status == "closed" and row.closed_reason == "settled"
    values: dict[str, Any] = {"hold_until": max(hold, row.hold_until or hold)}
    if reopened:
        status = "paused" if row.paused_for else "active"
        values.update(status=status, closed_at=None, closed_reason=None)
    if row.status != "closed" or reopened:
        await uow.conn.execute(sa.update(db.dunning_case).where(c.id == case_id).values(values))
        await reschedule(uow, case_id, catalogue)
    case = await queries.case_for_update(uow.conn, case_id)
    if case is None:
        return
    story = _story(reversal, reopened, hold)
    details = {
        **reversal.model_dump(mode="json"),
        "reopened": reopened,
        "next_step_not_before": hold.isoformat(),
    }
    await log(uow, case_id, "payment_reversed", {**details, "story": story})
    await queue(uow, case, "payment_reversed", "payment.reversed", story, details)
    if reopened:
        uow.add_event(
            "cases.resumed.v1",
            tenant=case.municipality,
            subject=case.subject,
            payload=mapping.resumed_event(case_id, "payment_reversed", uow.clock()),
        )


def _story(reversal: PaymentReversedV1, reopened: bool, hold: Any) -> str:
    paid = reversal.fees_ore + reversal.interest_ore + reversal.principal_ore
    told = (
        f"Banken tilbakeførte {format_ore(reversal.amount_ore)} den "
        f"{reversal.reversed_on:%d.%m.%Y}, betalt {reversal.paid_on:%d.%m.%Y}; "
        f"{format_ore(paid)} av det var ført på kravet og skyldes igjen."
    )
    then = " Saken er gjenåpnet" if reopened else " Saken fortsetter"
    return f"{told}{then} på trinnet den var kommet til; neste trinn tidligst {hold:%d.%m.%Y}."
