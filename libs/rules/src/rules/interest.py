"""Forsinkelsesrente (forsinkelsesrenteloven §§ 2–3): simple interest on the principal only.

Interest runs from the day after the due date through the calculation date, inclusive. A due
date on a non-business day first moves to the next business day (gjeldsbrevloven § 5): paying
then is on time, so interest starts the day after. Each day earns principal × rate / 365, or
/ 366 in a leap year, at the rate fixed for its half-year (§ 3: from 1 January and 1 July). The
exact sum over all days is rounded half up to whole øre once, never per period. No interest on
interest or fees: callers pass the principal only.

A principal that changes (partial payment, credit note) comes as segments `(from_date,
principal_ore)`: the principal from that day on, none before the first. A payment on day D
settles interest through D, so its reduced principal applies from D + 1: pass `(D + 1, rest)`.
"""

from calendar import isleap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from rules.calendar import roll_forward
from rules.errors import RuleError
from rules.rates import DEFAULT_RATES, Rates, entry_on, half_year_start, interest_rate_periods
from rules.rounding import round_half_up

CODE = "interest.invalid_principal"
_ONE_DAY = timedelta(days=1)

PrincipalSegments = Sequence[tuple[date, int]]


class InvalidPrincipal(RuleError):
    """Principal segments out of date order, or a principal that is negative or not øre."""


@dataclass(frozen=True)
class InterestPart:
    """Interest on one principal at one rate within one year: a line of a letter's breakdown.

    `verified` is false when the rate is marked unverified, or when the half-year has no entry
    of its own and the last known rate is carried forward.
    """

    start: date
    end: date
    principal_ore: int
    rate_percent: Decimal
    verified: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def year_days(self) -> int:
        return 366 if isleap(self.start.year) else 365

    @property
    def exact_ore(self) -> Fraction:
        rate = Fraction(self.rate_percent) / 100
        return self.principal_ore * rate * Fraction(self.days, self.year_days)


@dataclass(frozen=True)
class InterestBreakdown:
    """The parts of one interest calculation and their sum, rounded once."""

    parts: tuple[InterestPart, ...]

    @property
    def exact_ore(self) -> Fraction:
        return sum((part.exact_ore for part in self.parts), Fraction(0))

    @property
    def total_ore(self) -> int:
        return round_half_up(self.exact_ore)

    @property
    def verified(self) -> bool:
        return all(part.verified for part in self.parts)


def accrued_breakdown(
    principal_segments: PrincipalSegments,
    due_date: date,
    until: date,
    *,
    rates: Rates = DEFAULT_RATES,
) -> InterestBreakdown:
    """Interest from the day after `due_date` through `until`, split by rate, year and principal."""
    segments = _validated(principal_segments)
    first_day = roll_forward(due_date) + _ONE_DAY
    parts = []
    for period in interest_rate_periods(first_day, until, rates=rates):
        entry = entry_on(rates.forsinkelsesrente, period.start)
        verified = entry.verified and entry.valid_from == half_year_start(period.start)
        for start, end, principal in _slices(segments, period.start, period.end):
            if principal:
                parts.append(InterestPart(start, end, principal, period.rate_percent, verified))
    return InterestBreakdown(tuple(parts))


def interest_ore(
    principal_segments: PrincipalSegments,
    due_date: date,
    until: date,
    *,
    rates: Rates = DEFAULT_RATES,
) -> int:
    """Forsinkelsesrente in whole øre on a changing principal; 0 when `until` ≤ due date."""
    return accrued_breakdown(principal_segments, due_date, until, rates=rates).total_ore


def interest_on(
    principal_ore: int, due_date: date, until: date, *, rates: Rates = DEFAULT_RATES
) -> int:
    """Forsinkelsesrente in whole øre on a fixed principal from its due date through `until`."""
    return interest_ore([(due_date, principal_ore)], due_date, until, rates=rates)


def _validated(segments: PrincipalSegments) -> PrincipalSegments:
    days = [day for day, _ in segments]
    if any(later <= earlier for earlier, later in pairwise(days)):
        raise InvalidPrincipal(
            CODE, "Principal segments must be in strictly increasing date order."
        )
    if any(isinstance(ore, bool) or not isinstance(ore, int) or ore < 0 for _, ore in segments):
        raise InvalidPrincipal(CODE, "A principal is a whole, non-negative number of øre.")
    return segments


def _slices(
    segments: PrincipalSegments, start: date, end: date
) -> Iterator[tuple[date, date, int]]:
    cuts = [start, *(day for day, _ in segments if start < day <= end)]
    stops = [cut - _ONE_DAY for cut in cuts[1:]] + [end]
    for cut, stop in zip(cuts, stops, strict=True):
        yield cut, stop, _principal_on(segments, cut)


def _principal_on(segments: PrincipalSegments, day: date) -> int:
    principal = 0
    for since, ore in segments:
        if since > day:
            break
        principal = ore
    return principal
