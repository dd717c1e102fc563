"""Translation between contracts and dunning: the events it emits, built from its records.

Dunning never opens ``debtor_sealed``: the sealed identity number is copied from
``claims.registered`` to the letter request, and only notification opens it. The name and
address arrive sealed too; dunning keeps them opened (the hand-over to enforcement names the
debtor) and seals them again into each letter request, so they never travel in clear.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from contracts.claims import DebtorDetails, PostalAddress
from contracts.dunning import (
    CaseClosedV1,
    CaseOpenedV1,
    CasePausedV1,
    CaseResumedV1,
    CaseStepTakenV1,
    FeeChargedV1,
    FeeReversedV1,
    Instalment,
    NoticeClaim,
    NoticeRequestedV2,
    PlanAgreedV1,
)
from dunning.domain import plans
from dunning.domain.flow import Take
from dunning.records import CaseRecord, ClaimRecord
from rules.calendar import roll_forward
from rules.interest import interest_ore
from rules.rates import Rates, forsinkelsesrente_on
from runtime.personal_data import PersonalDataKeys, seal_details


def opened_event(case: CaseRecord, at: datetime) -> CaseOpenedV1:
    return CaseOpenedV1(
        case_id=case.id,
        claim_ids=[c.claim_id for c in case.claims],
        municipality=case.municipality,
        debtor_ref=case.debtor_ref,
        policy_id=case.policy_id,
        policy_version=case.policy_version,
        opened_at=at,
    )


def step_event(case: CaseRecord, take: Take, seq: int, at: datetime) -> CaseStepTakenV1:
    return CaseStepTakenV1(
        case_id=case.id,
        claim_ids=list(take.claim_ids),
        step_kind=take.step.kind,
        step_index=seq,
        rule=take.rule,
        legal_basis=take.step.legal_basis,
        sent_date=take.sent_date,
        deadline_date=take.deadline_date,
        fee_ore=take.fee.amount_ore,
        taken_at=at,
    )


def fee_event(case: CaseRecord, take: Take, fee_id: UUID, at: datetime) -> FeeChargedV1:
    assert take.fee.claim_id is not None
    return FeeChargedV1(
        fee_id=fee_id,
        claim_id=take.fee.claim_id,
        case_id=case.id,
        step_kind=take.step.kind,
        amount_ore=take.fee.amount_ore,
        legal_basis=take.fee.legal_basis,
        charged_on=take.sent_date,
        charged_at=at,
    )


def notice_event(
    case: CaseRecord,
    take: Take,
    notice_id: UUID,
    language: str,
    at: datetime,
    rates: Rates,
    keys: PersonalDataKeys,
) -> NoticeRequestedV2:
    """Everything the letter must state: amounts split, deadline, KID, legal text keys; the
    debtor's name and address sealed. A consolidated letter states only the claims the step
    covers (each has reached it lawfully)."""
    claims = covered_claims(case, take)
    lines = [_notice_claim(case, c, take, rates) for c in claims]
    oldest = claims[0]
    principal = sum(line.principal_ore for line in lines)
    interest = sum(line.interest_ore for line in lines)
    fees = sum(line.fees_ore for line in lines)
    address = PostalAddress(**case.debtor_address) if case.debtor_address else None
    details = DebtorDetails(name=case.debtor_name, address=address)
    return NoticeRequestedV2(
        notice_id=notice_id,
        case_id=case.id,
        step_kind=take.step.kind,
        municipality=case.municipality,
        language=language,
        debtor_ref=case.debtor_ref,
        debtor_sealed=case.debtor_sealed,
        debtor_kind=case.debtor_kind,
        debtor_details_sealed=seal_details(keys, details),
        claims=lines,
        principal_ore=principal,
        interest_ore=interest,
        fees_ore=fees,
        new_fee_ore=take.fee.amount_ore,
        total_ore=principal + interest + fees,
        interest_rate_percent=str(forsinkelsesrente_on(take.sent_date, rates=rates)),
        # Forsinkelsesrenteloven § 2: interest runs from the day after the (rolled) due date.
        interest_from=roll_forward(oldest.due_date) + timedelta(days=1),
        kid=oldest.kid or "",
        account_number=oldest.account_number or "",
        sent_date=take.sent_date,
        deadline_date=take.deadline_date,
        legal_basis=take.step.legal_basis,
        legal_text_keys=_text_keys(claims, take),
        requested_at=at,
    )


def covered_claims(case: CaseRecord, take: Take) -> list[ClaimRecord]:
    """The claims ``take`` covers, oldest due date first."""
    return [c for c in _oldest_first(case.claims) if c.claim_id in take.claim_ids]


def interest_due(claim: ClaimRecord, until: date, rates: Rates) -> int:
    """Forsinkelsesrente through ``until`` on the changing principal, less what was paid."""
    accrued = interest_ore(list(claim.segments), claim.due_date, until, rates=rates)
    return max(0, accrued - claim.interest_paid_ore)


def paused_event(case_id: UUID, reason: str, until: date | None, at: datetime) -> CasePausedV1:
    return CasePausedV1(case_id=case_id, reason=reason, until=until, paused_at=at)


def resumed_event(case_id: UUID, reason: str, at: datetime) -> CaseResumedV1:
    return CaseResumedV1(case_id=case_id, reason=reason, resumed_at=at)


def closed_event(case_id: UUID, reason: str, at: datetime, claim_ids: list[UUID]) -> CaseClosedV1:
    return CaseClosedV1(case_id=case_id, reason=reason, closed_at=at, claim_ids=claim_ids)


def fee_reversed_event(row: Any, reason: str, at: datetime) -> FeeReversedV1:
    return FeeReversedV1(
        fee_id=row.id,
        claim_id=row.claim_id,
        amount_ore=row.amount_ore,
        reason=reason,
        reversed_at=at,
    )


def plan_event(
    plan_id: UUID, case: CaseRecord, schedule: tuple[plans.Instalment, ...], at: datetime
) -> PlanAgreedV1:
    return PlanAgreedV1(
        plan_id=plan_id,
        case_id=case.id,
        claim_ids=[c.claim_id for c in case.claims],
        debtor_ref=case.debtor_ref,
        instalments=[Instalment(due_date=i.due_date, amount_ore=i.amount_ore) for i in schedule],
        agreed_at=at,
    )


def _notice_claim(case: CaseRecord, claim: ClaimRecord, take: Take, rates: Rates) -> NoticeClaim:
    new_fee = take.fee.amount_ore if take.fee.claim_id == claim.claim_id else 0
    return NoticeClaim(
        claim_id=claim.claim_id,
        invoice_number=claim.invoice_number,
        claim_type=claim.claim_type,
        description=claim.description,
        due_date=claim.due_date,
        principal_ore=claim.principal_ore,
        interest_ore=interest_due(claim, take.sent_date, rates),
        fees_ore=case.fees_outstanding(claim) + new_fee,
    )


def _text_keys(claims: list[ClaimRecord], take: Take) -> list[str]:
    keys = list(take.step.text_keys)
    if any(c.property for c in claims) and take.step.kind != "purring":
        keys.append("panteloven_6_1")
    return keys


def _oldest_first(claims: tuple[ClaimRecord, ...]) -> list[ClaimRecord]:
    return sorted(claims, key=lambda c: (c.due_date, str(c.claim_id)))
