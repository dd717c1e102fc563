"""Bank reversals: the payment the bank took back is found and undone in the ledger.

A reversal in a payment file (OCR transaction types 18 and 20, a camt.054 reversed credit)
names no payment, so it is matched to the latest payment not yet reversed with the same
amount and KID (or, neither having a KID, the same EndToEndId or payer account), from the same
payer account and with the same EndToEndId when both say one, made no later than the reversal.
What the payment paid is owed again (new postings: ``payments.domain.reversal``); each claim's
balance follows on the bus (``accounts.balance_changed.v1``, which Min side reads) with the
story (``payments.reversed.v1``, on which dunning reopens the case). A reversal whose payment
is not found, and any part no one holds any more, waits in the unmatched queue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from contracts.payments import PaymentReversedV1
from payments.db import tables as t
from payments.db.accounts import append_postings, lock_accounts, save_accounts
from payments.domain.booking import REVERSAL, Ledgered, posting_row
from payments.domain.ledger import Component, Kind, Posting, reversed_by_bank
from payments.domain.reversal import Booked, Undoing, undo
from payments.mapping import balance_changed
from runtime.db import UnitOfWork

_STAGED = """
    SELECT payment_id, amount_ore, kid, booking_date, payer_account, end_to_end_id, channel
    FROM payment_stage WHERE reversal ORDER BY seq
"""
# Only payments that reached a claim of this KID or went through the unmatched queue can be
# the one reversed: both are found by index, so the payment register needs no index of its own.
_ORIGINAL = """
    SELECT id, paid_on, channel, kid FROM payment
    WHERE id IN (
            SELECT p.payment_id FROM account a JOIN posting p ON p.claim_id = a.claim_id
            WHERE p.kind = 'payment' AND (a.kid = :kid OR a.original_kid = :kid)
            UNION
            SELECT u.payment_id FROM unmatched_payment u
            WHERE u.amount_ore = :amount AND u.state <> 'reversed'
        )
      AND NOT reversal AND reversed_by IS NULL AND amount_ore = :amount AND id <> :reversal
      AND (kid = :kid OR (CAST(:kid AS text) IS NULL AND kid IS NULL
           AND (end_to_end_id = :e2e OR payer_account = :payer)))
      AND (CAST(:e2e AS text) IS NULL OR end_to_end_id IS NULL OR end_to_end_id = :e2e)
      AND (CAST(:payer AS text) IS NULL OR payer_account IS NULL OR payer_account = :payer)
      AND paid_on <= :booked
    ORDER BY paid_on DESC, received_at DESC, file_seq DESC NULLS LAST
    LIMIT 1
    FOR UPDATE
"""
_MADE = """
    SELECT claim_id, kind, component, debit_account, credit_account, amount_ore
    FROM posting WHERE payment_id = :payment ORDER BY id
