"""The legal checks of one step, shared by policy validation and the daily run.

Loading a policy runs them over a year of due dates; the run runs them again right before each
step with the case's real facts, so a step that would break one goes to the exception queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from dunning.domain import kinds
from dunning.domain.errors import Violation, violation
from dunning.domain.facts import CaseFacts, ClaimFacts
from dunning.domain.policy import Policy, Step
from rules import fees as fee_rules
from rules.calendar import roll_forward
from rules.rates import fee_fraction_on, inkassosats_on, rettsgebyr_on

_FEE_CODES = {
    fee_rules.TOO_EARLY: "policy.fee_too_early",
    fee_rules.LIMIT_REACHED: "policy.too_many_fees",
    fee_rules.OUT_OF_ORDER: "policy.fee_out_of_order",
    fee_rules.PREVIOUS_DEADLINE_NOT_PASSED: "policy.previous_deadline_not_passed",
    fee_rules.NO_MISSED_DEADLINE: "policy.no_missed_deadline",
    fee_rules.DEADLINE_TOO_SHORT: "policy.deadline_too_short",
    fee_rules.NOT_CHARGEABLE: "policy.fee_not_allowed",
}


_VARSEL = kinds.RULES_KINDS[kinds.INKASSOVARSEL]
# A due date rolls forward at most over Easter (Thursday to Monday): a later day needs no roll.
_ROLL_AT_MOST = timedelta(days=7)
# Why each letter waits until its claim is overdue (the reason a policy or a step is refused).
_NOT_BEFORE_DUE_BASIS = {
    kinds.PURRING: "a purring reminds of an overdue claim, at the earliest the day after the "
    "due date (gjeldsbrevloven § 5; inkassoforskriften § 1-2)",
    kinds.INKASSOVARSEL: "an inkassovarsel only for a claim that is due and unpaid, at the "
    "earliest the day after the due date (inkassoloven § 9 (1))",
    kinds.BETALINGSOPPFORDRING: "a betalingsoppfordring only after the inkassovarsel's deadline "
    "of at least 14 days (inkassoloven § 10)",
    kinds.VARSEL: "a varsel om tvangsfullbyrdelse only for a claim that is due and unpaid "
    "(tvangsfullbyrdelsesloven § 4-18)",
    kinds.SMS: "a reminder only for an overdue claim (gjeldsbrevloven § 5)",
}


@dataclass(frozen=True)
class FeeOutcome:
    """The fee a step charges (on the oldest claim it covers), with the figures used."""

    amount_ore: int = 0
    legal_basis: str = ""
    claim_id: UUID | None = None
    figures: dict[str, str] = field(default_factory=dict)


def check_step(
    policy: Policy,
    step: Step,
    case: CaseFacts,
    claims: tuple[ClaimFacts, ...],
    sent: date,
    deadline: date | None,
) -> tuple[list[Violation], FeeOutcome]:
    """Every rule ``step`` sent on ``sent`` for ``claims`` would break, and the fee it charges.

    ``claims`` are the claims the step covers (oldest first); every rule holds for each of them
    on its own: its own due date, its own earlier letters and deadlines, its own fees.
    """
    problems = _deadline(step, deadline, sent) + _routing(policy, step, case)
    problems += _not_after_due_date(step, claims, sent)
    order = [v for c in claims for v in _after_inkassovarsel(step, case, c, sent)]
    fee, fee_problems = _fee(step, case, claims[0], sent, deadline)
    # One fact, one reason: a too-early betalingsoppfordring also fails the fee's deadline rule.
    found = problems + (order or fee_problems)
    return list(dict.fromkeys(found)), fee


def _deadline(step: Step, deadline: date | None, sent: date) -> list[Violation]:
    required = step.kind in kinds.DEADLINE_REQUIRED or step.fee.basis == "inkassosats"
    if not required or step.kind not in kinds.RULES_KINDS:
        return []
    minimum = fee_rules.minimum_deadline_days(kinds.RULES_KINDS[step.kind])
    if deadline is None or deadline < sent + timedelta(days=minimum):
        return [violation("policy.deadline_too_short", step.key, f"{minimum} days")]
    return []


def _routing(policy: Policy, step: Step, case: CaseFacts) -> list[Violation]:
    public_only = step.kind == kinds.VARSEL or (
        step.kind == kinds.OVERFORING and step.enforcement in kinds.PUBLIC_ONLY_ENFORCEMENT
    )
    private = policy.track == kinds.PRIVATE or any(
        kinds.is_private_law(c.claim_type) for c in case.claims
    )
    if public_only and private:
        return [violation("policy.saernamsmann_private_law", step.key)]
    return []


def _not_after_due_date(step: Step, claims: tuple[ClaimFacts, ...], sent: date) -> list[Violation]:
    # A claim is dunned only once it is overdue: no step on or before its own due date (a due
    # date on a non-business day moves to the next business day, gjeldsbrevloven § 5).
    if any(sent <= c.due_date + _ROLL_AT_MOST and sent <= roll_forward(c.due_date) for c in claims):
        basis = _NOT_BEFORE_DUE_BASIS.get(step.kind, step.legal_basis)
        return [violation("policy.step_not_after_due_date", step.key, basis)]
    return []


def _after_inkassovarsel(
    step: Step, case: CaseFacts, claim: ClaimFacts, sent: date
) -> list[Violation]:
    if step.kind != kinds.BETALINGSOPPFORDRING:
        return []
    history = case.history_of(claim.claim_id)
    varsler = [t for t in history if t.kind == kinds.INKASSOVARSEL and not t.skipped]
    if not varsler:
        return [violation("policy.betalingsoppfordring_without_inkassovarsel", step.key)]
    # Inkassoloven § 10: only once the § 9 deadline, at least 14 days from the varsel, has passed.
    varsel = varsler[-1]
    earliest = varsel.sent_date + timedelta(days=fee_rules.minimum_deadline_days(_VARSEL))
    if varsel.deadline_date is None or varsel.deadline_date >= sent or sent <= earliest:
        return [violation("policy.betalingsoppfordring_too_early", step.key)]
    return []


def _fee(
    step: Step, case: CaseFacts, claim: ClaimFacts, sent: date, deadline: date | None
) -> tuple[FeeOutcome, list[Violation]]:
    """The letter's one fee, on its oldest claim, judged by that claim's own letters."""
    if step.fee.basis == "none":
        return FeeOutcome(), []
    if step.fee.basis == "rettsgebyr":
        return _rettsgebyr(step, claim, sent)
    if step.kind not in kinds.INKASSOSATS_KINDS:
        return FeeOutcome(), [violation("policy.fee_not_allowed", step.key)]
    kind = kinds.RULES_KINDS[step.kind]
    decision = fee_rules.fee_for(
        kind, sent, claim.due_date, _letters(case, claim.claim_id), deadline_date=deadline
    )
    figures = {
        "inkassosats_ore": str(inkassosats_on(sent)),
        "fraction": str(fee_fraction_on(step.kind, sent)),
    }
    if not decision.allowed:
        code = _FEE_CODES.get(decision.refusal_code or "", "policy.fee_not_allowed")
        return FeeOutcome(0, decision.legal_basis, claim.claim_id, figures), [
            violation(code, step.key)
        ]
    return FeeOutcome(decision.amount_ore, decision.legal_basis, claim.claim_id, figures), []


def _rettsgebyr(step: Step, claim: ClaimFacts, sent: date) -> tuple[FeeOutcome, list[Violation]]:
    if step.kind not in kinds.RETTSGEBYR_KINDS or step.fee.fraction is None:
        return FeeOutcome(), [violation("policy.fee_not_allowed", step.key)]
    amount = fee_rules.rettsgebyr_fee(step.fee.fraction, sent)
    figures = {"rettsgebyr_ore": str(rettsgebyr_on(sent)), "fraction": str(step.fee.fraction)}
    basis = step.fee.legal_basis or step.legal_basis
    return FeeOutcome(amount, basis, claim.claim_id, figures), []


def _letters(case: CaseFacts, claim_id: UUID) -> list[fee_rules.FeeCharge]:
    """Earlier letters the fee rules count: their deadlines, and which carried a fee."""
    return [
        fee_rules.FeeCharge(
            kinds.RULES_KINDS[t.kind],
            t.sent_date,
            t.deadline_date,
            fee_charged=t.fee_ore > 0 and t.fee_claim_id == claim_id,
        )
        for t in case.history_of(claim_id)
        if t.kind in kinds.RULES_KINDS and not t.skipped
    ]
