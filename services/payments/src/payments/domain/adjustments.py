"""Fees and adjustments on an account: what a fee, a fee reversal or a municipality's
credit note, cancellation or write-off does to the ledger.

Intake knows the principal before payments, so a credit note may exceed what is still open:
the part already paid is the debtor's money and becomes a credit (to be refunded), and the
municipality gives it back in its next settlement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from payments.domain.accrual import InterestAccrual
from payments.domain.allocation import ClaimAccount, book_interest
from payments.domain.errors import PaymentsError
from payments.domain.ledger import (
    Component,
    Kind,
    Posting,
    fee_charged,
    paid_back_as_credit,
    reduction,
)

CLOSING_KINDS = frozenset({Kind.CANCELLATION, Kind.WRITE_OFF})


@dataclass(frozen=True, slots=True)
class Change:
    """An account after a change, the postings that made it, and any credit for the debtor."""

    account: ClaimAccount
    postings: tuple[Posting, ...]
    credit_ore: int = 0


def charge_fee(account: ClaimAccount, amount_ore: int) -> Change:
    """A dunning fee is owed on the claim."""
    posting = fee_charged(amount_ore)
    return Change(replace(account, balance=account.balance.after(posting)), (posting,))


def reverse_fee(account: ClaimAccount, amount_ore: int) -> Change:
    """A fee taken back: the open part is cancelled, a part already paid becomes a credit."""
    open_part = min(amount_ore, account.balance.fees_ore)
    paid_part = min(amount_ore - open_part, account.balance.paid_ore)
    postings: list[Posting] = []
    if open_part:
        postings.append(reduction(Kind.FEE_REVERSAL, Component.FEES, open_part))
    if paid_part:
        postings.append(paid_back_as_credit(Component.FEES, paid_part))
    return _applied(account, postings, paid_part)


def adjust(
    account: ClaimAccount,
    kind: Kind,
    amount_ore: int,
    *,
    closes: bool,
    on: date,
    accrual: InterestAccrual,
) -> Change:
    """A credit note (``closes`` when nothing is left of it), a cancellation or a write-off.

    Interest is booked through ``on`` first: it ran on the old principal until then.
    """
    if kind not in (Kind.CREDIT_NOTE, *CLOSING_KINDS):
        raise ValueError(f"not an adjustment: {kind}")
    booked, interest = book_interest(account, on, accrual)
    closing = closes or kind in CLOSING_KINDS
    postings, credit = _principal_reduction(booked, kind, amount_ore)
    if closing:
        postings += _close_open_components(booked, kind, (Component.INTEREST, Component.FEES))
    change = _applied(booked, postings, credit)
    return Change(
        replace(change.account, open=not closing),
        ((interest,) if interest else ()) + change.postings,
        credit,
    )


def _principal_reduction(
    account: ClaimAccount, kind: Kind, amount_ore: int
) -> tuple[list[Posting], int]:
    if kind is Kind.WRITE_OFF:
        return _close_open_components(account, kind, (Component.PRINCIPAL,)), 0
    open_part = min(amount_ore, account.balance.principal_ore)
    credit = min(amount_ore - open_part, account.balance.paid_ore)
    postings = [reduction(kind, Component.PRINCIPAL, open_part)] if open_part else []
    if credit:
        postings.append(paid_back_as_credit(Component.PRINCIPAL, credit))
    return postings, credit


def _close_open_components(
    account: ClaimAccount, kind: Kind, components: tuple[Component, ...]
) -> list[Posting]:
    return [reduction(kind, c, account.balance.of(c)) for c in components if account.balance.of(c)]


def _applied(account: ClaimAccount, postings: list[Posting], credit_ore: int) -> Change:
    balance = account.balance
    for posting in postings:
        balance = balance.after(posting)
    if balance.paid_ore < 0:
        raise PaymentsError("ledger.component_negative")
    return Change(replace(account, balance=balance), tuple(postings), credit_ore)
