"""Fees, credit notes, cancellations, write-offs; settlements and missed instalments."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from payments.domain.accrual import InterestAccrual
from payments.domain.adjustments import adjust, charge_fee, reverse_fee
from payments.domain.allocation import ClaimAccount
from payments.domain.errors import PaymentsError
from payments.domain.ledger import Balance, Component, Kind
from payments.domain.plans import Instalment, missed_instalments
from payments.domain.settlement import Collected, period_bounds, remittance

A = UUID(int=1)
LATER = date(2099, 1, 1)


def account(principal: int, interest: int = 0, fees: int = 0, paid: int = 0) -> ClaimAccount:
    return ClaimAccount(A, date(2026, 6, 1), Balance(principal, interest, fees, paid), LATER)


def test_a_credit_note_beyond_the_open_principal_hands_the_paid_part_back_as_credit():
    change = adjust(
        account(2_000, paid=3_000),
        Kind.CREDIT_NOTE,
        4_000,
        closes=False,
        on=LATER,
        accrual=InterestAccrual(),
    )

    assert change.account.balance.principal_ore == 0
    assert change.credit_ore == 2_000
    assert change.account.balance.paid_ore == 1_000
    assert change.account.open


def test_a_cancellation_closes_the_account_and_cancels_open_interest_and_fees():
    change = adjust(
        account(5_000, 100, 3_500),
        Kind.CANCELLATION,
        5_000,
        closes=True,
        on=LATER,
        accrual=InterestAccrual(),
    )

    assert change.account.balance == Balance(0, 0, 0, 0)
    assert not change.account.open
    assert {p.kind for p in change.postings} == {Kind.CANCELLATION}


def test_a_write_off_writes_off_everything_open_and_keeps_what_was_paid():
    change = adjust(
        account(5_000, 100, 3_500, paid=700),
        Kind.WRITE_OFF,
        5_700,
        closes=True,
        on=LATER,
        accrual=InterestAccrual(),
    )

    assert change.account.balance == Balance(0, 0, 0, 700)
    assert change.credit_ore == 0


def test_a_reversed_fee_that_was_paid_becomes_a_credit():
    charged = charge_fee(account(10_000), 3_500).account
    paid = ClaimAccount(A, charged.due_date, Balance(10_000, 0, 0, 3_500), LATER)

    change = reverse_fee(paid, 3_500)

    assert change.credit_ore == 3_500
    assert change.account.balance.paid_ore == 0


def test_a_settlement_sums_principal_and_interest_per_claim_and_keeps_fees():
    rows = [
        Collected(A, "INV-1", Component.PRINCIPAL, 95_266),
        Collected(A, "INV-1", Component.INTEREST, 1_234),
        Collected(A, "INV-1", Component.FEES, 3_500),
    ]

    result = remittance("3301", *period_bounds("2026-11"), rows)

    assert (result.principal_ore, result.interest_ore, result.fees_kept_ore) == (
        95_266,
        1_234,
        3_500,
    )
    assert result.remitted_ore == 96_500
    assert (result.period_start, result.period_end) == (date(2026, 11, 1), date(2026, 11, 30))


def test_a_period_is_written_year_dash_month():
    with pytest.raises(PaymentsError, match="period_invalid"):
        period_bounds("2026-13")


def test_an_instalment_is_missed_once_its_due_date_passed_without_full_payment():
    plan = [
        Instalment(1, date(2026, 9, 15), 10_000),
        Instalment(2, date(2026, 10, 15), 10_000),
        Instalment(3, date(2026, 11, 16), 10_000),
    ]

    missed = missed_instalments(plan, paid_ore=14_000, today=date(2026, 11, 1))

    assert [(m.instalment.number, m.paid_ore) for m in missed] == [(2, 4_000)]


def test_an_instalment_due_on_a_saturday_may_be_paid_on_monday():
    plan = [Instalment(1, date(2026, 11, 14), 10_000)]  # a Saturday

    assert missed_instalments(plan, 0, today=date(2026, 11, 16)) == []
    assert len(missed_instalments(plan, 0, today=date(2026, 11, 17))) == 1
