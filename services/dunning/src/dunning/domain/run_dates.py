"""Which dates the daily run may take steps on.

A step's letter is dated the day it is sent, and fees and interest run to that date, so a run
for a future date would send letters today that claim to be from the future; a run far in the
past would date letters back beyond what the debtor could have received. The scheduled run is
therefore for today only (Europe/Oslo); missed days are caught up explicitly, in order, and
only a short way back.
"""

from __future__ import annotations

from datetime import date, timedelta

from dunning.domain.errors import refuse


def daily_run_date(requested: date | None, today: date) -> date:
    """Today, or ``requested`` if it is today; any other date is refused with its reason."""
    if requested is None or requested == today:
        return today
    if requested > today:
        raise refuse("run.date_in_future", f"{requested.isoformat()} is after {today.isoformat()}")
    raise refuse("run.date_in_past", f"{requested.isoformat()}: use a catch-up for missed days")


def catch_up_days(first: date, today: date, max_days: int) -> list[date]:
    """The missed days from ``first`` to yesterday, in order; at most ``max_days`` back."""
    if first >= today:
        raise refuse("run.catch_up_not_past", f"{first.isoformat()} is not before today")
    if (today - first).days > max_days:
        raise refuse("run.catch_up_too_far", f"at most {max_days} days back from today")
    return [first + timedelta(days=n) for n in range((today - first).days)]
