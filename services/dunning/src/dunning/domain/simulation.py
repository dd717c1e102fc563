"""The dry run: what a policy would do to a case over the coming days, with the run's own flow.

Each day it asks :func:`flow.decide` exactly as the daily run does and moves on the way the
run does (:func:`flow.next_action`), so the same case on the same date gives the same letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dunning.domain.facts import CaseFacts
from dunning.domain.flow import Block, Take, Wait, apply, decide, next_action
from dunning.domain.policy import Policy


@dataclass(frozen=True)
class Simulated:
    """One thing the run would do: take a step, or block on one."""

    day: date
    take: Take | None = None
    block: Block | None = None


def simulate_case(case: CaseFacts, policy: Policy, start: date, days: int) -> list[Simulated]:
    """Steps taken (and a block, if one comes) from ``start`` through ``days`` days."""
    end = start + timedelta(days=days - 1)
    day, found = start, []
    while day <= end:
        decision = decide(case, policy, day)
        if isinstance(decision, Take):
            found.append(Simulated(day, take=decision))
            case = apply(case, decision)
            following, _ = next_action(case, policy, day)
            if following is None:
                break
            day = following
        elif isinstance(decision, Wait):
            day = decision.until
        else:
            if isinstance(decision, Block):
                found.append(Simulated(day, block=decision))
            break
    return found
