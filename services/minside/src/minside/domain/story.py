"""A claim's story in plain language: what happened, and what happens next and when.

Lines are message keys with parameters; the web layer words them in the citizen's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from minside.domain.claims import Claim


@dataclass(frozen=True)
class CaseEvent:
    """A step, pause, resumption, closure or agreed plan of a case the claim belongs to."""

    kind: str
    occurred_at: datetime
    step_kind: str | None = None
    reason: str | None = None
    sent_date: date | None = None
    deadline_date: date | None = None
    until_date: date | None = None
    fee_ore: int = 0


@dataclass(frozen=True)
class Line:
    """One sentence of the story: a message key, its parameters and the day it concerns."""

    key: str
    on: date | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Paid:
    """Money allocated to the claim."""

    on: date
    amount_ore: int


def what_happened(
    claim: Claim, events: Sequence[CaseEvent], payments: Sequence[Paid]
) -> list[Line]:
    """Everything that happened to the claim, oldest first."""
    lines = [Line("story.issued", claim.issue_date, {"due": claim.due_date})]
    for e in events:
        lines += _happened(e)
    lines += [Line("story.paid", p.on, {"amount_ore": p.amount_ore}) for p in payments]
    if claim.closed_reason:
        lines.append(Line(f"story.closed.{claim.closed_reason}", claim.closed_on))
    return sorted(lines, key=lambda line: line.on or date.max)


def _happened(e: CaseEvent) -> list[Line]:
    day = e.sent_date or e.occurred_at.date()
    if e.kind == "step":
        step = Line(f"story.step.{e.step_kind}", day, {"deadline": e.deadline_date})
        return [step, Line("story.fee", day, {"fee_ore": e.fee_ore})] if e.fee_ore else [step]
    if e.kind == "paused":
        return [Line(f"story.paused.{e.reason}", day, {"until": e.until_date})]
    if e.kind == "closed":
        return [Line(f"story.case_closed.{e.reason}", day)]
    return [Line(f"story.{e.kind}", day)]


def what_happens_next(
    claim: Claim,
    events: Sequence[CaseEvent],
    today: date,
    next_instalment: Line | None = None,
) -> Line:
    """The one thing the citizen should know about the future of this claim."""
    if not claim.is_open:
        return Line("next.closed")
    status = _latest(events, ("paused", "resumed", "closed", "plan_agreed"))
    if status is not None and status.kind == "paused":
        return Line(f"next.paused.{status.reason}", params={"until": status.until_date})
    if status is not None and status.kind == "plan_agreed":
        return next_instalment or Line("next.plan")
    if status is not None and status.kind == "closed" and status.reason == "handed_over":
        return Line("next.handed_over")
    step = _latest(events, ("step",))
    if step is None:
        key = "next.pay_by_due" if claim.due_date >= today else "next.reminder_coming"
        return Line(key, claim.due_date, {"due": claim.due_date})
    deadline = step.deadline_date
    if deadline is not None and deadline >= today:
        return Line(f"next.after.{step.step_kind}", deadline, {"deadline": deadline})
    return Line("next.overdue", deadline, {"deadline": deadline})


def _latest(events: Sequence[CaseEvent], kinds: tuple[str, ...]) -> CaseEvent | None:
    chosen = [e for e in events if e.kind in kinds]
    return max(chosen, key=lambda e: e.occurred_at, default=None)


def case_status(events: Sequence[CaseEvent]) -> CaseEvent | None:
    """The event that says where the case stands now (paused, resumed, closed or plan)."""
    return _latest(events, ("paused", "resumed", "closed", "plan_agreed"))
