"""Undoing a reversed payment: mirrors of what it did, the rest from suspense for a caseworker."""

from __future__ import annotations

from uuid import uuid4

from payments.domain.ledger import (
    Balance,
    Component,
    balance_of,
    fee_charged,
    interest_booked,
    opening,
    overpayment_credit,
    parked,
    payment,
    refund,
)
from payments.domain.reconciliation import AccountCheck, discrepancies, money_totals
from payments.domain.reversal import Booked, undo

CLAIM = uuid4()


def test_what_a_payment_paid_is_owed_again_and_its_refunded_overpayment_waits_for_a_caseworker():
    claim = [opening(100_000), fee_charged(3_500), interest_booked(1_200)]
    made = [
        Booked(CLAIM, payment(Component.FEES, 3_500)),
        Booked(CLAIM, payment(Component.INTEREST, 1_200)),
        Booked(CLAIM, payment(Component.PRINCIPAL, 100_000)),
        Booked(None, overpayment_credit(5_000)),
        Booked(None, refund(5_000)),  # refunded to the payer at once
    ]

    undoing = undo(109_700, made, still_parked_ore=0)

    owed = balance_of(claim + [b.posting for b in made if b.claim_id] + undoing.claims[CLAIM])
    assert owed == Balance(100_000, 1_200, 3_500, 0)
    assert undoing.unplaced_ore == 5_000
    assert (undoing.paid(CLAIM, Component.FEES), undoing.paid(CLAIM, Component.PRINCIPAL)) == (
        3_500,
        100_000,
    )
    ledger = [b.posting for b in made] + undoing.claims[CLAIM] + undoing.office
    totals = money_totals(ledger, received_ore=109_700, reversed_ore=109_700)
    assert totals.unmatched_ore == -5_000  # the queue holds the reversal's 50 kr
    assert list(discrepancies([AccountCheck(CLAIM, owed, owed)], totals)) == []


def test_a_payment_still_in_suspense_leaves_it_and_nothing_is_left_over():
    undoing = undo(4_440, [Booked(None, parked(4_440))], still_parked_ore=4_440)

    assert undoing.claims == {}
    assert undoing.unplaced_ore == 0
    totals = money_totals([parked(4_440), *undoing.office], received_ore=4_440, reversed_ore=4_440)
    assert (totals.unmatched_ore, totals.collection_ore) == (0, 0)
