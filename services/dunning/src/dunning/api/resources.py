"""The JSON answers of dunning's case and policy routes as models, so its OpenAPI shows them.

The handlers build these answers themselves (``dunning.handlers.reads`` and ``policies``), so
the models document and do not filter; the fuzz tests check every answer against them.
Amounts are integer øre; legal dates are dates in Europe/Oslo.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field


class StepOut(BaseModel):
    """A step taken: which rule of which policy version, on what legal basis and facts."""

    seq: int
    step_kind: str
    rule: str
    legal_basis: str
    policy_id: str
    policy_version: int
    sent_date: date
    deadline_date: date | None
    fee_ore: int
    facts: dict[str, Any]
    text: str = Field(description="The step explained in bokmål")


class CaseOut(BaseModel):
    """A case with its claims, steps, fees, open work items and plans (rows as stored)."""

    id: UUID
    municipality: str
    debtor_ref: str = Field(description="The debtor's keyed hash (never the identity number)")
    debtor_kind: str
    debtor_name: str | None = None
    debtor_address: dict[str, Any] | None = None
    claim_type: str
    primary_claim_id: UUID
    policy_id: str
    policy_version: int
    status: str
    paused_for: list[str]
    hold_until: date | None
    next_action_date: date | None
    next_step_key: str | None
    history: list[Any] = Field(description="The policy steps taken, in order")
    opened_at: datetime
    closed_at: datetime | None
    closed_reason: str | None
    claims: list[dict[str, Any]]
    steps: list[StepOut]
    fees: list[dict[str, Any]]
    work_items: list[dict[str, Any]]
    plans: list[dict[str, Any]]


class ExplainedCaseOut(BaseModel):
    case_id: UUID
    policy_id: str
    policy_version: int
    status: str
    sentences: list[str] = Field(description="The whole trail in bokmål, oldest first")
    steps: list[StepOut]


class PolicyStepOut(BaseModel):
    key: str
    kind: str
    legal_basis: str


class PolicySummaryOut(BaseModel):
    id: str
    version: int
    title: str
    track: str
    claim_types: list[str]
    municipalities: list[str] | Literal["all"]
    applies_to_running: bool
    steps: list[PolicyStepOut]


class PolicyListOut(BaseModel):
    items: list[PolicySummaryOut]


class PolicyVersionsOut(BaseModel):
    id: str
    versions: list[dict[str, Any]] = Field(description="Each version's document, as loaded")


class SimulatedLetters(BaseModel):
    step_kind: str
    channel: str
    count: int


class SimulatedStep(BaseModel):
    date: date
    case_id: UUID
    step_kind: str
    channel: str
    fee_ore: int


class SimulationOut(BaseModel):
    """What a draft policy would do to today's open cases; nothing was written."""

    from_: date = Field(alias="from")
    days: int
    cases: int
    letters: list[SimulatedLetters]
    fees_ore: int
    cases_reaching_enforcement: int
    blocked: dict[str, int] = Field(description="Steps the law blocked, by reason code")
    cases_not_mapped: int
    steps: list[SimulatedStep] = Field(description="The first 5,000 steps")
