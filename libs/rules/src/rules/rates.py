"""Lookups of the dated legal figures: inkassosats, forsinkelsesrente, rettsgebyr, fee fractions.

Money is integer øre, interest rates exact `Decimal` percent per year, fee fractions `Fraction`.
Every lookup takes `rates`, defaulting to the packaged `rules/data/rates.toml` (`DEFAULT_RATES`);
an operator passes figures from `load_rates(path)` instead, without a release.
"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from rules.dated import (
    NOT_AVAILABLE_CODE,
    DatedValue,
    InvalidRates,
    RateNotAvailable,
    RateTable,
    entry_on,
    value_on,
)
from rules.rates_file import FEE_KINDS, Rates, half_year_start, load_rates

__all__ = [
    "DEFAULT_RATES",
    "FEE_KINDS",
    "DatedValue",
    "InvalidRates",
    "RateNotAvailable",
    "RatePeriod",
    "RateTable",
    "Rates",
    "entry_on",
    "fee_fraction_on",
    "forsinkelsesrente_on",
    "half_year_start",
    "inkassosats_on",
    "interest_rate_periods",
    "load_rates",
    "rates_from",
    "rettsgebyr_on",
    "standardkompensasjon_on",
    "value_on",
]

DEFAULT_RATES = load_rates()


def rates_from(path: str) -> Rates:
    """The rates a service computes with: the operator's file at `path`, or the packaged ones
    when `path` is empty (the services' shared ``rates_file`` setting)."""
    return load_rates(Path(path)) if path else DEFAULT_RATES


class RatePeriod(NamedTuple):
    """Days from `start` through `end` (inclusive) under one forsinkelsesrente fixing."""

    start: date
    end: date
    rate_percent: Decimal


def inkassosats_on(day: date, *, rates: Rates = DEFAULT_RATES) -> int:
    """The inkassosats in øre in force on `day` (inkassoforskriften § 1-1)."""
    return value_on(rates.inkassosats, day)


def rettsgebyr_on(day: date, *, rates: Rates = DEFAULT_RATES) -> int:
    """The rettsgebyr R in øre in force on `day` (rettsgebyrloven § 1)."""
    return value_on(rates.rettsgebyr, day)


def standardkompensasjon_on(day: date, *, rates: Rates = DEFAULT_RATES) -> int:
    """Standardkompensasjon in øre on `day` (forsinkelsesrenteloven § 3a).

    Only between businesses: charge it only if `rates.standardkompensasjon_enabled`.
    """
    return value_on(rates.standardkompensasjon, day)


def forsinkelsesrente_on(day: date, *, rates: Rates = DEFAULT_RATES) -> Decimal:
    """The forsinkelsesrente in percent per year on `day` (forsinkelsesrenteloven § 3)."""
    return value_on(rates.forsinkelsesrente, day)


def fee_fraction_on(kind: str, day: date, *, rates: Rates = DEFAULT_RATES) -> Fraction:
    """The fraction of the inkassosats a `kind` letter sent on `day` may charge as a fee."""
    table = rates.fee_fractions.get(kind)
    if table is None:
        raise RateNotAvailable(NOT_AVAILABLE_CODE, f"No fee fraction is known for {kind}.")
    return value_on(table, day)


def interest_rate_periods(
    start: date, end: date, *, rates: Rates = DEFAULT_RATES
) -> list[RatePeriod]:
    """The forsinkelsesrente periods from `start` through `end`, both inclusive.

    One period per half-year (each is one fixing, forsinkelsesrenteloven § 3), so the periods
    split at every 1 January and 1 July and thus at every rate change. Empty when `start` is
    after `end`; raises `RateNotAvailable` when `start` precedes the table.
    """
    periods = []
    while start <= end:
        following = _next_half_year(start)
        period_end = min(end, following - timedelta(days=1))
        periods.append(RatePeriod(start, period_end, forsinkelsesrente_on(start, rates=rates)))
        start = following
    return periods


def _next_half_year(day: date) -> date:
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)
