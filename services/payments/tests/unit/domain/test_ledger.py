"""Postings balance by construction; balances come from postings and never go below zero."""

from __future__ import annotations

import pytest

from payments.domain.errors import PaymentsError
from payments.domain.ledger import (
    CLAIM,
    COLLECTION,
    Balance,
    Component,
    Kind,
    Posting,
    balance_of,
    fee_charged,
    interest_booked,
    opening,
    paid_back_as_credit,
    payment,
)


def test_every_posting_moves_the_same_amount_out_of_one_account_and_into_another():
    postings = [opening(500_000), fee_charged(3_500), payment(Component.FEES, 3_500)]

    for p in postings:
        accounts = {p.debit, p.credit}
        assert sum(p.effect_on(a) for a in accounts) == 0
        assert p.effect_on(p.debit) == p.amount_ore > 0


def test_a_posting_of_zero_or_less_or_between_one_account_and_itself_is_refused():
    with pytest.raises(PaymentsError, match="amount_not_positive"):
        Posting(Kind.FEE, CLAIM[Component.FEES], COLLECTION, 0)
    with pytest.raises(PaymentsError, match="same_account"):
        Posting(Kind.FEE, COLLECTION, COLLECTION, 10)


def test_the_balance_is_derived_from_the_postings_by_component():
    postings = [
        opening(500_000),
        fee_charged(3_500),
        interest_booked(1_234),
        payment(Component.FEES, 3_500),
        payment(Component.PRINCIPAL, 100_000),
    ]

    balance = balance_of(postings)

    assert balance == Balance(
        principal_ore=400_000, interest_ore=1_234, fees_ore=0, paid_ore=103_500
    )
    assert balance.total_ore == 401_234
    assert not balance.settled


def test_paying_more_of_a_component_than_is_owed_is_refused():
    with pytest.raises(PaymentsError, match="component_negative"):
        balance_of([opening(1_000), payment(Component.PRINCIPAL, 1_001)])


def test_money_handed_back_as_credit_no_longer_counts_as_paid():
    balance = balance_of([opening(1_000), payment(Component.PRINCIPAL, 1_000)])

    after = balance.after(paid_back_as_credit(Component.PRINCIPAL, 400))

    assert after.paid_ore == 600
    assert after.principal_ore == 0
