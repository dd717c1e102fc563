"""Instalment plans (betalingsavtaler): the schedule, and whether it is within policy limits."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from dunning.domain.errors import Violation, violation
from dunning.domain.policy import PlanLimits


@dataclass(frozen=True)
class Instalment:
    due_date: date
    amount_ore: int


def schedule(
    total_ore: int, first_due: date, *, monthly_ore: int | None, months: int | None
) -> tuple[Instalment, ...]:
    """Monthly instalments covering ``total_ore``: a monthly amount, else a number of months."""
    if monthly_ore is None:
        count = max(1, months or 1)
        monthly_ore = -(-total_ore // count)
    monthly_ore = max(1, monthly_ore)
    instalments = []
    remaining, month = total_ore, 0
    while remaining > 0:
        amount = min(monthly_ore, remaining)
        instalments.append(Instalment(add_months(first_due, month), amount))
        remaining -= amount
        month += 1
    return tuple(instalments)


def check_plan(
    plan: tuple[Instalment, ...],
    limits: PlanLimits,
    *,
    today: date,
    last_broken: date | None,
) -> list[Violation]:
    """Every limit the plan breaks; empty means it is granted without a caseworker."""
    found = []
    total = sum(i.amount_ore for i in plan)
    if plan and plan[0].amount_ore < min(limits.min_monthly_ore, total):
        found.append(violation("plan.amount_too_low", detail=f"{limits.min_monthly_ore} øre"))
    if len(plan) > limits.max_months:
        found.append(violation("plan.too_many_months", detail=str(limits.max_months)))
    lookback = today - timedelta(days=limits.broken_plan_lookback_days)
    if last_broken is not None and last_broken >= lookback:
        found.append(violation("plan.recently_broken"))
    if plan and plan[0].due_date < today:
        found.append(violation("plan.first_due_in_past"))
    return found


def deferral_allowed(until: date, today: date, limits: PlanLimits) -> bool:
    """Whether a deferral to ``until`` is within the policy's limit."""
    return today <= until <= today + timedelta(days=limits.max_deferral_days)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))
