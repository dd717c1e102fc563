"""The case flow: given a case's facts, its policy and a date → what to do today.

The daily run, the dry run and policy validation all call :func:`decide`, so a simulation does
exactly what the run would. Planned sending days roll forward to a business day like deadlines
do (an office sends letters on working days), and a case takes at most one step per date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from dunning.domain import kinds
from dunning.domain.checks import FeeOutcome, check_step
from dunning.domain.errors import Violation, violation
from dunning.domain.facts import CaseFacts, TakenStep
from dunning.domain.policy import DUE_DATE, PREVIOUS_DEADLINE, Policy, Step
from rules.calendar import deadline as deadline_after
from rules.calendar import roll_forward


@dataclass(frozen=True)
class Planned:
    """The next step of a case and the day it is due."""

    index: int
    step: Step
    day: date
    anchor_date: date


@dataclass(frozen=True)
class Take:
    """Take ``step`` today: the letter's dates, its fee, the rule and the facts behind it."""

    index: int
    step: Step
    policy_id: str
    policy_version: int
    sent_date: date
    deadline_date: date | None
    fee: FeeOutcome
    rule: str
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


def next_planned(case: CaseFacts, policy: Policy) -> Planned | None:
    """The next step and its day, or None when the flow is complete."""
    index = next_index(policy, case.history)
    if index >= len(policy.steps) or not case.claims:
        return None
    step = policy.steps[index]
    anchor = _anchor(step, case)
    planned = roll_forward(anchor + timedelta(days=step.timing.days))
    if case.hold_until is not None and planned < case.hold_until:
        planned = roll_forward(case.hold_until)
    return Planned(index, step, planned, anchor)


def decide(case: CaseFacts, policy: Policy, day: date) -> Decision:
    """What the flow does with ``case`` on ``day``."""
    if not case.claims:
        return Done("no_open_claims")
    planned = next_planned(case, policy)
    if planned is None:
        return Done("flow_complete")
    if planned.day > day:
        return Wait(planned.day, planned.step.key)
    step = planned.step
    if case.open_ore < step.min_amount_ore:
        return Done("below_minimum")
    deadline = None if step.deadline_days is None else deadline_after(day, step.deadline_days)
    problems, fee = check_step(policy, step, case, day, deadline)
    problems += _case_problems(step, case, day)
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
        facts=_facts(case, planned, day, deadline, fee),
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
    )
    return replace(case, history=(*case.history, step), hold_until=None)


def skip(case: CaseFacts, policy: Policy, day: date) -> CaseFacts:
    """The case with its next step skipped by a caseworker (recorded, no letter, no fee)."""
    planned = next_planned(case, policy)
    if planned is None:
        return case
    step = TakenStep(
        len(case.history),
        planned.step.key,
        planned.step.kind,
        day,
        None,
        policy_version=policy.version,
        skipped=True,
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


def _anchor(step: Step, case: CaseFacts) -> date:
    if step.timing.after == DUE_DATE or not case.history:
        # Gjeldsbrevloven § 5: a due date on a non-business day moves to the next one.
        return roll_forward(case.oldest.due_date)
    previous = case.history[-1]
    if step.timing.after == PREVIOUS_DEADLINE and previous.deadline_date is not None:
        return previous.deadline_date
    return previous.sent_date


def _case_problems(step: Step, case: CaseFacts, day: date) -> list[Violation]:
    problems = []
    if any(c.limitation_date < day for c in case.claims):
        problems.append(violation("case.time_barred", step.key))
    if step.kind in kinds.LETTER_KINDS and step.kind != kinds.SMS and not case.oldest.kid:
        problems.append(violation("case.kid_missing", step.key))
    return problems


def _facts(
    case: CaseFacts, planned: Planned, day: date, deadline: date | None, fee: FeeOutcome
) -> dict[str, Any]:
    step = planned.step
    unrolled = day + timedelta(days=step.deadline_days) if step.deadline_days is not None else None
    return {
        "due_date": case.oldest.due_date.isoformat(),
        "anchor": step.timing.after,
        "anchor_date": planned.anchor_date.isoformat(),
        "days": step.timing.days,
        "planned_date": planned.day.isoformat(),
        "deadline_days": step.deadline_days,
        "deadline_unrolled": unrolled.isoformat() if unrolled else None,
        "deadline_date": deadline.isoformat() if deadline else None,
        "open_ore": case.open_ore,
        "claims": [str(c.claim_id) for c in case.claims],
        "fee_basis": step.fee.basis,
        "fee_ore": fee.amount_ore,
        "fee_legal_basis": fee.legal_basis,
        **{f"fee_{k}": v for k, v in fee.figures.items()},
        "channel": step.channel,
        "enforcement": step.enforcement,
    }
