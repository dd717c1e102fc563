"""Property: whatever happens to claims and money, the ledger reconciles; nothing goes negative."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from payments.domain.accrual import InterestAccrual
from payments.domain.adjustments import adjust, charge_fee, reverse_fee
from payments.domain.allocation import ClaimAccount, pay
from payments.domain.ledger import (
    DEBTOR_CREDIT,
    SUSPENSE,
    Balance,
    Kind,
    Posting,
    balance_of,
    opening,
    parked,
    refund,
)
from payments.domain.reconciliation import AccountCheck, discrepancies, money_totals

START = date(2025, 1, 6)


@dataclass
class Ledger:
    """An in-memory ledger driven only by the domain's functions."""

    accrual: InterestAccrual = field(default_factory=InterestAccrual)
    accounts: dict[UUID, ClaimAccount] = field(default_factory=dict)
    postings: list[tuple[UUID | None, Posting]] = field(default_factory=list)
    fees: dict[UUID, list[int]] = field(default_factory=dict)
    parked: list[int] = field(default_factory=list)
    received: int = 0

    def book(self, claim_id: UUID | None, postings: tuple[Posting, ...] | list[Posting]) -> None:
        self.postings += [(claim_id, p) for p in postings]

    def open(self, principal: int, due: date) -> None:
        claim_id = UUID(int=len(self.accounts) + 1)
        posting = opening(principal)
        self.accounts[claim_id] = ClaimAccount(claim_id, due, Balance().after(posting))
        self.book(claim_id, [posting])

    def fee(self, index: int, amount: int) -> None:
        claim = self._pick(index)
        if claim and claim.open:
            change = charge_fee(claim, amount)
            self._apply(change.account, change.postings)
            self.fees.setdefault(claim.claim_id, []).append(amount)

    def reverse(self, index: int) -> None:
        claim = self._pick(index)
        if claim and self.fees.get(claim.claim_id):
            change = reverse_fee(claim, self.fees[claim.claim_id].pop())
            self._apply(change.account, change.postings)

    def adjust(self, index: int, kind: Kind, amount: int, on: date) -> None:
        claim = self._pick(index)
        if claim and claim.open:
            closes = kind is not Kind.CREDIT_NOTE or amount >= claim.balance.principal_ore
            change = adjust(claim, kind, amount, closes=closes, on=on, accrual=self.accrual)
            self._apply(change.account, change.postings)

    def pay(self, index: int | None, amount: int, on: date) -> None:
        self.received += amount
        claim = self._pick(index) if index is not None else None
        if claim is None or not claim.open:
            self.book(None, [parked(amount)])
            self.parked.append(amount)
            return
        outcome = pay([claim], amount, on, self.accrual)
        for share in outcome.shares:
            self._apply(share.account, share.postings)
        if outcome.overpayment:
            self.book(None, [outcome.overpayment])

    def allocate_parked(self, index: int, on: date) -> None:
        claim = self._pick(index)
        if self.parked and claim and claim.open:
            outcome = pay([claim], self.parked.pop(), on, self.accrual, source=SUSPENSE)
            for share in outcome.shares:
                self._apply(share.account, share.postings)
            if outcome.overpayment:
                self.book(None, [outcome.overpayment])

    def refund_credit(self) -> None:
        credit = -sum(p.effect_on(DEBTOR_CREDIT) for _, p in self.postings)
        if credit:
            self.book(None, [refund(credit)])

    def return_parked(self) -> None:
        if self.parked:
            self.book(None, [refund(self.parked.pop(), source=SUSPENSE)])

    def _pick(self, index: int | None) -> ClaimAccount | None:
        if not self.accounts or index is None:
            return None
        return list(self.accounts.values())[index % len(self.accounts)]

    def _apply(self, account: ClaimAccount, postings: tuple[Posting, ...] | list[Posting]) -> None:
        self.accounts[account.claim_id] = account
        self.book(account.claim_id, postings)


amounts = st.integers(min_value=1, max_value=2_000_000)
days = st.integers(min_value=0, max_value=500).map(lambda n: START + timedelta(days=n))
indexes = st.integers(min_value=0, max_value=50)
operations = st.one_of(
    st.tuples(st.just("open"), amounts, days),
    st.tuples(st.just("fee"), indexes, st.sampled_from([3_500, 10_500, 3_750])),
    st.tuples(st.just("reverse"), indexes),
    st.tuples(
        st.just("adjust"),
        indexes,
        st.sampled_from([Kind.CREDIT_NOTE, Kind.CANCELLATION, Kind.WRITE_OFF]),
        amounts,
        days,
    ),
    st.tuples(st.just("pay"), st.none() | indexes, amounts, days),
    st.tuples(st.just("allocate_parked"), indexes, days),
    st.tuples(st.just("refund_credit")),
    st.tuples(st.just("return_parked")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(operations, max_size=60))
def test_any_sequence_of_claims_fees_adjustments_and_payments_reconciles(steps):
    ledger = Ledger()

    for name, *args in steps:
        getattr(ledger, name)(*args)

    checks = [
        AccountCheck(
            claim_id,
            balance_of(p for c, p in ledger.postings if c == claim_id),
            replace(account.balance),
        )
        for claim_id, account in ledger.accounts.items()
    ]
    totals = money_totals((p for _, p in ledger.postings), ledger.received, 0)
    assert list(discrepancies(checks, totals)) == []
    for account in ledger.accounts.values():
        b = account.balance
        assert min(b.principal_ore, b.interest_ore, b.fees_ore, b.paid_ore) >= 0
    assert totals.unmatched_ore == sum(ledger.parked)
