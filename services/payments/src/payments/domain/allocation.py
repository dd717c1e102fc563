"""Allocating a payment: oldest due date first across claims, fees → interest → principal within.

Interest is booked through the payment's booking date before the split, so the payment first
settles the interest it stopped from running. What no claim needs becomes a credit on the
debtor (DOMAIN.md: offered for refund to the payer's account).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from payments.domain.accrual import InterestAccrual
from payments.domain.ledger import (
    COLLECTION,
    Balance,
    Component,
    Posting,
    interest_booked,
    overpayment_credit,
    payment,
)

# Costs and fees first, then interest, then principal (DOMAIN.md); a municipality's policy
# may name another order.
DEFAULT_ORDER: tuple[Component, ...] = (Component.FEES, Component.INTEREST, Component.PRINCIPAL)


@dataclass(frozen=True, slots=True)
class ClaimAccount:
    """What allocation needs to know about one claim's account."""

    claim_id: UUID
    due_date: date
    balance: Balance
    interest_through: date | None = None
    open: bool = True


@dataclass(frozen=True, slots=True)
class ClaimShare:
    """What one payment did to one claim: the split, its postings and the account after."""

    account: ClaimAccount
    fees_ore: int
    interest_ore: int
    principal_ore: int
    postings: tuple[Posting, ...]

    @property
    def total_ore(self) -> int:
        return self.fees_ore + self.interest_ore + self.principal_ore


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """Every claim a payment reached, and the rest credited to the debtor."""

    shares: tuple[ClaimShare, ...]
    overpayment_ore: int
    overpayment: Posting | None


def book_interest(
    account: ClaimAccount, on: date, accrual: InterestAccrual
) -> tuple[ClaimAccount, Posting | None]:
    """Book the interest accrued through ``on``; the account is then booked through ``on``."""
    a, b = account, account.balance
    amount = accrual.since_last_booking(b.principal_ore, a.due_date, a.interest_through, on)
    through = on if a.interest_through is None else max(a.interest_through, on)
    posting = interest_booked(amount) if amount else None
    balance = b.after(posting) if posting else b
    return ClaimAccount(a.claim_id, a.due_date, balance, through, a.open), posting


def split(
    amount_ore: int, balance: Balance, order: Sequence[Component] = DEFAULT_ORDER
) -> dict[Component, int]:
    """How much of ``amount_ore`` goes to each component, in ``order``; never more than owed."""
    parts: dict[Component, int] = {}
    remaining = amount_ore
    for component in order:
        parts[component] = min(remaining, balance.of(component))
        remaining -= parts[component]
    return parts


def pay(
    accounts: Sequence[ClaimAccount],
    amount_ore: int,
    booked_on: date,
    accrual: InterestAccrual,
    *,
    order: Sequence[Component] = DEFAULT_ORDER,
    source: str = COLLECTION,
) -> PaymentOutcome:
    """Allocate a payment over the open claims of one KID, oldest due date first."""
    shares = []
    remaining = amount_ore
    for account in sorted(accounts, key=lambda a: (a.due_date, str(a.claim_id))):
        if remaining == 0:
            break
        if not account.open:
            continue
        share = _pay_one(account, remaining, booked_on, accrual, order, source)
        if share.postings:  # a settled claim takes nothing; the money goes on
            shares.append(share)
            remaining -= share.total_ore
    credit = overpayment_credit(remaining, source) if remaining else None
    return PaymentOutcome(tuple(shares), remaining, credit)


def _pay_one(
    account: ClaimAccount,
    amount_ore: int,
    booked_on: date,
    accrual: InterestAccrual,
    order: Sequence[Component],
    source: str,
) -> ClaimShare:
    account, interest = book_interest(account, booked_on, accrual)
    parts = split(amount_ore, account.balance, order)
    postings = [interest] if interest else []
    balance = account.balance
    for component in order:
        if parts[component]:
            postings.append(payment(component, parts[component], source))
            balance = balance.after(postings[-1])
    return ClaimShare(
        ClaimAccount(
            account.claim_id, account.due_date, balance, account.interest_through, account.open
        ),
        parts[Component.FEES],
        parts[Component.INTEREST],
        parts[Component.PRINCIPAL],
        tuple(postings),
    )
