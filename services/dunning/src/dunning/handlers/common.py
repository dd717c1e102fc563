"""What every use case does to a case: log, pause, resume, close, reschedule, queue work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from dunning import db, mapping
from dunning.domain.catalogue import Catalogue
from dunning.domain.flow import next_planned
from dunning.queries import load_cases
from dunning.records import CaseRecord
from rules.calendar import oslo_today
from runtime.db import UnitOfWork

SYSTEM = "kravflyt-dunning"
# Pausing stops the automated flow; handed-over and stopped cases stay as they are.
PAUSABLE = ("active", "paused", "blocked")


@dataclass(frozen=True)
class Actor:
    """Who did something: a caseworker (subject and name) or the system."""

    subject: str = SYSTEM
    name: str = "Kravflyt"


def today(uow: UnitOfWork) -> date:
    return oslo_today(uow.clock())


async def log(
    uow: UnitOfWork, case_id: UUID, kind: str, details: dict[str, Any], actor: Actor | None = None
) -> None:
    """One entry of the case's trail (what ``explain`` tells)."""
    await uow.conn.execute(
        sa.insert(db.case_log).values(
            case_id=case_id,
            kind=kind,
            actor=actor.subject if actor else None,
            actor_name=actor.name if actor else None,
            details=details,
            at=uow.clock(),
        )
    )


async def queue(
    uow: UnitOfWork, case: CaseRecord, kind: str, code: str, summary: str, details: dict[str, Any]
) -> UUID | None:
    """Open a work item unless one of this kind is already open for the case."""
    item_id = uuid4()
    stmt = (
        pg.insert(db.work_item)
        .values(
            id=item_id,
            case_id=case.id,
            municipality=case.municipality,
            kind=kind,
            status="open",
            code=code,
            summary=summary,
            details=details,
            created_at=uow.clock(),
        )
        .on_conflict_do_nothing(
            index_elements=["case_id", "kind"], index_where=sa.text("status = 'open'")
        )
        .returning(db.work_item.c.id)
    )
    item: UUID | None = (await uow.conn.execute(stmt)).scalar_one_or_none()
    return item


async def pause(
    uow: UnitOfWork,
    case: CaseRecord,
    reason: str,
    *,
    until: date | None = None,
    actor: Actor | None = None,
    note: str = "",
) -> bool:
    """Stop automated steps for ``reason`` (several may hold at once); True if newly paused."""
    c = db.dunning_case.c
    changed = await uow.conn.execute(
        sa.update(db.dunning_case)
        .where(c.id == case.id, c.status.in_(PAUSABLE), sa.not_(c.paused_for.contains([reason])))
        .values(status="paused", paused_for=sa.func.array_append(c.paused_for, reason))
        .returning(c.id)
    )
    if changed.first() is None:
        return False
    await log(uow, case.id, "paused", {"reason_code": reason, "reason": note}, actor)
    uow.add_event(
        "cases.paused.v1",
        tenant=case.municipality,
        subject=case.subject,
        payload=mapping.paused_event(case.id, reason, until, uow.clock()),
    )
    return True


async def unpause(
    uow: UnitOfWork,
    case: CaseRecord,
    reason: str,
    catalogue: Catalogue,
    *,
    actor: Actor | None = None,
    note: str = "",
    hold_until: date | None = None,
) -> bool:
    """Lift one pause reason; the flow resumes when none is left. True if it resumed."""
    c = db.dunning_case.c
    row = (
        await uow.conn.execute(
            sa.update(db.dunning_case)
            .where(c.id == case.id, c.paused_for.contains([reason]))
            .values(paused_for=sa.func.array_remove(c.paused_for, reason))
            .returning(c.paused_for, c.status)
        )
    ).first()
    if row is None:
        return False
    if hold_until is not None:
        await _update(uow, case.id, hold_until=hold_until)
    if row.paused_for or row.status != "paused":
        return False
    await _update(uow, case.id, status="active")
    await reschedule(uow, case.id, catalogue)
    await log(uow, case.id, "resumed", {"reason_code": reason, "reason": note}, actor)
    uow.add_event(
        "cases.resumed.v1",
        tenant=case.municipality,
        subject=case.subject,
        payload=mapping.resumed_event(case.id, reason, uow.clock()),
    )
    return True


async def close(uow: UnitOfWork, case: CaseRecord, reason: str, actor: Actor | None = None) -> None:
    """End the case: no further step; open work items and plans end with it."""
    if case.status == "closed":
        return
    now = uow.clock()
    await _update(
        uow,
        case.id,
        status="closed",
        closed_at=now,
        closed_reason=reason,
        next_action_date=None,
        next_step_key=None,
    )
    await uow.conn.execute(
        sa.update(db.work_item)
        .where(db.work_item.c.case_id == case.id, db.work_item.c.status == "open")
        .values(status="closed", decision="case_closed", decided_at=now, decided_by=SYSTEM)
    )
    await uow.conn.execute(
        sa.update(db.plan)
        .where(db.plan.c.case_id == case.id, db.plan.c.status == "active")
        .values(status="ended")
    )
    await log(uow, case.id, "closed", {"reason_code": reason}, actor)
    # Every claim the case followed, ended ones too (``case.claims`` holds only the open).
    c = db.case_claim.c
    query = sa.select(c.claim_id).where(c.case_id == case.id).order_by(c.claim_id)
    claim_ids = list((await uow.conn.execute(query)).scalars())
    uow.add_event(
        "cases.closed.v1",
        tenant=case.municipality,
        subject=case.subject,
        payload=mapping.closed_event(case.id, reason, now, claim_ids),
    )


async def reschedule(uow: UnitOfWork, case_id: UUID, catalogue: Catalogue) -> None:
    """Set the case's next action from its policy and facts (after opening or resuming)."""
    [case] = await load_cases(uow.conn, [case_id])
    policy = catalogue.effective(case.policy_id, case.policy_version, case.history)
    planned = next_planned(case.facts(), policy)
    await _update(
        uow,
        case_id,
        next_action_date=planned.day if planned else None,
        next_step_key=planned.step.key if planned else None,
    )


async def _update(uow: UnitOfWork, case_id: UUID, **values: Any) -> None:
    await uow.conn.execute(
        sa.update(db.dunning_case).where(db.dunning_case.c.id == case_id).values(**values)
    )


async def activate(
    uow: UnitOfWork,
    case: CaseRecord,
    catalogue: Catalogue,
    actor: Actor | None = None,
    note: str = "",
) -> None:
    """A blocked case goes back to the flow; its step is checked again at the next run."""
    if case.status != "blocked":
        return
    await _update(uow, case.id, status="paused" if case.paused_for else "active")
    await reschedule(uow, case.id, catalogue)
    await log(uow, case.id, "resumed", {"reason_code": "blocked", "reason": note}, actor)


async def set_status(uow: UnitOfWork, case_id: UUID, status: str) -> None:
    await _update(uow, case_id, status=status)
