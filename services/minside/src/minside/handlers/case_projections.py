"""Read models of cases and letters: steps, pauses, plans, and the notices they send.

A case event names the case, not always its claims or debtor; ``case_claim`` links them as
soon as any event names both, so the claim's story is complete whatever arrived first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from minside import db
from minside.handlers.upserts import insert, keep, link, upsert


async def case_opened(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    values = {
        "case_id": p.case_id,
        "debtor_ref": p.debtor_ref,
        "municipality": p.municipality,
        "opened_at": p.opened_at,
    }
    await upsert(conn, db.case_view, "case_id", values)
    await link(conn, p.case_id, p.claim_ids)


async def _case_event(conn: AsyncConnection, e: Envelope[Any], **values: Any) -> None:
    row = {"event_id": e.id, "case_id": e.payload.case_id} | values
    await conn.execute(pg.insert(db.case_event).values(row).on_conflict_do_nothing())


async def step_taken(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    await link(conn, p.case_id, p.claim_ids)
    await _case_event(
        conn,
        e,
        kind="step",
        step_kind=p.step_kind,
        sent_date=p.sent_date,
        deadline_date=p.deadline_date,
        fee_ore=p.fee_ore,
        occurred_at=p.taken_at,
    )


async def case_paused(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    await _case_event(
        conn, e, kind="paused", reason=p.reason, until_date=p.until, occurred_at=p.paused_at
    )


async def case_resumed(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    await _case_event(conn, e, kind="resumed", reason=p.reason, occurred_at=p.resumed_at)


async def case_closed(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    await _case_event(conn, e, kind="closed", reason=p.reason, occurred_at=p.closed_at)


async def plan_agreed(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    row = {
        "plan_id": p.plan_id,
        "case_id": p.case_id,
        "debtor_ref": p.debtor_ref,
        "claim_ids": list(p.claim_ids),
        "instalments": [i.model_dump(mode="json") for i in p.instalments],
        "agreed_at": p.agreed_at,
    }
    await conn.execute(pg.insert(db.plan_view).values(row).on_conflict_do_nothing())
    await link(conn, p.case_id, p.claim_ids)
    await _case_event(conn, e, kind="plan_agreed", occurred_at=p.agreed_at)


async def notice_requested(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p = e.payload
    values = {
        "notice_id": p.notice_id,
        "case_id": p.case_id,
        "debtor_ref": p.debtor_ref,
        "step_kind": p.step_kind,
        "claim_ids": [c.claim_id for c in p.claims],
        "total_ore": p.total_ore,
        "sent_date": p.sent_date,
        "deadline_date": p.deadline_date,
        "requested_at": p.requested_at,
    }
    await upsert(conn, db.notice_view, "notice_id", values)
    await link(conn, p.case_id, values["claim_ids"])


async def notice_delivered(conn: AsyncConnection, e: Envelope[Any]) -> None:
    p, t = e.payload, db.notice_view
    values = {
        "notice_id": p.notice_id,
        "case_id": p.case_id,
        "document_id": p.document_id,
        "channel": p.channel,
        "delivered_at": p.delivered_at,
    }
    stmt = insert(t, values)
    update = {k: keep(t, k, stmt) for k in values if k != "notice_id"}
    await conn.execute(stmt.on_conflict_do_update(index_elements=["notice_id"], set_=update))
