"""Events of the sub-ledger (reskontro), published by payments."""

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from contracts.base import ContractModel, EventPayload, Kommunenummer, UtcDatetime

KidAlgorithm = Literal["MOD10", "MOD11"]
PaymentChannel = Literal["ocr", "camt054", "vipps", "card", "manual"]
Ore = Annotated[int, Field(ge=0)]


class AccountOpenedV1(EventPayload):
    """A claim got its account in the ledger and the KID to pay it with."""

    EVENT_TYPE: ClassVar[str] = "accounts.opened.v1"

    claim_id: UUID
    municipality: Kommunenummer
    debtor_ref: str
    kid: str
    kid_algorithm: KidAlgorithm
    account_number: str = Field(description="The office's collection account (11 digits).")
    principal_ore: Ore
    opened_at: UtcDatetime


class BalanceChangedV1(EventPayload):
    """A claim's balance after a posting, split by component; `settled` when nothing is owed."""

    EVENT_TYPE: ClassVar[str] = "accounts.balance_changed.v1"

    claim_id: UUID
    debtor_ref: str
    principal_ore: Ore
    interest_ore: Ore = Field(description="Interest booked and not yet paid.")
    fees_ore: Ore
    total_ore: Ore
    paid_ore: Ore = Field(description="Everything paid on the claim so far.")
    settled: bool
    cause: Literal["opened", "payment", "fee", "fee_reversal", "adjustment", "interest", "refund"]
    as_of: date
    changed_at: UtcDatetime
    interest_through: date | None = Field(
        default=None,
        description="Interest is booked through this day; null: none booked yet, and it runs"
        " from the day after the due date.",
    )


class PaymentReceivedV1(EventPayload):
    """Money came in (bank file, Vipps, card or manual) and was booked."""

    EVENT_TYPE: ClassVar[str] = "payments.received.v1"

    payment_id: UUID
    amount_ore: Annotated[int, Field(gt=0)]
    channel: PaymentChannel
    kid: str | None
    booking_date: date
    received_at: UtcDatetime
    paid_on: date | None = Field(
        default=None,
        description="The day the payer's bank debited the payer: the payment counts as made"
        " then (booking_date is when the money reached the collection account). Null from"
        " producers that knew one date only: then booking_date.",
    )


class PaymentAllocatedV1(EventPayload):
    """A payment (or part of it) was allocated to one claim: fees, then interest, then principal."""

    EVENT_TYPE: ClassVar[str] = "payments.allocated.v1"

    payment_id: UUID
    claim_id: UUID
    fees_ore: Ore
    interest_ore: Ore
    principal_ore: Ore
    allocated_at: UtcDatetime


class UnmatchedCandidate(ContractModel):
    """A claim the unmatched payment may belong to, best first."""

    claim_id: UUID
    score: float
    reasons: list[str]


class PaymentUnmatchedV1(EventPayload):
    """A payment that could not be matched to a claim waits for a caseworker."""

    EVENT_TYPE: ClassVar[str] = "payments.unmatched.v1"

    payment_id: UUID
    amount_ore: Annotated[int, Field(gt=0)]
    kid: str | None
    reason: Literal["kid_missing", "kid_invalid", "kid_unknown", "claim_closed"]
    booking_date: date
    candidates: list[UnmatchedCandidate]
    received_at: UtcDatetime
    paid_on: date | None = Field(
        default=None, description="The day the payer's bank debited the payer (see received)."
    )


class PaymentReversedV1(EventPayload):
    """The bank took back a booked payment: what it had paid on one claim is owed again.

    One event per claim the payment had reached. The ledger reverses the allocation with new
    postings; the claim's new balance follows as ``accounts.balance_changed.v1``.
    """

    EVENT_TYPE: ClassVar[str] = "payments.reversed.v1"

    payment_id: UUID = Field(description="The bank's reversal.")
    original_payment_id: UUID = Field(description="The payment it takes back.")
    claim_id: UUID
    amount_ore: Annotated[int, Field(gt=0)] = Field(description="The whole reversal.")
    fees_ore: Ore = Field(description="What the payment had paid of this claim's fees.")
    interest_ore: Ore
    principal_ore: Ore
    channel: PaymentChannel
    kid: str | None
    paid_on: date = Field(description="The day the reversed payment had counted as made.")
    reversed_on: date = Field(description="The day the bank booked the reversal.")
    reversed_at: UtcDatetime


class SettlementCreatedV1(EventPayload):
    """A municipality's remittance for a period: collected principal and interest."""

    EVENT_TYPE: ClassVar[str] = "settlements.created.v1"

    settlement_id: UUID
    municipality: Kommunenummer
    period_start: date
    period_end: date
    principal_ore: Ore
    interest_ore: Ore
    fees_kept_ore: Ore
    claims_count: Annotated[int, Field(ge=0)]
    created_at: UtcDatetime


class InstalmentMissedV1(EventPayload):
    """An instalment of an agreed plan was not paid in full by its due date."""

    EVENT_TYPE: ClassVar[str] = "plans.instalment_missed.v1"

    plan_id: UUID
    case_id: UUID
    instalment_due_date: date
    amount_due_ore: Ore
    paid_ore: Ore
    detected_at: UtcDatetime
