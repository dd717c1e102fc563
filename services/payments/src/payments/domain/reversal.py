"""Undoing a payment the bank took back: new postings that mirror what it did, never edits.

What the payment paid on a claim is owed again (the claim's components go back up, its paid
amount down); what it left as the debtor's credit leaves that credit; what still waited in
the suspense account leaves suspense. Interest the payment made the ledger book stays: it ran
all the same, as the money never came. What no one holds any more (refunded to the payer, or
returned by a caseworker) is taken from suspense and waits in the unmatched queue for a
caseworker, as a reversal whose payment is not found does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from payments.domain.ledger import (
    COLLECTION,
    DEBTOR_CREDIT,
    SUSPENSE,
    Component,
    Kind,
    Posting,
    credit_reversed,
    payment_reversed,
    reversed_by_bank,
)


@dataclass(frozen=True, slots=True)
class Booked:
    """One posting the reversed payment made, and the claim it was on (None: none)."""

    claim_id: UUID | None
    posting: Posting


@dataclass(slots=True)
class Undoing:
    """The postings that undo a payment: per claim, and the office's own (credit, suspense)."""

    claims: dict[UUID, list[Posting]] = field(default_factory=dict)
    office: list[Posting] = field(default_factory=list)
    unplaced_ore: int = 0  # taken from suspense for a caseworker: no one held it any more

    def paid(self, claim_id: UUID, component: Component) -> int:
        """What the payment had paid of ``component`` on ``claim_id`` (now owed again)."""
        return sum(p.amount_ore for p in self.claims.get(claim_id, ()) if p.component is component)


def undo(amount_ore: int, made: Iterable[Booked], *, still_parked_ore: int) -> Undoing:
    """Postings that undo the payment of ``amount_ore`` that made ``made``.

    ``still_parked_ore`` is what of it still waits in the unmatched queue (0 once a caseworker
    placed or returned it).
    """
    undoing, credit = Undoing(), 0
    for b in made:
        p = b.posting
        if p.kind is Kind.PAYMENT and b.claim_id is not None and p.component is not None:
            posting = payment_reversed(p.component, p.amount_ore)
            undoing.claims.setdefault(b.claim_id, []).append(posting)
        elif p.kind is Kind.OVERPAYMENT_CREDIT and p.debit in (COLLECTION, SUSPENSE):
            credit += p.amount_ore
        elif p.kind is Kind.REFUND and p.debit == DEBTOR_CREDIT:
            credit -= p.amount_ore
    if credit > 0:
        undoing.office.append(credit_reversed(credit))
    if still_parked_ore:
        undoing.office.append(reversed_by_bank(still_parked_ore))
    placed = sum(p.amount_ore for ps in undoing.claims.values() for p in ps)
    placed += sum(p.amount_ore for p in undoing.office)
    undoing.unplaced_ore = amount_ore - placed
    if undoing.unplaced_ore < 0:
        raise ValueError("a reversal smaller than what its payment did")
    if undoing.unplaced_ore:
        undoing.office.append(reversed_by_bank(undoing.unplaced_ore))
    return undoing
