"""Pauses and plans: disputes, deferrals, instalment plans and their breach, failed letters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from dunning import db, mapping, queries
from dunning.domain import plans
from dunning.domain.catalogue import Catalogue
from dunning.domain.errors import Violation
from dunning.handlers.common import Actor, log, pause, queue, reschedule, today, unpause
from dunning.records import CaseRecord
from rules.rates import Rates
from runtime.db import UnitOfWork

CLOSED = ("closed",)


async def cases_of_claims(
    uow: UnitOfWork, claim_ids: list[UUID], debtor_ref: str, municipality: str
) -> list[CaseRecord]:
    """The open cases holding any of ``claim_ids`` of this debtor in this municipality, locked."""
    c = db.case_claim.c
    query = sa.select(c.case_id).where(c.claim_id.in_(claim_ids)).distinct()
    found = []
    for case_id in sorted((await uow.conn.execute(query)).scalars(), key=str):
        case = await queries.case_for_update(uow.conn, case_id, frozenset({municipality}))
        # A request names the debtor: someone else's claim is never touched.
        if case is not None and case.debtor_ref == debtor_ref and case.status not in CLOSED:
            found.append(case)
    return found


async def raise_dispute(uow: UnitOfWork, case: CaseRecord, text: str, actor: Actor) -> None:
    """Innsigelse: the case pauses until a caseworker decides (inkassoloven § 10 doubt)."""
    await pause(uow, case, "dispute", actor=actor, note=text[:500])
    details = {"text": text, "raised_by": actor.name}
    await queue(uow, case, "dispute", "dispute", "Innsigelse fra skyldner", details)


async def defer(
    uow: UnitOfWork, case: CaseRecord, until: date, catalogue: Catalogue, actor: Actor, note: str
) -> None:
    """Utsettelse: no step before ``until``."""
    await uow.conn.execute(
        sa.update(db.dunning_case).where(db.dunning_case.c.id == case.id).values(hold_until=until)
    )
    await reschedule(uow, case.id, catalogue)
    await log(uow, case.id, "paused", {"reason_code": "deferral", "reason": note}, actor)
    uow.add_event(
        "cases.paused.v1",
        tenant=case.municipality,
        subject=case.subject,
        payload=mapping.paused_event(case.id, "deferral", until, uow.clock()),
    )


def open_total(case: CaseRecord, day: date, rates: Rates) -> int:
    """Principal, interest through ``day`` and fees still owed on the case."""
    return sum(
        c.principal_ore + mapping.interest_due(c, day, rates) + case.fees_outstanding(c)
        for c in case.claims
    )


async def last_broken_plan(uow: UnitOfWork, debtor_ref: str) -> date | None:
    p = db.plan.c
    query = sa.select(sa.func.max(p.broken_on)).where(p.debtor_ref == debtor_ref)
    broken: date | None = (await uow.conn.execute(query)).scalar_one_or_none()
    return broken


async def propose_plan(
    uow: UnitOfWork,
    case: CaseRecord,
    catalogue: Catalogue,
    *,
    first_due: date,
    monthly_ore: int | None,
    months: int | None,
    rates: Rates,
) -> tuple[tuple[plans.Instalment, ...], list[Violation]]:
    """The schedule a request asks for, and the policy limits it breaks."""
    policy = catalogue.effective(case.policy_id, case.policy_version, case.history)
    day = today(uow)
    schedule = plans.schedule(
        open_total(case, day, rates), first_due, monthly_ore=monthly_ore, months=months
    )
    broken = await last_broken_plan(uow, case.debtor_ref)
    return schedule, plans.check_plan(schedule, policy.plan_limits, today=day, last_broken=broken)


async def agree_plan(
    uow: UnitOfWork,
    case: CaseRecord,
    schedule: tuple[plans.Instalment, ...],
    *,
    actor: Actor,
    request_id: UUID | None = None,
) -> UUID:
    """A plan in force: the flow pauses while it is kept (``cases.plan_agreed.v1``)."""
    plan_id = uuid4()
    await uow.conn.execute(
        sa.insert(db.plan).values(
            id=plan_id,
            case_id=case.id,
            debtor_ref=case.debtor_ref,
            status="active",
            instalments=[[i.due_date.isoformat(), i.amount_ore] for i in schedule],
            request_id=request_id,
            agreed_by=actor.subject,
            agreed_at=uow.clock(),
        )
    )
    await pause(uow, case, "plan", actor=actor)
    await log(uow, case.id, "plan_agreed", {"count": len(schedule)}, actor)
    uow.add_event(
        "cases.plan_agreed.v1",
        tenant=case.municipality,
        subject=case.subject,
        payload=mapping.plan_event(plan_id, case, schedule, uow.clock()),
    )
    return plan_id


def schedule_json(schedule: tuple[plans.Instalment, ...]) -> list[dict[str, Any]]:
    return [{"due_date": i.due_date.isoformat(), "amount_ore": i.amount_ore} for i in schedule]


def schedule_from_json(rows: list[dict[str, Any]]) -> tuple[plans.Instalment, ...]:
    return tuple(plans.Instalment(date.fromisoformat(r["due_date"]), r["amount_ore"]) for r in rows)


async def break_plan(uow: UnitOfWork, plan_id: UUID, detected: date, catalogue: Catalogue) -> None:
    """A missed instalment ends the plan; the flow resumes after the policy's grace period."""
    p = db.plan.c
    row = (
        await uow.conn.execute(
            sa.update(db.plan)
            .where(p.id == plan_id, p.status == "active")
            .values(status="broken", broken_on=detected)
            .returning(p.case_id)
        )
    ).first()
    case = await queries.case_for_update(uow.conn, row.case_id) if row else None
    if case is None:
        return
    policy = catalogue.effective(case.policy_id, case.policy_version, case.history)
    grace = policy.plan_limits.grace_days_after_missed
    await log(uow, case.id, "plan_broken", {"grace_days": grace})
    hold = detected + timedelta(days=grace)
    await unpause(uow, case, "plan", catalogue, note="avdrag ikke betalt", hold_until=hold)


async def delivery_failed(
    uow: UnitOfWork, notice_id: UUID, reason: str, permanent: bool, channel: str | None
) -> None:
    """A letter that did not arrive goes to a caseworker; a permanent failure pauses the case."""
    s = db.step.c
    query = sa.select(s.case_id, s.kind, s.sent_date).where(s.notice_id == notice_id)
    step = (await uow.conn.execute(query)).first()
    case = await queries.case_for_update(uow.conn, step.case_id) if step else None
    if step is None or case is None:
        return
    details = {
        "notice_id": str(notice_id),
        "step_kind": step.kind,
        "reason": reason,
        "channel": channel,
        "permanent": permanent,
    }
    await log(uow, case.id, "delivery_failed", {"reason": reason})
    await queue(
        uow, case, "delivery_failed", "delivery_failed", f"Brevet kom ikke fram: {reason}", details
    )
    if permanent:
        await pause(uow, case, "caseworker", note=reason)
