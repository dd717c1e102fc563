"""The case flow: given a case's facts, its policy and a date → what to do today.

The daily run, the dry run and policy validation all call :func:`decide`, so a simulation does
exactly what the run would. Planned sending days roll forward to a business day like deadlines
do (an office sends letters on working days), and a case takes at most one step per date.

Every claim of a case follows the policy on its own course: its next step falls the step's
``when`` after its own due date, or after its own previous letter or deadline. The case takes
the step that falls first; a consolidated letter covers exactly the claims whose own course has
reached that step by the sending day, and says why each other claim waits. The hand-over to
enforcement waits until every claim has reached it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from dunning.domain import kinds
from dunning.domain.checks import FeeOutcome, check_step
from dunning.domain.errors import Violation, violation
from dunning.domain.facts import CaseFacts, ClaimFacts, TakenStep
from dunning.domain.policy import DUE_DATE, PREVIOUS_DEADLINE, PREVIOUS_STEP, Policy, Step
from rules.calendar import deadline as deadline_after
from rules.calendar import roll_forward


@dataclass(frozen=True)
class Planned:
    """The next step of a case (or of one of its claims) and the day it is due."""

    index: int
    step: Step
    day: date
    anchor_date: date
    anchor: str = DUE_DATE


@dataclass(frozen=True)
class ClaimPlan:
    """Where one claim's own course stands: its next step, due on ``day``."""

    claim: ClaimFacts
    planned: Planned


@dataclass(frozen=True)
class Take:
    """Take ``step`` today for ``claim_ids``: the letter's dates, fee, rule and facts behind it."""

    index: int
    step: Step
    policy_id: str
    policy_version: int
    sent_date: date
    deadline_date: date | None
    fee: FeeOutcome
    rule: str
    claim_ids: tuple[UUID, ...]
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Wait:
    """Nothing today; the next step is due on ``until``."""

    until: date
    step_key: str


@dataclass(frozen=True)
class Block:
    """The step due today would break a rule: the case goes to the exception queue."""

    index: int
    step_key: str
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class Done:
    """No further automatic step (flow complete, nothing open, or below the minimum)."""

    reason: str


Decision = Take | Wait | Block | Done


def next_index(policy: Policy, history: tuple[TakenStep, ...]) -> int:
    """Position in ``policy`` after the last step taken (steps are matched by key)."""
    if not history:
        return 0
    keys = policy.step_keys()
    last = history[-1].key
    return keys.index(last) + 1 if last in keys else len(keys)


def claim_plans(case: CaseFacts, policy: Policy) -> list[ClaimPlan]:
    """Each open claim's next step on its own course (claims whose flow is complete left out)."""
    plans = []
    for claim in case.claims:
        history = case.history_of(claim.claim_id)
        index = next_index(policy, history)
        if index >= len(policy.steps):
            continue
        step = policy.steps[index]
        anchor, anchor_date = _anchor(step, claim, history)
        day = roll_forward(anchor_date + timedelta(days=step.timing.days))
        if case.hold_until is not None and day < case.hold_until:
            day = roll_forward(case.hold_until)
        plans.append(ClaimPlan(claim, Planned(index, step, day, anchor_date, anchor)))
    return plans


def next_planned(case: CaseFacts, policy: Policy) -> Planned | None:
    """The case's next step and its day, or None when the flow is complete."""
    plans = claim_plans(case, policy)
    return lead(plans).planned if plans else None


def covered(plans: list[ClaimPlan], lead: Planned, day: date) -> list[ClaimPlan]:
    """The claims a ``lead`` step sent on ``day`` covers: those whose course has reached it."""
    return [p for p in plans if p.planned.index == lead.index and p.planned.day <= day]


def decide(case: CaseFacts, policy: Policy, day: date) -> Decision:
    """What the flow does with ``case`` on ``day``."""
    if not case.claims:
        return Done("no_open_claims")
    plans = claim_plans(case, policy)
    if not plans:
        return Done("flow_complete")
    planned = lead(plans).planned
    if planned.day > day:
        return Wait(planned.day, planned.step.key)
    step = planned.step
    if case.open_ore < step.min_amount_ore:
        return Done("below_minimum")
    group = covered(plans, planned, day)
    claims = tuple(p.claim for p in group)
    deadline = None if step.deadline_days is None else deadline_after(day, step.deadline_days)
    problems, fee = check_step(policy, step, case, claims, day, deadline)
    problems += _case_problems(step, claims, day)
    if problems:
        return Block(planned.index, step.key, tuple(problems))
    return Take(
        index=planned.index,
        step=step,
        policy_id=policy.id,
        policy_version=policy.version,
        sent_date=day,
        deadline_date=deadline,
        fee=fee,
        rule=rule_name(policy, planned.index),
        claim_ids=tuple(c.claim_id for c in claims),
        facts=_facts(case, plans, group, planned, day, deadline, fee),
    )


def apply(case: CaseFacts, taken: Take) -> CaseFacts:
    """The case after ``taken``: one more step in its history (hold cleared)."""
    step = TakenStep(
        seq=len(case.history),
        key=taken.step.key,
        kind=taken.step.kind,
        sent_date=taken.sent_date,
        deadline_date=taken.deadline_date,
        fee_ore=taken.fee.amount_ore,
        fee_claim_id=taken.fee.claim_id if taken.fee.amount_ore else None,
        policy_version=taken.policy_version,
        claim_ids=taken.claim_ids,
    )
    return replace(case, history=(*case.history, step), hold_until=None)


