"""The instalment plan a citizen sees before confirming.

It must match what dunning decides from the same request, so it follows dunning's rule:
equal monthly instalments (the last one smaller), from the first due date, one month apart.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Instalment:
    """One month's payment."""

    due_date: date
    amount_ore: int


class PlanInputError(ValueError):
    """The plan request cannot make a schedule; ``code`` names the field problem."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


MAX_MONTHS = 120


def plan_schedule(
    total_ore: int, first_due: date, *, monthly_ore: int | None, months: int | None
) -> tuple[Instalment, ...]:
    """Monthly instalments covering ``total_ore``: a monthly amount, or a number of months."""
    if total_ore <= 0:
        raise PlanInputError("plan.nothing_owed")
    if (monthly_ore is None) == (months is None):
        raise PlanInputError("plan.choose_one")
    if months is not None:
        if not 1 <= months <= MAX_MONTHS:
            raise PlanInputError("plan.months_out_of_range")
        monthly_ore = -(-total_ore // months)
    assert monthly_ore is not None
    if monthly_ore <= 0:
        raise PlanInputError("plan.amount_too_low")
    if -(-total_ore // monthly_ore) > MAX_MONTHS:
        raise PlanInputError("plan.months_out_of_range")
    instalments = []
    remaining, month = total_ore, 0
    while remaining > 0:
        amount = min(monthly_ore, remaining)
        instalments.append(Instalment(add_months(first_due, month), amount))
        remaining -= amount
        month += 1
    return tuple(instalments)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))
