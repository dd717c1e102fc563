"""Limitation (foreldelse) of claims: when a claim becomes time-barred, and when to warn.

Foreldelsesloven § 2: 3 years, counted from the due date (§ 3); § 21: 10 years once a
tvangsgrunnlag (judgment, forliksrådet's decision) exists. § 29: the period ends on the day with
the same number in the month (the last day of the month when there is none, e.g. 29 February)
and moves to the next business day when it ends on a Saturday, Sunday or public holiday.
The due date itself is taken as given, not rolled forward: an earlier start never leaves the
office believing a claim is alive when it is not.
"""

from calendar import monthrange
from datetime import date

from rules.calendar import roll_forward

GENERAL_YEARS = 3
TVANGSGRUNNLAG_YEARS = 10


def limitation_date(due_date: date, *, tvangsgrunnlag_date: date | None = None) -> date:
    """The last day on which limitation can be interrupted; the claim is barred after it.

    `tvangsgrunnlag_date` is the day the 10-year period runs from (foreldelsesloven § 21).
    """
    if tvangsgrunnlag_date is not None:
        return roll_forward(_add_months(tvangsgrunnlag_date, 12 * TVANGSGRUNNLAG_YEARS))
    return roll_forward(_add_months(due_date, 12 * GENERAL_YEARS))


def warn_from(limitation_date: date, months: int = 4) -> date:
    """The day to start warning caseworkers: `months` before the limitation date."""
    if months < 0:
        raise ValueError("a warning comes before the limitation date, not after it")
    return _add_months(limitation_date, -months)


def _add_months(day: date, months: int) -> date:
    # Foreldelsesloven § 29 nr. 1: the same day number, else the last day of the month.
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))
