"""Settlement (oppgjør): what a municipality gets for a period, per claim.

Collected principal and interest go to the municipality; fees stay with the office. A posting
is settled once: a late correction (money handed back to a debtor after the period was
settled) is netted in the next settlement, never by changing a settled one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from payments.domain.errors import PaymentsError
from payments.domain.ledger import Component

_PERIOD = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_FIELDS = {
    Component.PRINCIPAL: "principal_ore",
    Component.INTEREST: "interest_ore",
    Component.FEES: "fees_kept_ore",
}


@dataclass(frozen=True, slots=True)
class Collected:
    """Money collected (positive) or handed back (negative) on one component of one claim."""

    claim_id: UUID
    invoice_number: str
    component: Component
    amount_ore: int


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One claim's part of a settlement."""

    claim_id: UUID
    invoice_number: str
    principal_ore: int = 0
    interest_ore: int = 0
    fees_kept_ore: int = 0


@dataclass(frozen=True, slots=True)
class Remittance:
    """A municipality's settlement for one period."""

    municipality: str
    period_start: date
    period_end: date
    lines: tuple[RemittanceLine, ...]

    @property
    def principal_ore(self) -> int:
        return sum(line.principal_ore for line in self.lines)

    @property
    def interest_ore(self) -> int:
        return sum(line.interest_ore for line in self.lines)

    @property
    def fees_kept_ore(self) -> int:
        return sum(line.fees_kept_ore for line in self.lines)

    @property
    def remitted_ore(self) -> int:
        return self.principal_ore + self.interest_ore


def period_bounds(period: str) -> tuple[date, date]:
    """``2026-11`` → 1 and 30 November 2026."""
    found = _PERIOD.match(period)
    if found is None:
        raise PaymentsError("request.period_invalid")
    year, month = int(found[1]), int(found[2])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def remittance(
    municipality: str, period_start: date, period_end: date, collected: Iterable[Collected]
) -> Remittance:
    """Sum what was collected per claim; refuse a settlement that would pay out less than 0."""
    lines: dict[UUID, RemittanceLine] = {}
    for c in collected:
        line = lines.get(c.claim_id) or RemittanceLine(c.claim_id, c.invoice_number)
        lines[c.claim_id] = _added(line, c.component, c.amount_ore)
    ordered = tuple(
        sorted(lines.values(), key=lambda line: (line.invoice_number, str(line.claim_id)))
    )
    result = Remittance(municipality, period_start, period_end, ordered)
    if not ordered:
        raise PaymentsError("settlement.nothing_to_settle")
    if min(result.principal_ore, result.interest_ore, result.fees_kept_ore) < 0:
        raise PaymentsError("settlement.negative")
    return result


def _added(line: RemittanceLine, component: Component, amount: int) -> RemittanceLine:
    field = _FIELDS[component]
    return replace(line, **{field: getattr(line, field) + amount})
