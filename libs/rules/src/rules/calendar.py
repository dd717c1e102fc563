"""Norwegian business days and deadlines; legal dates are calendar dates in Europe/Oslo.

A due date or payment deadline on a Saturday, Sunday, public holiday, 1 or 17 May moves to the
next business day (gjeldsbrevloven § 5, foreldelsesloven § 29). Public holidays come from the
`holidays` package (country NO); 24 and 31 December are ordinary business days.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

OSLO = ZoneInfo("Europe/Oslo")
_ONE_DAY = timedelta(days=1)


def is_business_day(d: date) -> bool:
    """True for Monday–Friday that is not a Norwegian public holiday, 1 May or 17 May."""
    # 1 and 17 May are named by the law itself; `holidays` lists them only from 1947.
    is_may_1_or_17 = d.month == 5 and d.day in (1, 17)
    return d.weekday() < 5 and not is_may_1_or_17 and d not in _public_holidays(d.year)


@lru_cache(maxsize=8192)
def next_business_day_on_or_after(d: date) -> date:
    """The first business day that is `d` or later (cached: the daily run asks it per case)."""
    while not is_business_day(d):
        d += _ONE_DAY
    return d


def roll_forward(d: date) -> date:
    """Move a due date or deadline on a non-business day to the next business day."""
    return next_business_day_on_or_after(d)


def deadline(sent: date, days: int) -> date:
    """The deadline `days` calendar days after `sent`, rolled forward to a business day."""
    if days < 0:
        raise ValueError("a deadline cannot lie before the day the letter is sent")
    return roll_forward(sent + timedelta(days=days))


def add_business_days(d: date, n: int) -> date:
    """The `n`th business day after `d` (before it when `n` is negative); `d` itself when 0."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if is_business_day(d):
            remaining -= 1
    return d


def oslo_today(now_utc: datetime) -> date:
    """The Europe/Oslo calendar date at the aware instant `now_utc`; naive datetimes raise."""
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(OSLO).date()


@lru_cache(maxsize=512)
def _public_holidays(year: int) -> frozenset[date]:
    # Recent `holidays` releases can list every Sunday as a helligdag (include_sundays); we
    # switch that off explicitly and treat weekends ourselves, whatever the package default.
    return frozenset(holidays.country_holidays("NO", years=year, include_sundays=False))
