"""Loading a policy validates it against the law, with a reason per violation.

Shape and routing are checked directly; timing and fees by running the real flow for a claim
due on every day of a year (weekends, Easter and 17 May included) and checking each step as the
daily run would, so what loads is what the run can take. A consolidating policy is run as well
with a second claim falling due later, checked claim by claim.
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
from dunning.domain.flow import claim_plans, covered, lead
from dunning.domain.policy import DUE_DATE, Policy, PolicyInvalid, parse_policy
from rules.calendar import deadline as deadline_after

SIMULATED_DAYS = 366
# A consolidating policy is also run for a second claim of the debtor falling due this many
# days after the first: each claim must reach every step on its own course.
CONSOLIDATED_LATER_DAYS = (1, 30)
_CLAIM = UUID(int=1)
_SECOND = UUID(int=2)


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
        found += _timelines(policy, reference + timedelta(days=offset))
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


def _timelines(policy: Policy, due: date) -> list[Violation]:
    """A claim due on ``due``; under consolidation also with a second claim due later."""
    claim_type = sorted(policy.claim_types)[0]
    first = ClaimFacts(_CLAIM, claim_type, due, 100_000, date.max, kid="0")
    found = _timeline(policy, (first,))
    if policy.consolidate:
        for later in CONSOLIDATED_LATER_DAYS:
            second = replace(first, claim_id=_SECOND, due_date=due + timedelta(days=later))
            found += _timeline(policy, (first, second))
    return found


def _timeline(policy: Policy, claims: tuple[ClaimFacts, ...]) -> list[Violation]:
    """Run the flow for ``claims``, taking each step on its planned day for the claims it covers."""
    case = CaseFacts(UUID(int=0), claims)
    found: list[Violation] = []
    while plans := claim_plans(case, policy):
        planned = lead(plans).planned
        step = planned.step
        deadline = (
            None if step.deadline_days is None else deadline_after(planned.day, step.deadline_days)
        )
        group = tuple(p.claim for p in covered(plans, planned, planned.day))
        problems, fee = check_step(policy, step, case, group, planned.day, deadline)
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
            group[0].claim_id if fee_ore else None,
            policy.version,
            claim_ids=tuple(c.claim_id for c in group),
        )
        case = replace(case, history=(*case.history, taken))
    return found


__all__ = ["PolicyInvalid", "load_policy", "validate"]
