"""What a citizen owes today, the next deadline, and claims grouped by municipality."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from minside.domain.claims import Balance, Claim, amount_today, group_by_municipality, next_deadline
from rules.rates import DEFAULT_RATES


def claim(**overrides) -> Claim:
    values = {
        "claim_id": uuid4(),
        "municipality": "3301",
        "invoice_number": "INV-1",
        "claim_type": "barnehage",
        "description": "Barnehage oktober",
        "issue_date": date(2025, 9, 1),
        "due_date": date(2025, 10, 1),
        "principal_ore": 1_000_000,
    }
    return Claim(**(values | overrides))


def test_without_a_ledger_balance_interest_runs_from_the_day_after_the_due_date():
    # 10 000 kr × 12.5 % × 30/365 = 102.74 kr (DOMAIN.md's example; 2025H1 rate): 3 Jan – 1 Feb.
    owed = amount_today(claim(due_date=date(2025, 1, 2)), date(2025, 2, 1))

    assert owed == owed.__class__(1_000_000, 10_274, 0)


def test_with_a_balance_only_the_days_after_its_booking_are_added():
    booked = Balance(
        principal_ore=1_000_000,
        interest_ore=5_000,
        fees_ore=3_500,
        total_ore=1_008_500,
        paid_ore=0,
        as_of=date(2025, 1, 1),
    )

    owed = amount_today(claim(due_date=date(2024, 12, 1), balance=booked), date(2025, 1, 31))

    assert owed.interest_ore == 5_000 + 10_274
    assert owed.total_ore == 1_000_000 + 15_274 + 3_500


def test_a_balance_with_no_interest_booked_yet_owes_interest_from_the_day_after_the_due_date():
    # The account was opened (and its balance sent) a month after the due date.
    opened = Balance(1_000_000, 0, 0, 1_000_000, 0, as_of=date(2025, 2, 1))

    owed = amount_today(claim(due_date=date(2025, 1, 2), balance=opened), date(2025, 2, 1))

    assert owed.interest_ore == 10_274


def test_interest_booked_through_a_day_counts_from_that_day_not_from_the_last_balance():
    # Interest booked through 1 January; a fee posted on 20 January sent a newer balance.
    after_fee = Balance(
        1_000_000, 5_000, 3_500, 1_008_500, 0, as_of=date(2025, 1, 20),
        interest_through=date(2025, 1, 1),
    )  # fmt: skip

    owed = amount_today(claim(due_date=date(2024, 12, 1), balance=after_fee), date(2025, 1, 31))

    assert owed.interest_ore == 5_000 + 10_274


def test_a_balance_booked_today_is_the_amount_today():
    booked = Balance(600_000, 1_234, 3_500, 604_734, 0, as_of=date(2025, 3, 3))

    owed = amount_today(claim(balance=booked), date(2025, 3, 3))

    assert owed.total_ore == 604_734


def test_a_closed_claim_owes_nothing():
    assert amount_today(claim(closed_reason="settled"), date(2025, 3, 3)).total_ore == 0


def test_the_next_deadline_is_the_earliest_one_not_yet_passed():
    c = claim(due_date=date(2025, 1, 10), deadlines=(date(2025, 2, 1), date(2025, 3, 1)))

    assert next_deadline(c, date(2025, 2, 2)) == date(2025, 3, 1)
    assert next_deadline(c, date(2025, 1, 5)) == date(2025, 1, 10)
    assert next_deadline(c, date(2025, 3, 2)) is None


def test_open_claims_are_grouped_by_municipality_with_total_and_next_deadline():
    today = date(2025, 1, 1)
    a = claim(municipality="3303", principal_ore=100_000, due_date=date(2025, 2, 1))
    b = claim(municipality="3301", principal_ore=200_000, due_date=date(2025, 3, 1))
    c = claim(municipality="3301", principal_ore=50_000, due_date=date(2025, 1, 20))
    paid = claim(municipality="3312", closed_reason="settled")

    groups = group_by_municipality([a, b, c, paid], today, rates=DEFAULT_RATES)

    assert [g.municipality for g in groups] == ["3301", "3303"]
    assert groups[0].total_ore == 250_000 and groups[0].next_deadline == date(2025, 1, 20)
    assert [x.due_date for x in groups[0].claims] == [date(2025, 1, 20), date(2025, 3, 1)]
