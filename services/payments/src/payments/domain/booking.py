"""Booking payments in memory: the rules decide, this collects rows ready for COPY.

A job is one payment with the claims its KID named. Each is allocated (or parked in the
unmatched queue, or recorded as the bank's reversal) against accounts kept in memory, so a
file of 100 000 payments is booked without a query per payment. Ids and time come in through
:class:`BookingContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from payments.domain.accrual import InterestAccrual
from payments.domain.allocation import DEFAULT_ORDER, ClaimAccount, ClaimShare, pay
from payments.domain.ledger import (
    COLLECTION,
    Component,
    Posting,
    parked,
    refund,
)
from payments.domain.matching import Unmatched, unmatched_reason

REVERSAL = "reversal"


@dataclass(frozen=True, slots=True)
class Job:
    """One payment to book: its money, its KID, and the claims the KID named (if any)."""

    seq: int
    payment_id: UUID
    amount_ore: int
    reversal: bool
    kid: str | None
    kid_valid: bool
    booking_date: date  # the money reached the collection account: the postings' day
    payer_account: str | None
    claim_ids: tuple[UUID, ...]
    forced: bool = False  # a caseworker chose the claim: no KID rules apply
    paid_on: date | None = None  # the payer's bank debited the payer; None: the booking date

    @property
    def payment_date(self) -> date:
        """The day the payment counts as made (interest, deadlines)."""
        return self.paid_on or self.booking_date


@dataclass(slots=True)
class Ledgered:
    """A claim's account as the engine keeps it: the domain's view plus who it belongs to."""

    account: ClaimAccount
    municipality: str
    debtor_ref: str


@dataclass(frozen=True, slots=True)
class BookingContext:
    """Settings of one booking run."""

    accrual: InterestAccrual
    now: datetime
    new_id: Callable[[], UUID]
    order: Sequence[Component] = DEFAULT_ORDER
    source: str = COLLECTION
    reference: str | None = None  # e.g. the payment file's id, on every posting


@dataclass(frozen=True, slots=True)
class UnmatchedDraft:
    """A payment on its way to the unmatched queue; candidates are searched afterwards."""

    job: Job
    reason: Unmatched | str
    municipality: str | None


@dataclass
class Booked:
    """Everything one batch of jobs produced, as rows ready for COPY."""

    postings: list[tuple[Any, ...]] = field(default_factory=list)
    shares: list[tuple[Any, ...]] = field(default_factory=list)
    refunds: list[tuple[Any, ...]] = field(default_factory=list)
    unmatched: list[UnmatchedDraft] = field(default_factory=list)
    touched: set[UUID] = field(default_factory=set)
    allocated_ore: int = 0
    overpaid_ore: int = 0

    def summary(self) -> dict[str, int]:
        """Counts and sums for an import's result."""
        return {
            "allocated_ore": self.allocated_ore,
            "overpaid_ore": self.overpaid_ore,
            "unmatched": len(self.unmatched),
            "unmatched_ore": sum(u.job.amount_ore for u in self.unmatched),
            "refund_instructions": len(self.refunds),
        }


def book_jobs(
    jobs: Iterable[Job], accounts: Mapping[UUID, Ledgered], ctx: BookingContext, out: Booked
) -> None:
    """Book every job in order; ``accounts`` is updated as claims are paid."""
    for job in jobs:
        book_job(job, accounts, ctx, out)


def book_job(job: Job, accounts: Mapping[UUID, Ledgered], ctx: BookingContext, out: Booked) -> None:
    """Allocate one payment, or park it in the unmatched queue with the reason."""
    if job.reversal:
        return  # undone once the whole batch is booked: payments.handlers.reversals
    found = [accounts[c] for c in job.claim_ids if c in accounts]
    open_claims = [f for f in found if f.account.open]
    reason = None
    if not job.forced:
        reason = unmatched_reason(job.kid, job.kid_valid, len(found), len(open_claims))
    if reason is not None:
        out.postings.append(_row(None, None, job, parked(job.amount_ore), ctx))
        out.unmatched.append(UnmatchedDraft(job, reason, found[0].municipality if found else None))
        return
    outcome = pay(
        [f.account for f in open_claims],
        job.amount_ore,
        job.payment_date,
        ctx.accrual,
        order=ctx.order,
        source=ctx.source,
    )
    for sub, share in enumerate(outcome.shares):
        _book_share(job, sub, share, accounts[share.account.claim_id], ctx, out)
    if outcome.overpayment is not None:
        _book_overpayment(job, outcome.overpayment, open_claims[0], ctx, out)


def _book_share(
    job: Job, sub: int, share: ClaimShare, ledgered: Ledgered, ctx: BookingContext, out: Booked
) -> None:
    claim_id = share.account.claim_id
    ledgered.account = share.account
    out.touched.add(claim_id)
    out.postings += [_row(claim_id, ledgered.debtor_ref, job, p, ctx) for p in share.postings]
    b = share.account.balance
    out.shares.append(
        (
            job.seq, sub, job.payment_id, claim_id, ledgered.municipality, ledgered.debtor_ref,
            share.fees_ore, share.interest_ore, share.principal_ore,
            b.principal_ore, b.interest_ore, b.fees_ore, b.paid_ore, job.payment_date,
            share.account.interest_through,
        )
    )  # fmt: skip
    out.allocated_ore += share.total_ore


def _book_overpayment(
    job: Job, credit: Posting, debtor: Ledgered, ctx: BookingContext, out: Booked
) -> None:
    out.postings.append(_row(None, debtor.debtor_ref, job, credit, ctx))
    out.overpaid_ore += credit.amount_ore
    if job.payer_account is None:
        return  # the credit stays on the debtor until a caseworker knows where to pay it
    out.postings.append(_row(None, debtor.debtor_ref, job, refund(credit.amount_ore), ctx))
    out.refunds.append(
        (
            ctx.new_id(), job.payment_id, debtor.account.claim_id, debtor.debtor_ref,
            credit.amount_ore, job.payer_account, "overpayment", "pending", ctx.now,
        )
    )  # fmt: skip


def _row(
    claim_id: UUID | None,
    debtor_ref: str | None,
    job: Job,
    posting: Posting,
    ctx: BookingContext,
) -> tuple[Any, ...]:
    return posting_row(
        posting, claim_id, debtor_ref, job.payment_id, job.booking_date, ctx.now, ctx.reference
    )


def posting_row(
    posting: Posting,
    claim_id: UUID | None,
    debtor_ref: str | None,
    payment_id: UUID | None,
    booked_on: date,
    booked_at: datetime,
    reference: str | None,
) -> tuple[Any, ...]:
    """A posting as a row of the ``posting`` table (its column order, for COPY)."""
    component = posting.component.value if posting.component else None
    return (
        claim_id, debtor_ref, payment_id, posting.kind.value, component, posting.debit,
        posting.credit, posting.amount_ore, booked_on, booked_at, reference,
    )  # fmt: skip
