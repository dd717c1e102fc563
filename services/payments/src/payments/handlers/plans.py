"""Instalment plans: stored when dunning agrees one; a daily check reports missed instalments."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from contracts.envelope import Envelope
from payments.db import tables as t
from payments.domain.plans import Instalment, missed_instalments
from payments.handlers.accounts import CONSUMERS
from payments.handlers.common import Office
from payments.mapping import instalment_missed
from rules.calendar import oslo_today
from runtime.db import UnitOfWork

# Money paid on the plan's claims since the plan was agreed (less what was handed back).
_PLANS_DUE = """
    SELECT p.plan_id, p.case_id, p.municipality, coalesce((
        SELECT sum(CASE WHEN x.kind = 'payment' THEN x.amount_ore ELSE -x.amount_ore END)
        FROM posting x WHERE x.claim_id = ANY(p.claim_ids) AND x.booked_on >= p.agreed_on
          AND (x.kind = 'payment' OR (x.kind = 'overpayment_credit'
               AND x.debit_account IN ('creditor:principal', 'creditor:interest', 'office:fees')))
    ), 0) AS paid_ore
    FROM plan p
    WHERE EXISTS (SELECT 1 FROM instalment i WHERE i.plan_id = p.plan_id
                  AND i.missed_reported_at IS NULL AND i.due_date < :today)
    ORDER BY p.plan_id
"""


async def record_plan(uow: UnitOfWork, envelope: Envelope[Any], *, office: Office) -> bool:
    """Keep an agreed plan's schedule (``cases.plan_agreed.v1``); False if known already."""
    if not await uow.first_delivery(CONSUMERS[envelope.type], envelope.id, envelope.type):
        return False
    plan = envelope.payload
    inserted = await uow.conn.execute(
        pg.insert(t.plan)
        .values(plan_id=plan.plan_id, case_id=plan.case_id, municipality=envelope.tenant,
                debtor_ref=plan.debtor_ref, claim_ids=list(plan.claim_ids),
                agreed_on=oslo_today(plan.agreed_at), agreed_at=plan.agreed_at)
        .on_conflict_do_nothing()
        .returning(t.plan.c.plan_id)
    )  # fmt: skip
    if inserted.first() is None:
        return False
    rows = [
        {"plan_id": plan.plan_id, "number": n, "due_date": i.due_date, "amount_ore": i.amount_ore}
        for n, i in enumerate(sorted(plan.instalments, key=lambda i: i.due_date), start=1)
    ]
    await uow.conn.execute(sa.insert(t.instalment), rows)
    return True


async def check_plans(uow: UnitOfWork, today: date) -> list[dict[str, Any]]:
    """Report every instalment missed by ``today`` exactly once (``plans.instalment_missed.v1``)."""
    reported = []
    for plan in (await uow.conn.execute(sa.text(_PLANS_DUE), {"today": today})).all():
        schedule = await _schedule(uow, plan.plan_id)
        for missed in missed_instalments(list(schedule), int(plan.paid_ore), today):
            if not await _mark_reported(uow, plan.plan_id, missed.instalment.number):
                continue
            payload = instalment_missed(plan.plan_id, plan.case_id, missed, uow.clock())
            uow.add_event(
                "plans.instalment_missed.v1",
                tenant=plan.municipality,
                subject=str(plan.case_id),
                payload=payload,
            )
            reported.append(payload.model_dump(mode="json"))
    return reported


async def _schedule(uow: UnitOfWork, plan_id: Any) -> list[Instalment]:
    query = sa.select(t.instalment).where(t.instalment.c.plan_id == plan_id)
    rows = (await uow.conn.execute(query)).all()
    return [Instalment(r.number, r.due_date, r.amount_ore) for r in rows]


async def _mark_reported(uow: UnitOfWork, plan_id: Any, number: int) -> bool:
    i = t.instalment
    updated = await uow.conn.execute(
        sa.update(i)
        .where(i.c.plan_id == plan_id, i.c.number == number, i.c.missed_reported_at.is_(None))
        .values(missed_reported_at=uow.clock())
        .returning(i.c.number)
    )
    return updated.first() is not None
