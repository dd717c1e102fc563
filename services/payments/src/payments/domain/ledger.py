"""Postings and balances: the double-entry sub-ledger (reskontro) of the collection office.

A posting moves a positive amount from its ``credit`` account to its ``debit`` account, so
every posting balances by construction and the ledger as a whole always sums to zero. A
claim's debt lives in three accounts, one per component (``claim:principal``,
``claim:interest``, ``claim:fees``); their balance (debits − credits) is what the debtor owes.
The other accounts belong to the office: the collection account (the bank), the suspense
account for unmatched money, debtors' credits, fee income, write-offs, and what is owed to
the creditor municipalities.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from payments.domain.errors import PaymentsError


class Component(enum.StrEnum):
    """What part of a claim's debt a posting touches."""

    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


class Kind(enum.StrEnum):
    """Why a posting was made."""

    PRINCIPAL = "principal"
    FEE = "fee"
    FEE_REVERSAL = "fee_reversal"
    INTEREST = "interest"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    CANCELLATION = "cancellation"
    WRITE_OFF = "write_off"
    REFUND = "refund"
    OVERPAYMENT_CREDIT = "overpayment_credit"
    UNMATCHED = "unmatched"
    REVERSAL = "reversal"


COLLECTION = "office:collection"
SUSPENSE = "office:unmatched"
DEBTOR_CREDIT = "debtor:credit"
FEE_INCOME = "office:fees"
WRITE_OFFS = "office:write_offs"
CLAIM = {c: f"claim:{c}" for c in Component}
# Who gives up a component when the claim shrinks: the municipality, or the office for fees.
CREDITOR = {
    Component.PRINCIPAL: "creditor:principal",
    Component.INTEREST: "creditor:interest",
    Component.FEES: FEE_INCOME,
}
_CLAIM_ACCOUNTS = {account: component for component, account in CLAIM.items()}
_CREDITOR_ACCOUNTS = frozenset(CREDITOR.values())


@dataclass(frozen=True, slots=True)
class Posting:
    """One immutable ledger entry: ``amount_ore`` from ``credit`` to ``debit``."""

    kind: Kind
    debit: str
    credit: str
    amount_ore: int
    component: Component | None = None

    def __post_init__(self) -> None:
        if isinstance(self.amount_ore, bool) or not isinstance(self.amount_ore, int):
            raise PaymentsError("ledger.amount_not_positive")
        if self.amount_ore <= 0:
            raise PaymentsError("ledger.amount_not_positive")
        if self.debit == self.credit:
            raise PaymentsError("ledger.same_account")

    def effect_on(self, account: str) -> int:
        """How much this posting changes ``account``'s balance (debits − credits)."""
        if account == self.debit:
            return self.amount_ore
        return -self.amount_ore if account == self.credit else 0

    @property
    def claim_effect(self) -> int:
        """The signed change to what the debtor owes on ``component`` (0 if no claim account)."""
        if self.component is None:
            return 0
        return self.effect_on(CLAIM[self.component])

    @property
    def paid_effect(self) -> int:
        """The signed change to what counts as paid on the claim."""
        if self.kind is Kind.PAYMENT:
            return self.amount_ore
        if self.kind is Kind.REVERSAL and self.debit in _CLAIM_ACCOUNTS:
            return -self.amount_ore  # the bank took back what a payment had paid
        returned = self.kind is Kind.OVERPAYMENT_CREDIT and self.debit in _CREDITOR_ACCOUNTS
        return -self.amount_ore if returned else 0


