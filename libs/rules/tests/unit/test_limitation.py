from datetime import date

import pytest

from rules.limitation import limitation_date, warn_from


def test_claim_is_time_barred_three_years_after_its_due_date() -> None:
    assert limitation_date(date(2023, 6, 15)) == date(2026, 6, 15)


def test_limitation_ending_on_a_saturday_moves_to_monday() -> None:
    assert limitation_date(date(2023, 3, 14)) == date(2026, 3, 16)


def test_limitation_ending_on_17_may_moves_to_the_next_business_day() -> None:
    assert limitation_date(date(2026, 5, 17)) == date(2029, 5, 18)  # 17 May 2029 is a Thursday


def test_due_on_29_february_ends_on_the_last_day_of_february() -> None:
    # 28 February 2027 is a Sunday, so the period ends on Monday 1 March.
    assert limitation_date(date(2024, 2, 29)) == date(2027, 3, 1)
    assert limitation_date(date(2025, 2, 28)) == date(2028, 2, 28)


def test_tvangsgrunnlag_gives_ten_years_from_its_date() -> None:
    due = date(2023, 6, 15)

    barred = limitation_date(due, tvangsgrunnlag_date=date(2024, 9, 12))

    assert barred == date(2034, 9, 12)


def test_warning_starts_four_months_before_limitation() -> None:
    assert warn_from(date(2026, 6, 15)) == date(2026, 2, 15)


def test_warning_months_clamp_to_the_end_of_a_shorter_month() -> None:
    assert warn_from(date(2026, 6, 30)) == date(2026, 2, 28)
    assert warn_from(date(2026, 3, 31), months=13) == date(2025, 2, 28)


def test_warning_after_the_limitation_date_is_refused() -> None:
    with pytest.raises(ValueError):
        warn_from(date(2026, 6, 15), months=-1)
