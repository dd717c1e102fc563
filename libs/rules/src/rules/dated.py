"""Dated legal figures: a value holds from its `valid_from` until the next entry's.

Figures change by regulation, so every rate and fee is a table of dated values, never a constant.
The last entry holds until a newer one is added; an unverified entry says so (`verified=False`).
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Generic, TypeVar

from rules.errors import RuleError

NOT_AVAILABLE_CODE = "rates.not_available"
INVALID_CODE = "rates.invalid"

T = TypeVar("T")


class RateNotAvailable(RuleError):
    """No figure is known for the day asked: it lies before the table's first `valid_from`."""


class InvalidRates(RuleError):
    """A rate table or rates file that is malformed: empty, unsorted, duplicate or bad values."""


@dataclass(frozen=True)
class DatedValue(Generic[T]):
    """One figure from `valid_from`; `note` says why an unverified figure is unverified."""

    valid_from: date
    value: T
    verified: bool = True
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class RateTable(Generic[T]):
    """The dated values of one figure, strictly sorted by `valid_from`."""

    name: str
    entries: tuple[DatedValue[T], ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise InvalidRates(INVALID_CODE, f"The table {self.name} has no entries.")
        days = [entry.valid_from for entry in self.entries]
        if any(later <= earlier for earlier, later in pairwise(days)):
            raise InvalidRates(
                INVALID_CODE, f"The table {self.name} is not sorted or has a duplicate date."
            )


def entry_on(table: RateTable[T], day: date) -> DatedValue[T]:
    """The entry in force on `day`; raise `RateNotAvailable` before the first `valid_from`."""
    index = bisect_right([entry.valid_from for entry in table.entries], day)
    if index == 0:
        first = table.entries[0].valid_from.isoformat()
        raise RateNotAvailable(NOT_AVAILABLE_CODE, f"No {table.name} is known before {first}.")
    return table.entries[index - 1]


def value_on(table: RateTable[T], day: date) -> T:
    """The value in force on `day`; raise `RateNotAvailable` before the first `valid_from`."""
    return entry_on(table, day).value
