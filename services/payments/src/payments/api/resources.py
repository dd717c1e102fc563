"""The JSON answers of payments' API as models, so its OpenAPI document shows them.

The handlers build these answers themselves (``payments.handlers``, stored idempotent replies,
settlement documents kept as the ERP got them), so the models document and do not filter;
the fuzz tests check every answer against them. Amounts are integer øre.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field


class BalanceOut(BaseModel):
    """A claim's account on a day: booked balance plus interest accrued since booking."""

    claim_id: UUID
    municipality: str
    as_of: date
    kid: str
    account_number: str = Field(description="The collection account to pay to")
    status: str
    principal_ore: int
    interest_booked_ore: int
    interest_accrued_ore: int
    interest_ore: int = Field(description="Booked plus accrued")
    interest_booked_through: date | None
    fees_ore: int
    total_ore: int
    paid_ore: int
    settled: bool


class PostingOut(BaseModel):
    id: int
    kind: str
    component: str | None
    debit: str = Field(description="The ledger account debited")
    credit: str = Field(description="The ledger account credited")
    amount_ore: int
    booked_on: date
    payment_id: UUID | None


class PostingsOut(BaseModel):
    claim_id: UUID
    items: list[PostingOut]


class DebtorBalanceOut(BaseModel):
    debtor_ref: str = Field(description="The debtor's keyed hash (never the identity number)")
    as_of: date
    total_ore: int
    accounts: list[BalanceOut]


class PaymentOut(BaseModel):
    """A payment as the bank sent it, and where it went."""

    payment_id: UUID
    channel: str
    amount_ore: int
    reversal: bool
    kid: str | None
    kid_valid: bool
    paid_on: date = Field(description="The day the payer's bank debited the payer")
    booking_date: date = Field(description="The day the money reached the collection account")
    value_date: date | None
    payment_key: str
    archive_reference: str | None
    form_number: str | None
    centre_id: str | None
    day_code: str | None
    partial_settlement: str | None
    serial_number: str | None
    end_to_end_id: str | None
    payer_account: str | None
    payer_name: str | None
    free_text: str | None
    claim_ids: list[UUID]
    queue_state: str | None = Field(description="Its state in the unmatched queue, if there")
    reversed_by: UUID | None = Field(description="The bank's reversal that undid it")
    received_at: datetime


class PaymentFileOut(BaseModel):
    """What an imported payment file booked (the same file again: the first import's answer)."""

    file_id: UUID
    format: Literal["ocr", "camt054"]
    file_key: str
    sha256: str
    payments: int
    already_booked: int
    booked: int
    credit_ore: int
    reversal_ore: int
    allocated_ore: int
    overpaid_ore: int
    unmatched: int
    unmatched_ore: int
    refund_instructions: int
    reversed_ore: int
    reversals_undone: int
    duplicate: bool = Field(description="True when this file was imported before")


class CandidateOut(BaseModel):
    claim_id: UUID
    score: float
    reasons: list[str]
    why: list[str] = Field(description="The reasons, explained")


class UnmatchedOut(BaseModel):
    payment_id: UUID
    amount_ore: int
    kid: str | None
    booking_date: date
    paid_on: date
    channel: str
    payer_name: str | None
    payer_account: str | None
    free_text: str | None
    archive_reference: str | None
    end_to_end_id: str | None
    reason: str
    municipality: str | None
    state: Literal["open", "allocated", "returned"]
    claim_id: UUID | None
    candidates: list[CandidateOut]


class UnmatchedPage(BaseModel):
    items: list[UnmatchedOut]


class AllocationLine(BaseModel):
    claim_id: UUID
    fees_ore: int
    interest_ore: int
    principal_ore: int


class AllocatedOut(BaseModel):
    payment_id: UUID
    state: Literal["allocated"]
    claim_id: UUID
    allocations: list[AllocationLine]
    overpaid_ore: int
    refund_instructions: int


class RefundInstructionOut(BaseModel):
    id: UUID
    amount_ore: int
    to_account: str
    status: str


class ReturnedOut(BaseModel):
    payment_id: UUID
    state: Literal["returned"]
    refund_instruction: RefundInstructionOut


class SettlementLineOut(BaseModel):
    claim_id: UUID
    invoice_number: str
    principal_ore: int
    interest_ore: int
    remitted_ore: int
    fees_kept_ore: int


class SettlementOut(BaseModel):
    """A settlement (oppgjør) as the JSON document for the municipality's ERP."""

    settlement_id: UUID
    municipality: str
    period_start: date
    period_end: date
    currency: Literal["NOK"]
    amounts_in: Literal["øre"]
    principal_ore: int
    interest_ore: int
    remitted_ore: int
    fees_kept_ore: int
    claims_count: int
    created_at: datetime
    lines: list[SettlementLineOut]
