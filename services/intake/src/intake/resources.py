"""The JSON answers of intake's API as models, so its OpenAPI document shows them.

The routes build these answers themselves (``mapping.claim_resource``, stored idempotent
replies), so the models document and do not filter; the fuzz tests check every answer
against them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field


class DebtorOut(BaseModel):
    ref: str = Field(description="The debtor's keyed hash (never the identity number)")
    kind: str = Field(description="person or organisation")
    name: str


class ClaimOut(BaseModel):
    """A registered claim."""

    id: UUID
    municipality: str
    original_municipality: str | None = Field(
        description="The number it was submitted under, if a merger moved it"
    )
    invoice_number: str
    claim_type: str
    status: str = Field(description="open, credited, cancelled or written_off")
    debtor: DebtorOut
    original_principal_ore: int
    principal_ore: int
    issue_date: date
    due_date: date
    original_kid: str | None
    description: str
    property: dict[str, Any] | None
    source: str
    registered_at: datetime


class ItemProblem(BaseModel):
    code: str
    message: str
    field: str | None = None


class BatchItemOut(BaseModel):
    """One item of a batch: registered (with its id) or rejected (with its reasons)."""

    index: int
    status: Literal["registered", "rejected"]
    id: UUID | None = None
    invoice_number: str | None = None
    errors: list[ItemProblem] | None = None


class BatchOut(BaseModel):
    registered: int
    rejected: int
    results: list[BatchItemOut]


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next: UUID | None = Field(description="Pass as ?after= for the next page")


class AdjustmentOut(BaseModel):
    id: UUID
    claim_id: UUID
    kind: str
    amount_ore: int | None
    principal_before_ore: int
    principal_after_ore: int
    reason_code: str
    reason: str
    adjusted_at: datetime
