import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.interest import (
    InterestPart,
    InvalidPrincipal,
    accrued_breakdown,
    interest_on,
    interest_ore,
)
from rules.rates import DEFAULT_RATES, DatedValue, RateNotAvailable, RateTable
from rules.rounding import round_half_up

TEN_THOUSAND_KR = 1_000_000
DUE_MONDAY = date(2025, 3, 3)

due_dates = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 30))
principals = st.integers(min_value=0, max_value=10**11)
day_counts = st.integers(min_value=0, max_value=1200)


def rate(percent: str) -> Fraction:
    return Fraction(Decimal(percent)) / 100


def test_domain_example_ten_thousand_kr_for_30_days_at_12_5_percent_is_102_74_kr() -> None:
    until = date(2025, 4, 2)  # 4 March through 2 April: 30 days, all in 2025H1

    interest = interest_on(TEN_THOUSAND_KR, DUE_MONDAY, until)

    assert interest == 10274
    assert interest == round_half_up(TEN_THOUSAND_KR * rate("12.5") * Fraction(30, 365))


def test_breakdown_gives_the_period_and_rate_for_a_letter() -> None:
    breakdown = accrued_breakdown([(DUE_MONDAY, TEN_THOUSAND_KR)], DUE_MONDAY, date(2025, 4, 2))

    assert breakdown.parts == (
        InterestPart(date(2025, 3, 4), date(2025, 4, 2), TEN_THOUSAND_KR, Decimal("12.50"), True),
    )
    assert (breakdown.parts[0].days, breakdown.parts[0].year_days) == (30, 365)
    assert breakdown.total_ore == 10274


def test_period_across_1_july_2025_is_split_and_rounded_once() -> None:
    principal = 100_000  # 1 000 kr
    due, until = date(2025, 6, 16), date(2025, 7, 15)
    hand = principal * (rate("12.50") * 14 + rate("12.25") * 15) / 365  # 17–30 Jun, 1–15 Jul

    breakdown = accrued_breakdown([(due, principal)], due, until)

    assert [(p.start, p.end, p.rate_percent) for p in breakdown.parts] == [
        (date(2025, 6, 17), date(2025, 6, 30), Decimal("12.50")),
        (date(2025, 7, 1), date(2025, 7, 15), Decimal("12.25")),
    ]
    assert breakdown.exact_ore == hand
    assert breakdown.total_ore == round_half_up(hand) == 983


def test_rounding_each_period_separately_would_lose_an_ore() -> None:
    principal = 100_000
    due, until = date(2025, 6, 16), date(2025, 7, 15)

    breakdown = accrued_breakdown([(due, principal)], due, until)

    # 479.45… + 503.42… = 982.88… → 983 once; 479 + 503 = 982 per period.
    assert sum(round_half_up(part.exact_ore) for part in breakdown.parts) == 982
    assert breakdown.total_ore == 983


def test_days_in_a_leap_year_earn_one_366th() -> None:
    due, until = date(2024, 1, 31), date(2024, 2, 29)  # 1–29 February 2024: 29 days

    interest = interest_on(TEN_THOUSAND_KR, due, until)

    assert interest == round_half_up(TEN_THOUSAND_KR * rate("12.50") * Fraction(29, 366)) == 9904
    assert interest != round_half_up(TEN_THOUSAND_KR * rate("12.50") * Fraction(29, 365))


def test_period_across_new_year_into_a_leap_year_splits_by_year() -> None:
    due, until = date(2023, 12, 15), date(2024, 1, 15)
    hand = TEN_THOUSAND_KR * (rate("11.75") * Fraction(16, 365) + rate("12.50") * Fraction(15, 366))

    breakdown = accrued_breakdown([(due, TEN_THOUSAND_KR)], due, until)

    assert [part.year_days for part in breakdown.parts] == [365, 366]
    assert breakdown.total_ore == round_half_up(hand)


@pytest.mark.parametrize("until", [DUE_MONDAY, DUE_MONDAY - timedelta(days=1), date(2020, 1, 1)])
def test_no_interest_until_the_day_after_the_due_date(until: date) -> None:
    assert interest_on(TEN_THOUSAND_KR, DUE_MONDAY, until) == 0


def test_interest_runs_through_the_calculation_date_inclusive() -> None:
    one_day = interest_on(TEN_THOUSAND_KR, DUE_MONDAY, DUE_MONDAY + timedelta(days=1))

    assert one_day == round_half_up(TEN_THOUSAND_KR * rate("12.50") / 365) == 342


