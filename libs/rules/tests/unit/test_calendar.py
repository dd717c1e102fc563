from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.calendar import (
    add_business_days,
    deadline,
    is_business_day,
    next_business_day_on_or_after,
    oslo_today,
    roll_forward,
)


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 1, 1),
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 25),  # Whit Monday
        date(2026, 12, 25),
        date(2027, 5, 17),  # a Monday
    ],
)
def test_public_holidays_are_not_business_days(holiday: date) -> None:
    assert not is_business_day(holiday)


@pytest.mark.parametrize(
    "weekend", [date(2026, 5, 17), date(2026, 12, 26), date(2026, 6, 6), date(2026, 6, 7)]
)
def test_weekends_are_not_business_days(weekend: date) -> None:
    assert not is_business_day(weekend)


@pytest.mark.parametrize(
    "ordinary",
    [date(2026, 12, 24), date(2026, 12, 31), date(2026, 4, 1), date(2026, 4, 7), date(2026, 6, 8)],
)
def test_christmas_eve_new_years_eve_and_ordinary_weekdays_are_business_days(
    ordinary: date,
) -> None:
    assert is_business_day(ordinary)


def test_1_and_17_may_are_never_business_days_even_before_1947() -> None:
    assert not is_business_day(date(1946, 5, 1))  # a Wednesday
    assert not is_business_day(date(1946, 5, 17))  # a Friday


def test_deadline_on_saturday_after_christmas_rolls_to_monday() -> None:
    sent = date(2026, 12, 12)

    due = deadline(sent, 14)

    assert due == date(2026, 12, 28)


def test_deadline_on_maundy_thursday_rolls_past_easter_to_tuesday() -> None:
    assert deadline(date(2026, 3, 19), 14) == date(2026, 4, 7)


def test_deadline_on_a_business_day_stays() -> None:
    assert deadline(date(2026, 12, 10), 14) == date(2026, 12, 24)


def test_negative_deadline_days_are_refused() -> None:
    with pytest.raises(ValueError):
        deadline(date(2026, 1, 5), -1)


def test_roll_forward_and_next_business_day_agree() -> None:
    assert roll_forward(date(2026, 5, 16)) == next_business_day_on_or_after(date(2026, 5, 16))
    assert roll_forward(date(2026, 5, 16)) == date(2026, 5, 18)


def test_adding_business_days_skips_easter() -> None:
    assert add_business_days(date(2026, 4, 1), 1) == date(2026, 4, 7)
    assert add_business_days(date(2026, 4, 1), 2) == date(2026, 4, 8)


def test_subtracting_business_days_skips_easter() -> None:
    assert add_business_days(date(2026, 4, 7), -1) == date(2026, 4, 1)


def test_adding_zero_business_days_returns_the_same_day() -> None:
    assert add_business_days(date(2026, 4, 4), 0) == date(2026, 4, 4)


def test_oslo_today_late_on_30_june_utc_is_1_july_in_summer_time() -> None:
    now = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)

    today = oslo_today(now)

    assert today == date(2026, 7, 1)


def test_oslo_today_in_winter_is_one_hour_ahead_of_utc() -> None:
    assert oslo_today(datetime(2026, 12, 31, 22, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert oslo_today(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_oslo_today_accepts_other_aware_offsets() -> None:
    now = datetime(2026, 6, 30, 20, 30, tzinfo=timezone(timedelta(hours=-2)))

    assert oslo_today(now) == date(2026, 7, 1)


def test_oslo_today_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        oslo_today(datetime(2026, 6, 30, 22, 30))


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_roll_forward_gives_a_business_day_no_earlier_and_at_most_5_days_later(d: date) -> None:
    # The longest run of non-business days is Maundy Thursday through Easter Monday.
    rolled = roll_forward(d)

    assert is_business_day(rolled)
    assert d <= rolled <= d + timedelta(days=5)