@dataclass(frozen=True, slots=True)
class Balance:
    """A claim's debt by component, and what was paid on it; derived from its postings."""

    principal_ore: int = 0
    interest_ore: int = 0
    fees_ore: int = 0
    paid_ore: int = 0

    @property
    def total_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.fees_ore

    @property
    def settled(self) -> bool:
        return self.total_ore == 0

    def of(self, component: Component) -> int:
        """The open amount of one component."""
        return {
            Component.PRINCIPAL: self.principal_ore,
            Component.INTEREST: self.interest_ore,
            Component.FEES: self.fees_ore,
        }[component]

    def after(self, posting: Posting) -> Balance:
        """The balance once ``posting`` is booked; a component never goes below zero."""
        change, paid = posting.claim_effect, posting.paid_effect
        if not change and not paid:
            return self
        principal, interest, fees = self.principal_ore, self.interest_ore, self.fees_ore
        if posting.component is Component.PRINCIPAL:
            principal += change
        elif posting.component is Component.INTEREST:
            interest += change
        elif posting.component is Component.FEES:
            fees += change
        if min(principal, interest, fees) < 0:
            raise PaymentsError("ledger.component_negative")
        return Balance(principal, interest, fees, self.paid_ore + paid)


def balance_of(postings: Iterable[Posting]) -> Balance:
    """Fold a claim's postings, oldest first, into its balance."""
    balance = Balance()
    for posting in postings:
        balance = balance.after(posting)
    return balance


def opening(principal_ore: int) -> Posting:
    """The claim's principal, owed to its municipality."""
    return _claim_debit(Kind.PRINCIPAL, Component.PRINCIPAL, principal_ore)


def fee_charged(amount_ore: int) -> Posting:
    """A dunning fee, owed to the office."""
    return _claim_debit(Kind.FEE, Component.FEES, amount_ore)


def interest_booked(amount_ore: int) -> Posting:
    """Forsinkelsesrente, owed to the municipality."""
    return _claim_debit(Kind.INTEREST, Component.INTEREST, amount_ore)


def payment(component: Component, amount_ore: int, source: str = COLLECTION) -> Posting:
    """Money from the bank (or the suspense account) paying one component of a claim."""
    return Posting(Kind.PAYMENT, source, CLAIM[component], amount_ore, component)


def reduction(kind: Kind, component: Component, amount_ore: int) -> Posting:
    """A claim shrinks: credit note, cancellation, fee reversal (creditor) or write-off."""
    debit = WRITE_OFFS if kind is Kind.WRITE_OFF else CREDITOR[component]
    return Posting(kind, debit, CLAIM[component], amount_ore, component)


def paid_back_as_credit(component: Component, amount_ore: int) -> Posting:
    """Money already collected on a component that the claim no longer owes: the debtor's."""
    return Posting(
        Kind.OVERPAYMENT_CREDIT, CREDITOR[component], DEBTOR_CREDIT, amount_ore, component
    )


def overpayment_credit(amount_ore: int, source: str = COLLECTION) -> Posting:
    """The part of a payment no claim needs: a credit on the debtor."""
    return Posting(Kind.OVERPAYMENT_CREDIT, source, DEBTOR_CREDIT, amount_ore)


def refund(amount_ore: int, source: str = DEBTOR_CREDIT) -> Posting:
    """Money paid back out of the collection account (a credit, or a returned payment)."""
    return Posting(Kind.REFUND, source, COLLECTION, amount_ore)


def parked(amount_ore: int) -> Posting:
    """A payment no claim was found for waits in the suspense account."""
    return Posting(Kind.UNMATCHED, COLLECTION, SUSPENSE, amount_ore)


def reversed_by_bank(amount_ore: int) -> Posting:
    """The bank took money back that waits in suspense, or that no one holds any more (a
    caseworker then sees it in the queue)."""
    return Posting(Kind.REVERSAL, SUSPENSE, COLLECTION, amount_ore)


def payment_reversed(component: Component, amount_ore: int) -> Posting:
    """The bank took back money that had paid a component of a claim: it is owed again."""
    return Posting(Kind.REVERSAL, CLAIM[component], COLLECTION, amount_ore, component)


def credit_reversed(amount_ore: int) -> Posting:
    """The bank took back money that was still a credit on the debtor."""
    return Posting(Kind.REVERSAL, DEBTOR_CREDIT, COLLECTION, amount_ore)


def _claim_debit(kind: Kind, component: Component, amount_ore: int) -> Posting:
    return Posting(kind, CLAIM[component], CREDITOR[component], amount_ore, component)