def test_due_date_on_saturday_moves_to_monday_before_interest_starts() -> None:
    saturday = date(2025, 3, 1)

    assert interest_on(TEN_THOUSAND_KR, saturday, DUE_MONDAY) == 0
    assert interest_on(TEN_THOUSAND_KR, saturday, date(2025, 4, 2)) == 10274


def test_partial_payment_reduces_the_principal_from_the_day_after_payment() -> None:
    paid_on = date(2025, 3, 18)  # half paid; interest on the full principal through 18 March
    segments = [(DUE_MONDAY, TEN_THOUSAND_KR), (paid_on + timedelta(days=1), 500_000)]
    hand = (TEN_THOUSAND_KR * 15 + 500_000 * 15) * rate("12.50") / 365

    interest = interest_ore(segments, DUE_MONDAY, date(2025, 4, 2))

    assert interest == round_half_up(hand) == 7705


def test_fully_paid_principal_earns_nothing_further() -> None:
    segments = [(DUE_MONDAY, TEN_THOUSAND_KR), (date(2025, 3, 14), 0)]

    breakdown = accrued_breakdown(segments, DUE_MONDAY, date(2025, 12, 31))

    assert [(part.start, part.end) for part in breakdown.parts] == [
        (date(2025, 3, 4), date(2025, 3, 13))
    ]


@pytest.mark.parametrize(
    "segments",
    [
        [(date(2025, 3, 10), 1), (date(2025, 3, 3), 1)],
        [(DUE_MONDAY, 1), (DUE_MONDAY, 2)],
        [(DUE_MONDAY, -1)],
    ],
)
def test_unsorted_segments_or_negative_principal_are_refused(
    segments: list[tuple[date, int]],
) -> None:
    with pytest.raises(InvalidPrincipal) as error:
        interest_ore(segments, DUE_MONDAY, date(2025, 4, 2))

    assert error.value.code == "interest.invalid_principal"


def test_interest_before_the_rate_table_is_not_available() -> None:
    with pytest.raises(RateNotAvailable):
        interest_on(TEN_THOUSAND_KR, date(2022, 11, 1), date(2023, 2, 1))


def test_parts_on_unverified_or_carried_forward_rates_are_flagged() -> None:
    breakdown = accrued_breakdown([(DUE_MONDAY, TEN_THOUSAND_KR)], DUE_MONDAY, date(2027, 3, 1))

    flags = {part.start: part.verified for part in breakdown.parts}

    assert flags[date(2025, 3, 4)] is True
    assert flags[date(2025, 7, 1)] is False  # 12.25 % marked unverified
    assert flags[date(2027, 1, 1)] is False  # no 2027H1 entry: last rate carried forward
    assert breakdown.verified is False


def test_operator_rates_are_used_when_given() -> None:
    flat = RateTable("forsinkelsesrente", (DatedValue(date(2000, 1, 1), Decimal("10")),))
    rates = dataclasses.replace(DEFAULT_RATES, forsinkelsesrente=flat)

    interest = interest_on(36_500, date(2019, 1, 2), date(2019, 1, 12), rates=rates)

    assert interest == 100  # 365 kr × 10 % × 10/365 = 1 kr


@given(due_dates, principals, day_counts, day_counts)
def test_interest_never_decreases_as_the_calculation_date_moves_on(
    due: date, principal: int, days: int, more_days: int
) -> None:
    until = due + timedelta(days=days)

    earlier = interest_on(principal, due, until)
    later = interest_on(principal, due, until + timedelta(days=more_days))

    assert earlier <= later


@given(due_dates, principals, principals, day_counts)
def test_interest_never_decreases_with_a_larger_principal(
    due: date, principal: int, extra: int, days: int
) -> None:
    until = due + timedelta(days=days)

    assert interest_on(principal, due, until) <= interest_on(principal + extra, due, until)


@given(due_dates, st.lists(principals, min_size=1, max_size=6), day_counts)
def test_splitting_the_principal_changes_the_interest_by_at_most_an_ore_per_part(
    due: date, parts: list[int], days: int
) -> None:
    until = due + timedelta(days=days)

    whole = interest_on(sum(parts), due, until)
    split = sum(interest_on(part, due, until) for part in parts)

    assert abs(whole - split) <= len(parts)
