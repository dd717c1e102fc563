"""Allocating a payment: oldest due date first across claims, fees → interest → principal within.

A payment counts on the day the payer's bank debited the payer (DOMAIN.md, "Payment date"), not
the later day the money reached the collection account. Interest is booked through that day
before the split, so the payment first settles the interest it stopped from running, and a fee
charged after that day is not the payment's to pay: the debtor had paid before the letter that
charged it (dunning takes such a fee back). What no claim needs becomes a credit on the debtor
(DOMAIN.md: offered for refund to the payer's account).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    """What allocation needs to know about one claim's account.

    ``fees_charged``: each fee still standing as (day charged, øre), oldest first; a payment
    made before a fee's day leaves that fee alone.
    """

    claim_id: UUID
    due_date: date
    balance: Balance
    interest_through: date | None = None
    open: bool = True
    fees_charged: tuple[tuple[date, int], ...] = ()

    def fees_after(self, day: date) -> int:
        """Open fees charged after ``day``: payments are allocated to the oldest fees first,
        so what is open of the fees is the newest of them."""
        if not self.fees_charged:
            return 0
        later = sum(amount for charged_on, amount in self.fees_charged if charged_on > day)
        return min(later, self.balance.fees_ore)

    def with_balance(self, balance: Balance, interest_through: date | None) -> ClaimAccount:
        """The account with a new balance (a constructor call: booking does it per payment)."""
        return ClaimAccount(
            self.claim_id, self.due_date, balance, interest_through, self.open, self.fees_charged
        )


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
    return a.with_balance(balance, through), posting


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
    paid_on: date,
    accrual: InterestAccrual,
    *,
    order: Sequence[Component] = DEFAULT_ORDER,
    source: str = COLLECTION,
) -> PaymentOutcome:
    """Allocate a payment made on ``paid_on`` over the open claims of one KID, oldest due
    date first."""
    shares = []
    remaining = amount_ore
    for account in sorted(accounts, key=lambda a: (a.due_date, str(a.claim_id))):
        if remaining == 0:
            break
        if not account.open:
            continue
        share = _pay_one(account, remaining, paid_on, accrual, order, source)
        if share.postings:  # a settled claim takes nothing; the money goes on
            shares.append(share)
            remaining -= share.total_ore
    credit = overpayment_credit(remaining, source) if remaining else None
    return PaymentOutcome(tuple(shares), remaining, credit)


def _pay_one(
    account: ClaimAccount,
    amount_ore: int,
    paid_on: date,
    accrual: InterestAccrual,
    order: Sequence[Component],
    source: str,
) -> ClaimShare:
    account, interest = book_interest(account, paid_on, accrual)
    owed, later_fees = account.balance, account.fees_after(paid_on)
    if later_fees:  # not the payment's to pay: charged after the payer's bank paid
        owed = replace(owed, fees_ore=owed.fees_ore - later_fees)
    parts = split(amount_ore, owed, order)
    postings = [interest] if interest else []
    balance = account.balance
    for component in order:
        if parts[component]:
            postings.append(payment(component, parts[component], source))
            balance = balance.after(postings[-1])
    return ClaimShare(
        account.with_balance(balance, account.interest_through),
        parts[Component.FEES],
        parts[Component.INTEREST],
        parts[Component.PRINCIPAL],
        tuple(postings),
    )
