"""Interest between bookings equals the rule's own calculation, across rate changes too."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from payments.domain.accrual import InterestAccrual
from rules.interest import interest_ore
from rules.rounding import round_half_up


def test_across_1_july_the_interest_is_the_hand_computed_sum_of_both_periods():
    principal = 100_000
    rate_h1, rate_h2 = Fraction(Decimal("12.50")) / 100, Fraction(Decimal("12.25")) / 100
    hand = round_half_up(principal * (rate_h1 * 14 + rate_h2 * 15) / 365)  # 17–30 Jun, 1–15 Jul

    interest = InterestAccrual().since_last_booking(
        principal, date(2025, 6, 16), None, date(2025, 7, 15)
    )

    assert interest == hand


def test_a_leap_year_day_counts_one_366th():
    principal = 36_600_000
    rate = Fraction(Decimal("12.50")) / 100

    interest = InterestAccrual().since_last_booking(
        principal, date(2024, 3, 1), None, date(2024, 3, 11)
    )

    assert interest == round_half_up(principal * rate * 10 / 366)


def test_nothing_accrues_again_for_days_already_booked():
    accrual = InterestAccrual()

    assert (
        accrual.since_last_booking(500_000, date(2025, 3, 3), date(2025, 4, 2), date(2025, 4, 2))
        == 0
    )
    assert accrual.since_last_booking(500_000, date(2025, 3, 3), None, date(2025, 3, 3)) == 0


@given(
    principal=st.integers(min_value=0, max_value=10**10),
    due=st.dates(min_value=date(2023, 1, 2), max_value=date(2026, 6, 1)),
    days=st.integers(min_value=0, max_value=900),
    booked=st.integers(min_value=0, max_value=900),
)
def test_the_cached_factor_gives_exactly_what_rules_interest_gives(principal, due, days, booked):
    until = due + timedelta(days=days)
    through = due + timedelta(days=min(booked, days))
    expected = interest_ore([(through + timedelta(days=1), principal)], due, until)

    assert InterestAccrual().since_last_booking(principal, due, through, until) == expected