"""


@dataclass(frozen=True, slots=True)
class Reversals:
    """What the reversals of one booking did."""

    undone: int = 0
    unmatched: int = 0
    reversed_ore: int = 0


async def book_reversals(uow: UnitOfWork, reference: str | None) -> Reversals:
    """Undo the payment each staged reversal takes back (or queue the reversal)."""
    rows = (await uow.conn.execute(sa.text(_STAGED))).all()
    undone = unmatched = total = 0
    for row in rows:
        original = (
            await uow.conn.execute(
                sa.text(_ORIGINAL),
                {
                    "amount": row.amount_ore,
                    "reversal": row.payment_id,
                    "kid": row.kid,
                    "e2e": row.end_to_end_id,
                    "payer": row.payer_account,
                    "booked": row.booking_date,
                },
            )
        ).first()
        total += row.amount_ore
        if original is None:
            posting = reversed_by_bank(row.amount_ore)
            await append_postings(
                uow.conn,
                [posting_row(posting, None, None, row.payment_id, row.booking_date,
                             uow.clock(), reference)],
            )  # fmt: skip
            unplaced = row.amount_ore
        else:
            unplaced = await _undo(uow, row, original, reference)
            undone += 1
        if unplaced:
            await _queue(uow, row.payment_id, unplaced)
            unmatched += 1
    return Reversals(undone, unmatched, total)


async def _undo(uow: UnitOfWork, reversal: Any, original: Any, reference: str | None) -> int:
    conn, now = uow.conn, uow.clock()
    made = [
        Booked(r.claim_id, _posting(r))
        for r in await conn.execute(sa.text(_MADE), {"payment": original.id})
    ]
    parked = await _take_off_queue(uow, original.id, reversal.payment_id)
    undoing = undo(reversal.amount_ore, made, still_parked_ore=parked)
    accounts = await lock_accounts(conn, sorted(undoing.claims, key=str))
    rows = [
        posting_row(p, None, None, reversal.payment_id, reversal.booking_date, now, reference)
        for p in undoing.office
    ]
    for claim_id, postings in undoing.claims.items():
        entry = accounts[claim_id]
        balance = entry.account.balance
        for p in postings:
            balance = balance.after(p)
        entry.account = replace(entry.account, balance=balance)
        rows += [
            posting_row(
                p,
                claim_id,
                entry.debtor_ref,
                reversal.payment_id,
                reversal.booking_date,
                now,
                reference,
            )
            for p in postings
        ]
    await append_postings(conn, rows)
    await save_accounts(conn, [accounts[c] for c in undoing.claims])
    await conn.execute(
        sa.update(t.payment)
        .where(t.payment.c.id == original.id)
        .values(reversed_by=reversal.payment_id)
    )
    for claim_id in undoing.claims:
        _announce(uow, accounts[claim_id], undoing, reversal, original, now)
    return undoing.unplaced_ore


def _announce(
    uow: UnitOfWork,
    entry: Ledgered,
    undoing: Undoing,
    reversal: Any,
    original: Any,
    now: datetime,
) -> None:
    claim_id, tenant = entry.account.claim_id, entry.municipality
    # The balance is as it would have been without the payment: as of the day it counted.
    payload = balance_changed(entry, cause="refund", as_of=original.paid_on, now=now)
    uow.add_event("accounts.balance_changed.v1", tenant=tenant, subject=str(claim_id),
                  payload=payload)  # fmt: skip
    story = PaymentReversedV1(
        payment_id=reversal.payment_id,
        original_payment_id=original.id,
        claim_id=claim_id,
        amount_ore=reversal.amount_ore,
        fees_ore=undoing.paid(claim_id, Component.FEES),
        interest_ore=undoing.paid(claim_id, Component.INTEREST),
        principal_ore=undoing.paid(claim_id, Component.PRINCIPAL),
        channel=original.channel,
        kid=original.kid,
        paid_on=original.paid_on,
        reversed_on=reversal.booking_date,
        reversed_at=now,
    )
    uow.add_event("payments.reversed.v1", tenant=tenant, subject=str(claim_id), payload=story)


async def _take_off_queue(uow: UnitOfWork, payment_id: UUID, reversal_id: UUID) -> int:
    """What of the payment still waits in the unmatched queue; it leaves the queue."""
    u = t.unmatched_payment.c
    taken = await uow.conn.execute(
        sa.update(t.unmatched_payment)
        .where(u.payment_id == payment_id, u.state == "open")
        .values(state="reversed", resolved_at=uow.clock(), resolved_by="bank",
                result={"reversed_by": str(reversal_id)})
        .returning(u.amount_ore)
    )  # fmt: skip
    return int(taken.scalar_one_or_none() or 0)


async def _queue(uow: UnitOfWork, payment_id: UUID, amount_ore: int) -> None:
    """A reversal (or the part of one) no payment holds: taken from suspense, for a caseworker."""
    await uow.conn.execute(
        sa.insert(t.unmatched_payment).values(
            payment_id=payment_id, reason=REVERSAL, amount_ore=amount_ore, candidates=[],
            state="open", created_at=uow.clock(),
        )
    )  # fmt: skip


def _posting(r: Any) -> Posting:
    component = Component(r.component) if r.component else None
    return Posting(Kind(r.kind), r.debit_account, r.credit_account, r.amount_ore, component)
