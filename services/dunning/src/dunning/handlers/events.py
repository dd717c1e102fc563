"""The events and work items a step produces (pure: rows for the outbox, texts for people)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from dunning import mapping
from dunning.domain import kinds
from dunning.domain.flow import Take
from dunning.domain.policy import Policy
from dunning.records import CaseRecord
from rules.money import format_ore
from rules.rates import Rates
from runtime.personal_data import PersonalDataKeys


def step_events(
    case: CaseRecord,
    policy: Policy,
    take: Take,
    ids: tuple[UUID | None, UUID | None],
    at: datetime,
    rates: Rates,
    keys: PersonalDataKeys,
) -> list[tuple[str, Any]]:
    """``fees.charged``, ``notices.requested`` and ``cases.step_taken`` for one step, in order."""
    fee_id, notice_id = ids
    events: list[tuple[str, Any]] = []
    if fee_id is not None:
        events.append(("fees.charged.v1", mapping.fee_event(case, take, fee_id, at)))
    if notice_id is not None:
        notice = mapping.notice_event(case, take, notice_id, policy.language, at, rates, keys)
        events.append(("notices.requested.v2", notice))
    events.append(("cases.step_taken.v1", mapping.step_event(case, take, len(case.history), at)))
    return events


def handover_summary(case: CaseRecord, take: Take, rates: Rates) -> tuple[str, dict[str, Any]]:
    """The prepared file for a caseworker taking the case to enforcement."""
    claims = mapping.covered_claims(case, take)
    open_ore = case.facts().open_ore
    route = {
        kinds.FORLIKSRAD: "forliksrådet (tvangsgrunnlag)",
        kinds.SAERNAMSMANN: "utleggsforretning ved særnamsmannen",
        kinds.NAMSMANN: "namsmyndigheten",
    }.get(take.step.enforcement or "", "tvangsinnfordring")
    summary = (
        f"Klar for {route}: {len(claims)} krav, utestående {format_ore(open_ore)} "
        f"(hovedstol og gebyrer), {len(case.history)} trinn tatt."
    )
    details = {
        "enforcement": take.step.enforcement,
        "legal_basis": take.step.legal_basis,
        "debtor_name": case.debtor_name,
        "open_ore": open_ore,
        "claims": [
            {
                "claim_id": str(c.claim_id),
                "invoice_number": c.invoice_number,
                "claim_type": c.claim_type,
                "due_date": c.due_date.isoformat(),
                "principal_ore": c.principal_ore,
                "interest_ore": mapping.interest_due(c, take.sent_date, rates),
                "fees_ore": case.fees_outstanding(c),
                "limitation_date": c.limitation_date.isoformat(),
                "property": c.property,
            }
            for c in claims
        ],
        "steps": [
            {
                "kind": t.kind,
                "sent_date": t.sent_date.isoformat(),
                "deadline_date": t.deadline_date.isoformat() if t.deadline_date else None,
                "fee_ore": t.fee_ore,
            }
            for t in case.history
        ],
    }
    return summary, details
