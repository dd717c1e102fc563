"""The plan preview: the same schedule dunning will make from the same request."""

from __future__ import annotations

from datetime import date

import pytest

from minside.domain.schedule import Instalment, PlanInputError, add_months, plan_schedule


def test_a_number_of_months_gives_equal_instalments_with_a_smaller_last_one():
    plan = plan_schedule(100_000, date(2025, 1, 31), monthly_ore=None, months=3)

    assert plan == (
        Instalment(date(2025, 1, 31), 33_334),
        Instalment(date(2025, 2, 28), 33_334),
        Instalment(date(2025, 3, 31), 33_332),
    )


def test_an_amount_per_month_runs_until_everything_is_paid():
    plan = plan_schedule(250_000, date(2025, 5, 20), monthly_ore=100_000, months=None)

    assert [i.amount_ore for i in plan] == [100_000, 100_000, 50_000]
    assert plan[-1].due_date == date(2025, 7, 20)


@pytest.mark.parametrize(
    ("total", "monthly", "months", "code"),
    [
        (0, 100, None, "plan.nothing_owed"),
        (100_000, 100, 3, "plan.choose_one"),
        (100_000, None, None, "plan.choose_one"),
        (100_000, None, 121, "plan.months_out_of_range"),
        (100_000_000, 100, None, "plan.months_out_of_range"),
    ],
)
def test_a_plan_that_cannot_be_made_says_why(total, monthly, months, code):
    with pytest.raises(PlanInputError) as refused:
        plan_schedule(total, date(2025, 1, 1), monthly_ore=monthly, months=months)

    assert refused.value.code == code


def test_months_are_added_without_running_past_the_end_of_a_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
