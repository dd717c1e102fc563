"""Loading a policy validates it against the law, with a reason per violation.

Shape and routing are checked directly; timing and fees by running the real flow for a claim
due on every day of a year (weekends, Easter and 17 May included) and checking each step as the
daily run would, so what loads is what the run can take.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from dunning.domain import kinds
from dunning.domain.checks import check_step
from dunning.domain.errors import Violation, violation
from dunning.domain.facts import CaseFacts, ClaimFacts, TakenStep
from dunning.domain.flow import next_planned
from dunning.domain.policy import DUE_DATE, Policy, PolicyInvalid, parse_policy
from rules.calendar import deadline as deadline_after

SIMULATED_DAYS = 366
_CLAIM = UUID(int=1)


def load_policy(document: Mapping[str, Any], reference: date) -> Policy:
    """Parse and validate; raises :class:`PolicyInvalid` listing every violation."""
    policy = parse_policy(document)
    problems = validate(policy, reference)
    if problems:
        raise PolicyInvalid(problems)
    return policy


def validate(policy: Policy, reference: date) -> list[Violation]:
    """Every way ``policy`` breaks the law, for claims due from ``reference`` on."""
    found = _structure(policy) + _routing(policy)
    for offset in range(SIMULATED_DAYS):
        found += _timeline(policy, reference + timedelta(days=offset))
    return list(dict.fromkeys(found))


def _structure(policy: Policy) -> list[Violation]:
    found = []
    for index, step in enumerate(policy.steps):
        if step.kind == kinds.OVERFORING and index != len(policy.steps) - 1:
            found.append(violation("policy.handover_not_last", step.key))
        if index == 0 and step.timing.after != DUE_DATE:
            found.append(
                violation("policy.malformed", step.key, "the first step follows the due date")
            )
        if step.kind == kinds.BETALINGSOPPFORDRING and not any(
            s.kind == kinds.INKASSOVARSEL for s in policy.steps[:index]
        ):
            found.append(violation("policy.betalingsoppfordring_without_inkassovarsel", step.key))
    return found


def _routing(policy: Policy) -> list[Violation]:
    private_types = sorted(t for t in policy.claim_types if kinds.is_private_law(t))
    if policy.track == kinds.PUBLIC and private_types:
        detail = f"the public-law track for {', '.join(private_types)}"
        return [violation("policy.saernamsmann_private_law", detail=detail)]
    return []


def _timeline(policy: Policy, due: date) -> list[Violation]:
    """Run the flow for one claim due on ``due``, taking each step on its planned day."""
    claim = ClaimFacts(_CLAIM, sorted(policy.claim_types)[0], due, 100_000, date.max, kid="0")
    case = CaseFacts(UUID(int=0), (claim,))
    found: list[Violation] = []
    while (planned := next_planned(case, policy)) is not None:
        step = planned.step
        deadline = (
            None if step.deadline_days is None else deadline_after(planned.day, step.deadline_days)
        )
        problems, fee = check_step(policy, step, case, planned.day, deadline)
        found += problems
        # A refused fee still counts as the policy meant it, so later limits are checked too.
        fee_ore = fee.amount_ore or (0 if step.fee.basis == "none" else 1)
        taken = TakenStep(
            len(case.history),
            step.key,
            step.kind,
            planned.day,
            deadline,
            fee_ore,
            _CLAIM if fee_ore else None,
            policy.version,
        )
        case = replace(case, history=(*case.history, taken))
    return found


__all__ = ["PolicyInvalid", "load_policy", "validate"]
