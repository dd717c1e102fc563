"""Forsinkelsesrente accrued on a claim between bookings, from the rules' dated rate table.

Interest is simple and on principal only, so for a fixed principal it is linear: the exact
interest is ``principal × factor(first day, last day)``. The factor comes from
``rules.interest`` itself (computed for 1 øre, exactly, as a ``Fraction``) and is cached per
date span, which makes booking interest on 100 000 payments cheap without a second formula.
The product is rounded half up to whole øre once per calculation, as the rule requires
(in integer arithmetic: a ``Fraction`` per payment would cost more than the rest of booking).

The principal only changes when interest is booked first (a payment, a credit note), so the
span since the last booking always ran at today's principal.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from rules.interest import accrued_breakdown
from rules.rates import DEFAULT_RATES, Rates

_ONE_DAY = timedelta(days=1)


class InterestAccrual:
    """Interest owed on a claim for the days not yet booked, at a given set of rates."""

    def __init__(self, rates: Rates = DEFAULT_RATES) -> None:
        self._rates = rates
        self._factors: dict[tuple[date, date, date], Fraction] = {}

    def since_last_booking(
        self, principal_ore: int, due_date: date, booked_through: date | None, until: date
    ) -> int:
        """Whole øre from the day after ``booked_through`` (or the due date) through ``until``."""
        start = (booked_through or due_date) + _ONE_DAY
        if principal_ore <= 0 or start > until or until <= due_date:
            return 0
        factor = self._factor(start, due_date, until)
        # Half up, exactly as rules.rounding.round_half_up for x ≥ 0: floor(x + 1/2), in integers.
        return (2 * principal_ore * factor.numerator + factor.denominator) // (
            2 * factor.denominator
        )

    def _factor(self, start: date, due_date: date, until: date) -> Fraction:
        key = (start, due_date, until)
        factor = self._factors.get(key)
        if factor is None:
            breakdown = accrued_breakdown([(start, 1)], due_date, until, rates=self._rates)
            factor = self._factors[key] = breakdown.exact_ore
        return factor
