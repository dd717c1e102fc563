"""A case as loaded from the database: what the flow needs plus what a letter needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from dunning.domain.facts import CaseFacts, ClaimFacts, TakenStep


@dataclass(frozen=True)
class ClaimRecord:
    """One open claim of a case, with the ledger's view of it."""

    claim_id: UUID
    invoice_number: str
    claim_type: str
    description: str
    due_date: date
    principal_ore: int
    segments: tuple[tuple[date, int], ...]
    limitation_date: date
    kid: str | None = None
    account_number: str | None = None
    fees_paid_ore: int = 0
    interest_paid_ore: int = 0
    property: dict[str, Any] | None = None


@dataclass(frozen=True)
class CaseRecord:
    """One case row with its open claims."""

    id: UUID
    municipality: str
    debtor_ref: str
    debtor_kind: str
    debtor_name: str
    debtor_sealed: str
    debtor_address: dict[str, Any] | None
    claim_type: str
    primary_claim_id: UUID
    policy_id: str
    policy_version: int
    status: str
    paused_for: tuple[str, ...]
    hold_until: date | None
    history: tuple[TakenStep, ...]
    claims: tuple[ClaimRecord, ...] = field(default=())
    # The trace of the claim that opened the case (W3C headers); its steps continue it.
    trace_headers: dict[str, str] | None = None

    @property
    def subject(self) -> str:
        """The message key of the case's events: the claim that opened it."""
        return str(self.primary_claim_id)

    def fees_outstanding(self, claim: ClaimRecord) -> int:
        charged = sum(t.fee_ore for t in self.history if t.fee_claim_id == claim.claim_id)
        return max(0, charged - claim.fees_paid_ore)

    def facts(self) -> CaseFacts:
        """The flow's view of this case."""
        claims = tuple(
            ClaimFacts(
                claim_id=c.claim_id,
                claim_type=c.claim_type,
                due_date=c.due_date,
                open_ore=c.principal_ore + self.fees_outstanding(c),
                limitation_date=c.limitation_date,
                kid=c.kid,
            )
            for c in sorted(self.claims, key=lambda c: (c.due_date, str(c.claim_id)))
        )
        return CaseFacts(self.id, claims, self.history, self.hold_until)
