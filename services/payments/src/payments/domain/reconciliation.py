"""The reconciliation invariant: every account agrees with its postings, and every øre that
came in is allocated, unmatched, a debtor's credit, or refunded.

The ledger is summarised into :class:`MoneyTotals` (SQL in the service, a fold over postings
here for tests); ``received`` and ``reversed`` come from the payments register, not from the
ledger, so the check compares two independent records of the same money.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

from payments.domain.ledger import (
    CLAIM,
    COLLECTION,
    CREDITOR,
    DEBTOR_CREDIT,
    SUSPENSE,
    Balance,
    Kind,
    Posting,
)

_CLAIM_ACCOUNTS = frozenset(CLAIM.values())
_CREDITOR_ACCOUNTS = frozenset(CREDITOR.values())


@dataclass(frozen=True, slots=True)
class MoneyTotals:
    """Where the money is, in øre."""

    received_ore: int
    reversed_ore: int
    allocated_ore: int
    unmatched_ore: int
    credits_ore: int
    refunded_ore: int
    collection_ore: int


@dataclass(frozen=True, slots=True)
class AccountCheck:
    """A claim's balance as its postings give it, beside the balance the account records."""

    claim_id: UUID
    derived: Balance
    recorded: Balance


def money_totals(postings: Iterable[Posting], received_ore: int, reversed_ore: int) -> MoneyTotals:
    """Summarise a ledger's postings (and the register's money in) into :class:`MoneyTotals`."""
    allocated = unmatched = credits = refunded = collection = 0
    for p in postings:
        if p.kind is Kind.PAYMENT and p.credit in _CLAIM_ACCOUNTS:
            allocated += p.amount_ore
        if p.kind is Kind.OVERPAYMENT_CREDIT and p.debit in _CREDITOR_ACCOUNTS:
            allocated -= p.amount_ore
        if p.kind is Kind.REVERSAL and p.debit in _CLAIM_ACCOUNTS:
            allocated -= p.amount_ore  # the bank took back what a payment had paid
        if p.kind is Kind.REFUND:
            refunded += p.amount_ore
        unmatched -= p.effect_on(SUSPENSE)
        credits -= p.effect_on(DEBTOR_CREDIT)
        collection += p.effect_on(COLLECTION)
    return MoneyTotals(
        received_ore, reversed_ore, allocated, unmatched, credits, refunded, collection
    )


def discrepancies(accounts: Iterable[AccountCheck], totals: MoneyTotals) -> Iterator[str]:
    """Every way the ledger fails to reconcile, described for an operator; none if it does."""
    for check in accounts:
        if check.derived != check.recorded:
            yield (
                f"account {check.claim_id}: its postings give {_show(check.derived)}"
                f" but the account records {_show(check.recorded)}"
            )
        if min(check.derived.principal_ore, check.derived.interest_ore, check.derived.fees_ore) < 0:
            yield f"account {check.claim_id}: a component is below zero ({_show(check.derived)})"
    t = totals
    net_in = t.received_ore - t.reversed_ore
    accounted = t.allocated_ore + t.unmatched_ore + t.credits_ore + t.refunded_ore
    if net_in != accounted:
        yield (
            f"money in ({net_in} øre) ≠ allocated {t.allocated_ore} + unmatched {t.unmatched_ore}"
            f" + credits {t.credits_ore} + refunds {t.refunded_ore} = {accounted} øre"
        )
    if t.collection_ore != net_in - t.refunded_ore:
        yield (
            f"the collection account holds {t.collection_ore} øre, but money in less refunds"
            f" is {net_in - t.refunded_ore} øre"
        )
    if t.credits_ore < 0:
        yield f"debtors' credits are below zero ({t.credits_ore} øre)"


def _show(b: Balance) -> str:
    return (
        f"principal {b.principal_ore}, interest {b.interest_ore}, fees {b.fees_ore},"
        f" paid {b.paid_ore}"
    )
