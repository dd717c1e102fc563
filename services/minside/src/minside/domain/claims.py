"""What a citizen owes: the amount to pay today, the next deadline, claims by municipality."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from rules.interest import interest_ore
from rules.rates import DEFAULT_RATES, Rates

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Balance:
    """The ledger's last word on a claim, as of a day; interest booked through a day."""

    principal_ore: int
    interest_ore: int
    fees_ore: int
    total_ore: int
    paid_ore: int
    as_of: date
    interest_through: date | None = None


@dataclass(frozen=True)
class Claim:
    """One claim as the citizen sees it."""

    claim_id: UUID
    municipality: str
    invoice_number: str
    claim_type: str
    description: str
    issue_date: date
    due_date: date
    principal_ore: int
    balance: Balance | None = None
    kid: str | None = None
    account_number: str | None = None
    closed_reason: str | None = None
    closed_on: date | None = None
    deadlines: tuple[date, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.closed_reason is None


@dataclass(frozen=True)
class Amount:
    """Principal, interest and fees owed on one day, and their sum."""

    principal_ore: int
    interest_ore: int
    fees_ore: int

    @property
    def total_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.fees_ore


def amount_today(claim: Claim, today: date, rates: Rates = DEFAULT_RATES) -> Amount:
    """The exact amount that settles ``claim`` if paid ``today``.

    Forsinkelsesrente runs on the principal only, from the day after the due date; what the
    ledger has not booked yet (the days after ``interest_through``, or all of them when it has
    booked none) is added here with the same rule the ledger uses.
    """
    if not claim.is_open:
        return Amount(0, 0, 0)
    if claim.balance is None:
        interest = interest_ore(
            [(claim.due_date, claim.principal_ore)], claim.due_date, today, rates=rates
        )
        return Amount(claim.principal_ore, interest, 0)
    b = claim.balance
    unbooked = 0
    if b.principal_ore > 0:
        # Balances from before the ledger said how far it had booked: through as_of.
        through = b.interest_through or (b.as_of if b.interest_ore else None)
        start = through + _ONE_DAY if through else claim.due_date
        if today > (through or claim.due_date):
            segments = [(start, b.principal_ore)]
            unbooked = interest_ore(segments, claim.due_date, today, rates=rates)
    return Amount(b.principal_ore, b.interest_ore + unbooked, b.fees_ore)


def next_deadline(claim: Claim, today: date) -> date | None:
    """The earliest deadline (a letter's or the due date) still ahead; None if all passed."""
    ahead = [d for d in (*claim.deadlines, claim.due_date) if d >= today]
    return min(ahead, default=None)


def is_overdue(claim: Claim, today: date) -> bool:
    """Open and every deadline passed."""
    return claim.is_open and next_deadline(claim, today) is None


@dataclass
class MunicipalityGroup:
    """Open claims of one municipality, with their total today and the next deadline."""

    municipality: str
    claims: list[Claim] = field(default_factory=list)
    total_ore: int = 0
    # What each claim settles at today (by claim id), worked out once for the group's total.
    today_ore: dict[UUID, int] = field(default_factory=dict)
    next_deadline: date | None = None


def group_by_municipality(
    claims: Iterable[Claim], today: date, *, rates: Rates
) -> list[MunicipalityGroup]:
    """Open claims grouped by municipality (by kommunenummer), oldest due date first."""
    groups: dict[str, MunicipalityGroup] = {}
    for claim in sorted(claims, key=lambda c: (c.due_date, c.invoice_number)):
        if not claim.is_open:
            continue
        group = groups.setdefault(claim.municipality, MunicipalityGroup(claim.municipality))
        group.claims.append(claim)
        group.today_ore[claim.claim_id] = amount_today(claim, today, rates).total_ore
        group.total_ore += group.today_ore[claim.claim_id]
        deadline = next_deadline(claim, today)
        if deadline is not None and (group.next_deadline is None or deadline < group.next_deadline):
            group.next_deadline = deadline
    return [groups[k] for k in sorted(groups)]


def total_today(claims: Sequence[Claim], today: date, *, rates: Rates) -> int:
    """The sum owed today over ``claims``."""
    return sum(amount_today(c, today, rates).total_ore for c in claims)
