"""Instalment plans: the schedule and the policy's limits, pure."""

from __future__ import annotations

from datetime import date

from dunning.domain.plans import Instalment, check_plan, deferral_allowed, schedule
from dunning.domain.policy import PlanLimits

LIMITS = PlanLimits(min_monthly_ore=50_000, max_months=24, broken_plan_lookback_days=365)


def codes(plan, **kwargs):
    return [v.code for v in check_plan(plan, LIMITS, **kwargs)]


def test_a_monthly_amount_gives_equal_instalments_and_a_smaller_last_one():
    plan = schedule(130_000, date(2026, 1, 31), monthly_ore=50_000, months=None)

    assert plan == (
        Instalment(date(2026, 1, 31), 50_000),
        Instalment(date(2026, 2, 28), 50_000),
        Instalment(date(2026, 3, 31), 30_000),
    )


def test_a_number_of_months_spreads_the_total_rounding_up():
    plan = schedule(100_001, date(2026, 5, 15), monthly_ore=None, months=2)

    assert [i.amount_ore for i in plan] == [50_001, 50_000]


def test_a_plan_within_limits_breaks_none():
    plan = schedule(600_000, date(2026, 5, 15), monthly_ore=50_000, months=None)

    assert codes(plan, today=date(2026, 5, 1), last_broken=None) == []


def test_a_plan_below_the_monthly_minimum_and_too_long_breaks_both_limits():
    plan = schedule(1_300_000, date(2026, 5, 15), monthly_ore=40_000, months=None)

    assert codes(plan, today=date(2026, 5, 1), last_broken=None) == [
        "plan.amount_too_low",
        "plan.too_many_months",
    ]


def test_a_small_debt_may_be_paid_in_one_instalment_below_the_minimum():
    plan = schedule(30_000, date(2026, 5, 15), monthly_ore=50_000, months=None)

    assert codes(plan, today=date(2026, 5, 1), last_broken=None) == []


def test_a_plan_broken_within_a_year_goes_to_a_caseworker():
    plan = schedule(100_000, date(2026, 5, 15), monthly_ore=50_000, months=None)

    assert codes(plan, today=date(2026, 5, 1), last_broken=date(2025, 5, 2)) == [
        "plan.recently_broken"
    ]
    assert codes(plan, today=date(2026, 5, 1), last_broken=date(2025, 4, 30)) == []


def test_a_deferral_is_within_policy_up_to_its_maximum_days():
    assert deferral_allowed(date(2026, 5, 31), date(2026, 5, 1), LIMITS)
    assert not deferral_allowed(date(2026, 6, 1), date(2026, 5, 1), LIMITS)
