"""What caseworkers read: one case, its explained trail, and the work list."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning import db
from dunning.domain.errors import refuse
from dunning.domain.explain import LogEntry, StepRecord, explain, explain_step
from rules.calendar import OSLO
from runtime.auth import StaffPrincipal

PLANNED_DAYS = 14
_C = db.dunning_case.c


async def case_row(conn: AsyncConnection, case_id: UUID, staff: StaffPrincipal) -> Any:
    """The case row if the caseworker serves its municipality (else ``case.not_found``)."""
    query = sa.select(db.dunning_case).where(
        _C.id == case_id, _C.municipality.in_(sorted(staff.municipalities))
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise refuse("case.not_found")
    return row


async def case_view(conn: AsyncConnection, case_id: UUID, staff: StaffPrincipal) -> dict[str, Any]:
    """A case with its claims, steps, open work items and plans."""
    row = await case_row(conn, case_id, staff)
    claims = await _rows(conn, db.case_claim, db.case_claim.c.case_id == case_id)
    items = await _rows(conn, db.work_item, db.work_item.c.case_id == case_id)
    plans = await _rows(conn, db.plan, db.plan.c.case_id == case_id)
    fees = await _rows(conn, db.fee, db.fee.c.case_id == case_id)
    keep = ("debtor_sealed",)
    return {
        **{k: _json(v) for k, v in row._mapping.items() if k not in keep},
        "claims": [_plain(c) for c in claims],
        "steps": [_step_json(s) for s in await _steps(conn, case_id)],
        "fees": [_plain(f) for f in fees],
        "work_items": [_plain(i) for i in items],
        "plans": [_plain(p) for p in plans],
    }


async def explain_case(
    conn: AsyncConnection, case_id: UUID, staff: StaffPrincipal
) -> dict[str, Any]:
    """Every step with its rule, legal basis and facts, and every event, in plain Norwegian."""
    row = await case_row(conn, case_id, staff)
    steps = await _steps(conn, case_id)
    log = await _rows(conn, db.case_log, db.case_log.c.case_id == case_id, db.case_log.c.id)
    entries = [LogEntry(r.at, r.kind, r.actor_name, r.details) for r in log]
    return {
        "case_id": str(case_id),
        "policy_id": row.policy_id,
        "policy_version": row.policy_version,
        "status": row.status,
        "sentences": explain(steps, entries),
        "steps": [_step_json(s) for s in steps],
    }


async def work_list(
    conn: AsyncConnection,
    staff: StaffPrincipal,
    *,
    today: date,
    now: datetime,
    municipality: str | None = None,
    kind: str | None = None,
    older_than_days: int | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Open exceptions, limitation warnings and steps planned in the next 14 days."""
    served = sorted(staff.municipalities & {municipality} if municipality else staff.municipalities)
    w = db.work_item.c
    query = sa.select(db.work_item).where(w.municipality.in_(served), w.status == "open")
    if kind:
        query = query.where(w.kind == kind)
    if older_than_days is not None:
        query = query.where(w.created_at <= now - timedelta(days=older_than_days))
    found = [_item(r, now) for r in await conn.execute(query.order_by(w.created_at).limit(limit))]
    if kind in (None, "limitation") and older_than_days is None:
        found += await _limitation(conn, served, today, limit)
    if kind in (None, "planned_step") and older_than_days is None:
        found += await _planned(conn, served, today, limit)
    return found


async def _limitation(
    conn: AsyncConnection, served: list[str], today: date, limit: int
) -> list[dict[str, Any]]:
    cc = db.case_claim.c
    query = (
        sa.select(cc.claim_id, cc.case_id, cc.municipality, cc.invoice_number, cc.limitation_date)
        .where(cc.status == "open", cc.limitation_warn_date <= today, cc.municipality.in_(served))
        .order_by(cc.limitation_date)
        .limit(limit)
    )
    return [
        {
            "kind": "limitation",
            "case_id": str(r.case_id),
            "municipality": r.municipality,
            "summary": f"Krav {r.invoice_number} foreldes {r.limitation_date:%d.%m.%Y} "
            "(foreldelsesloven § 2)",
            "details": {
                "claim_id": str(r.claim_id),
                "limitation_date": r.limitation_date.isoformat(),
            },
        }
        for r in await conn.execute(query)
    ]


async def _planned(
    conn: AsyncConnection, served: list[str], today: date, limit: int
) -> list[dict[str, Any]]:
    query = (
        sa.select(_C.id, _C.municipality, _C.next_action_date, _C.next_step_key)
        .where(
            _C.status == "active",
            _C.municipality.in_(served),
            _C.next_action_date.between(today, today + timedelta(days=PLANNED_DAYS)),
        )
        .order_by(_C.next_action_date, _C.id)
        .limit(limit)
    )
    return [
        {
            "kind": "planned_step",
            "case_id": str(r.id),
            "municipality": r.municipality,
            "summary": f"Trinn «{r.next_step_key}» planlagt {r.next_action_date:%d.%m.%Y}",
            "details": {"date": r.next_action_date.isoformat(), "step": r.next_step_key},
        }
        for r in await conn.execute(query)
    ]


def _step_json(s: StepRecord) -> dict[str, Any]:
    return {
        "seq": s.seq,
        "step_kind": s.kind,
        "rule": s.rule,
        "legal_basis": s.legal_basis,
        "policy_id": s.policy_id,
        "policy_version": s.policy_version,
        "sent_date": s.sent_date.isoformat(),
        "deadline_date": s.deadline_date.isoformat() if s.deadline_date else None,
        "fee_ore": s.fee_ore,
        "facts": dict(s.facts),
        "text": explain_step(s),
    }


def _item(r: Any, now: datetime) -> dict[str, Any]:
    # Age in calendar days in Oslo: a day across a DST change is still one day.
    age = (now.astimezone(OSLO).date() - r.created_at.astimezone(OSLO).date()).days
    return _plain(r) | {"age_days": age}


async def _steps(conn: AsyncConnection, case_id: UUID) -> list[StepRecord]:
    s = db.step.c
    rows = await _rows(conn, db.step, s.case_id == case_id, s.seq)
    return [
        StepRecord(
            r.seq,
            r.kind,
            r.rule,
            r.legal_basis,
            r.policy_id,
            r.policy_version,
            r.sent_date,
            r.deadline_date,
            r.fee_ore,
            r.facts,
        )
        for r in rows
    ]


async def _rows(conn: AsyncConnection, table: sa.Table, where: Any, order: Any = None) -> list[Any]:
    query = sa.select(table).where(where)
    if order is not None:
        query = query.order_by(order)
    return list((await conn.execute(query)).all())


def _plain(row: Any) -> dict[str, Any]:
    return {k: _json(v) for k, v in row._mapping.items()}


def _json(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
