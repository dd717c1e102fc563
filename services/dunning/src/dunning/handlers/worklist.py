"""The caseworkers' work list: list, assign and decide exceptions; every decision recorded."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from dunning import db, queries
from dunning.domain.catalogue import Catalogue
from dunning.domain.errors import refuse
from dunning.domain.facts import history_to_json
from dunning.domain.flow import skip
from dunning.handlers.common import activate, close, log, reschedule, today, unpause
from dunning.handlers.pauses import agree_plan, defer, schedule_from_json
from dunning.handlers.staff import actor
from dunning.records import CaseRecord
from runtime.auth import StaffPrincipal
from runtime.db import UnitOfWork

DECISIONS: dict[str, frozenset[str]] = {
    "dispute": frozenset({"resume", "close"}),
    "plan_outside_policy": frozenset({"grant", "reject"}),
    "deferral_outside_policy": frozenset({"grant", "reject"}),
    "delivery_failed": frozenset({"resume", "close"}),
    "blocked_step": frozenset({"retry", "skip", "close"}),
    "handover": frozenset({"handed_over", "close"}),
    "payment_reversed": frozenset({"resume", "close"}),
}
_W = db.work_item


async def item_in_scope(uow: UnitOfWork, item_id: UUID, staff: StaffPrincipal) -> Any:
    query = sa.select(_W).where(
        _W.c.id == item_id, _W.c.municipality.in_(sorted(staff.municipalities))
    )
    item = (await uow.conn.execute(query.with_for_update())).first()
    if item is None:
        raise refuse("worklist.item_not_found")
    return item


async def assign(
    uow: UnitOfWork, item_id: UUID, staff: StaffPrincipal, to: str | None, to_name: str | None
) -> None:
    """Give the item to a caseworker (``to``) or take it oneself."""
    item = await item_in_scope(uow, item_id, staff)
    if item.status != "open":
        raise refuse("worklist.item_decided")
    await uow.conn.execute(
        sa.update(_W)
        .where(_W.c.id == item_id)
        .values(
            assigned_to=to or staff.subject,
            assigned_name=to_name or (staff.name if to is None else to),
            assigned_at=uow.clock(),
        )
    )


async def decide(
    uow: UnitOfWork,
    item_id: UUID,
    decision: str,
    reason: str,
    staff: StaffPrincipal,
    catalogue: Catalogue,
) -> None:
    """Decide an open item; the case resumes, closes or goes on as the decision says."""
    item = await item_in_scope(uow, item_id, staff)
    if item.status != "open":
        raise refuse("worklist.item_decided")
    if decision not in DECISIONS.get(item.kind, frozenset()):
        allowed = ", ".join(sorted(DECISIONS.get(item.kind, ())))
        raise refuse("worklist.decision_invalid", f"{item.kind}: {allowed}")
    case = await queries.case_for_update(uow.conn, item.case_id)
    if case is None or case.status == "closed":
        raise refuse("case.closed")
    await uow.conn.execute(
        sa.update(_W)
        .where(_W.c.id == item_id)
        .values(
            status="decided",
            decision=decision,
            decision_reason=reason,
            decided_by=staff.subject,
            decided_name=staff.name,
            decided_at=uow.clock(),
        )
    )
    details = {"kind": item.kind, "decision": decision, "reason": reason}
    await log(uow, case.id, "decided", details, actor(staff))
    await _carry_out(uow, item, decision, reason, case, staff, catalogue)


async def _carry_out(
    uow: UnitOfWork,
    item: Any,
    decision: str,
    reason: str,
    case: CaseRecord,
    staff: StaffPrincipal,
    catalogue: Catalogue,
) -> None:
    who = actor(staff)
    if decision == "close":
        await close(uow, case, "stopped", who)
    elif decision == "handed_over":
        await close(uow, case, "handed_over", who)
    elif item.kind == "dispute":
        await unpause(uow, case, "dispute", catalogue, actor=who, note=reason)
    elif item.kind == "blocked_step":
        if decision == "skip":
            await _skip_step(uow, case, catalogue)
        await activate(uow, case, catalogue, who, reason)
    else:
        if decision == "grant" and item.kind == "plan_outside_policy":
            schedule = schedule_from_json(item.details["schedule"])
            await agree_plan(uow, case, schedule, actor=who)
        if decision == "grant" and item.kind == "deferral_outside_policy":
            until = date.fromisoformat(item.details["until"])
            await defer(uow, case, until, catalogue, who, reason)
        await unpause(uow, case, "caseworker", catalogue, actor=who, note=reason)


async def _skip_step(uow: UnitOfWork, case: CaseRecord, catalogue: Catalogue) -> None:
    policy = catalogue.effective(case.policy_id, case.policy_version, case.history)
    facts = skip(case.facts(), policy, today(uow))
    await uow.conn.execute(
        sa.update(db.dunning_case)
        .where(db.dunning_case.c.id == case.id)
        .values(history=history_to_json(facts.history))
    )
    await reschedule(uow, case.id, catalogue)