def skip(case: CaseFacts, policy: Policy, day: date) -> CaseFacts:
    """The case with its next step skipped by a caseworker (recorded, no letter, no fee).

    The skip covers every claim whose own course is at that step.
    """
    plans = claim_plans(case, policy)
    if not plans:
        return case
    planned = lead(plans).planned
    step = TakenStep(
        len(case.history),
        planned.step.key,
        planned.step.kind,
        day,
        None,
        policy_version=policy.version,
        skipped=True,
        claim_ids=tuple(p.claim.claim_id for p in plans if p.planned.index == planned.index),
    )
    return replace(case, history=(*case.history, step))


def next_action(case: CaseFacts, policy: Policy, after: date) -> tuple[date | None, str | None]:
    """When the case is next due, at the earliest the day after ``after`` (one step a day)."""
    planned = next_planned(case, policy)
    if planned is None:
        return None, None
    return max(planned.day, after + timedelta(days=1)), planned.step.key


def rule_name(policy: Policy, index: int) -> str:
    """The rule that fired, e.g. ``default-private v1 trinn 2 «inkassovarsel»``."""
    return f"{policy.id} v{policy.version} trinn {index + 1} «{policy.steps[index].key}»"


def lead(plans: list[ClaimPlan]) -> ClaimPlan:
    """The claim whose step comes first (the oldest on a tie); the hand-over comes last."""
    letters = [p for p in plans if p.planned.step.kind != kinds.OVERFORING]
    if letters:
        return min(letters, key=lambda p: p.planned.day)
    # Every claim has reached the hand-over: it is due once the last of them is.
    return max(plans, key=lambda p: p.planned.day)


def _anchor(step: Step, claim: ClaimFacts, history: tuple[TakenStep, ...]) -> tuple[str, date]:
    """What the claim's step counts from: its own due date, or its own previous letter."""
    if step.timing.after == DUE_DATE or not history:
        # Gjeldsbrevloven § 5: a due date on a non-business day moves to the next one.
        return DUE_DATE, roll_forward(claim.due_date)
    previous = history[-1]
    if step.timing.after == PREVIOUS_DEADLINE and previous.deadline_date is not None:
        return PREVIOUS_DEADLINE, previous.deadline_date
    return PREVIOUS_STEP, previous.sent_date


def _case_problems(step: Step, claims: tuple[ClaimFacts, ...], day: date) -> list[Violation]:
    problems = []
    if any(c.limitation_date < day for c in claims):
        problems.append(violation("case.time_barred", step.key))
    if step.kind in kinds.LETTER_KINDS and step.kind != kinds.SMS and not claims[0].kid:
        problems.append(violation("case.kid_missing", step.key))
    return problems


def _facts(
    case: CaseFacts,
    plans: list[ClaimPlan],
    claims: list[ClaimPlan],
    planned: Planned,
    day: date,
    deadline: date | None,
    fee: FeeOutcome,
) -> dict[str, Any]:
    step = planned.step
    unrolled = day + timedelta(days=step.deadline_days) if step.deadline_days is not None else None
    facts: dict[str, Any] = {
        "due_date": claims[0].claim.due_date.isoformat(),
        "anchor": planned.anchor,
        "anchor_date": planned.anchor_date.isoformat(),
        "days": step.timing.days,
        "planned_date": planned.day.isoformat(),
        "deadline_days": step.deadline_days,
        "deadline_unrolled": unrolled.isoformat() if unrolled else None,
        "deadline_date": deadline.isoformat() if deadline else None,
        "open_ore": sum(p.claim.open_ore for p in claims),
        "claims": [str(p.claim.claim_id) for p in claims],
        "fee_basis": step.fee.basis,
        "fee_ore": fee.amount_ore,
        "fee_legal_basis": fee.legal_basis,
        **{f"fee_{k}": v for k, v in fee.figures.items()},
        "channel": step.channel,
        "enforcement": step.enforcement,
    }
    if len(case.claims) > 1:  # one claim: the step's own facts say why
        facts["claim_reasons"] = _claim_reasons(case, plans, planned, day)
    return facts


def _claim_reasons(
    case: CaseFacts, plans: list[ClaimPlan], planned: Planned, day: date
) -> list[dict[str, Any]]:
    """For each open claim, why the step covers it or not (what ``explain`` tells)."""
    by_claim = {p.claim.claim_id: p.planned for p in plans}
    reasons = []
    for claim in case.claims:
        own = by_claim.get(claim.claim_id)
        if own is None:
            reason, when, key = "flow_complete", None, None
        elif own.index != planned.index:
            reason, when, key = "at_other_step", own.day, own.step.key
        elif own.day > day:
            reason, when, key = "not_yet_reached", own.day, own.step.key
        else:
            reason, when, key = "reached", own.day, own.step.key
        reasons.append(
            {
                "claim_id": str(claim.claim_id),
                "due_date": claim.due_date.isoformat(),
                "included": reason == "reached",
                "reason": reason,
                "own_step": key,
                "own_date": when.isoformat() if when else None,
                "anchor": own.anchor if own else None,
                "anchor_date": own.anchor_date.isoformat() if own else None,
            }
        )
    return reasons
