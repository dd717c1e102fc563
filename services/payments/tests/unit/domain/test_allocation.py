"""Allocation order: fees, interest, principal within a claim; oldest due date first across."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from payments.domain.accrual import InterestAccrual
from payments.domain.allocation import ClaimAccount, pay, split
from payments.domain.ledger import Balance, Component, Kind

A, B = UUID(int=1), UUID(int=2)
NO_INTEREST = InterestAccrual()


def account(
    claim_id: UUID, due: date, principal: int, interest: int = 0, fees: int = 0
) -> ClaimAccount:
    # Booked through a later day than any payment below, so no interest accrues in these tests.
    return ClaimAccount(claim_id, due, Balance(principal, interest, fees), date(2099, 1, 1))


def test_1000_kr_on_35_kr_fee_12_34_kr_interest_and_5000_kr_principal_splits_35_12_34_952_66():
    claim = account(A, date(2026, 10, 1), principal=500_000, interest=1_234, fees=3_500)

    outcome = pay([claim], 100_000, date(2026, 11, 20), NO_INTEREST)

    [share] = outcome.shares
    assert (share.fees_ore, share.interest_ore, share.principal_ore) == (3_500, 1_234, 95_266)
    assert sum(p.amount_ore for p in share.postings if p.kind is Kind.PAYMENT) == 100_000
    assert share.account.balance == Balance(404_734, 0, 0, 100_000)
    assert outcome.overpayment_ore == 0


def test_a_policy_may_put_principal_before_fees():
    balance = Balance(principal_ore=1_000, interest_ore=100, fees_ore=500)

    parts = split(1_200, balance, (Component.PRINCIPAL, Component.INTEREST, Component.FEES))

    assert parts == {Component.PRINCIPAL: 1_000, Component.INTEREST: 100, Component.FEES: 100}


def test_across_claims_of_one_kid_the_oldest_due_date_is_paid_first():
    newer = account(A, date(2026, 9, 1), principal=10_000)
    older = account(B, date(2026, 6, 1), principal=10_000)

    outcome = pay([newer, older], 15_000, date(2026, 11, 20), NO_INTEREST)

    assert [(s.account.claim_id, s.principal_ore) for s in outcome.shares] == [
        (B, 10_000),
        (A, 5_000),
    ]


def test_what_no_claim_needs_becomes_a_credit_on_the_debtor():
    outcome = pay(
        [account(A, date(2026, 6, 1), principal=10_000)], 12_500, date(2026, 11, 20), NO_INTEREST
    )

    assert outcome.overpayment_ore == 2_500
    assert outcome.overpayment is not None
    assert outcome.overpayment.kind is Kind.OVERPAYMENT_CREDIT
    assert outcome.shares[0].account.balance.settled


def test_interest_is_booked_through_the_payment_date_before_the_split():
    # 10 000 kr due Monday 3 March 2025, paid 2 April: 30 days at 12.5 % = 102.74 kr (DOMAIN.md).
    claim = ClaimAccount(A, date(2025, 3, 3), Balance(1_000_000))

    outcome = pay([claim], 10_274, date(2025, 4, 2), InterestAccrual())

    [share] = outcome.shares
    assert share.interest_ore == 10_274
    assert share.postings[0].kind is Kind.INTEREST
    assert share.account.interest_through == date(2025, 4, 2)
    assert share.account.balance.principal_ore == 1_000_000
