"""Receipts after hand-over: SvarUt says later whether a letter was opened, printed or refused.

Each kind of receipt is recorded once per delivery. "Opened" is announced as
``notices.delivered.v1`` (receipt ``opened``); a refused or undeliverable letter as
``notices.failed.v1`` (``delivery.returned``), so dunning puts it in its exception queue.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from notification import db
from notification.adapters.errors import ProviderError
from notification.domain.errors import problem
from notification.handlers.sending import Dispatcher
from notification.mapping import failed_event, opened_event

log = logging.getLogger(__name__)
# SvarUt's statuses (forsendelse REST v1) → our receipt kinds; the rest are still under way.
SVARUT_RECEIPTS = {
    "LEST": "opened",
    "SENDT_PRINT": "printed",
    "PRINTET": "printed",
    "SENDT_DIGITALT": "delivered",
    "LEVERT_SDP": "delivered",
    "AVVIST": "error",
    "IKKE_LEVERT": "error",
    "MANUELT_HANDTERT": "error",
}
FINAL = ("opened", "error")
WATCH_DAYS = 30


async def poll_receipts(d: Dispatcher, limit: int = 100) -> int:
    """Ask SvarUt about letters it still handles; returns how many receipts were new."""
    async with d.uow() as uow:
        now = uow.clock()
        rows = (
            await uow.conn.execute(
                sa.select(db.delivery)
                .where(db.delivery.c.channel.in_(("svarut", "print")))
                .where(db.delivery.c.status == "delivered")
                .where(sa.or_(db.delivery.c.receipt.is_(None), db.delivery.c.receipt.not_in(FINAL)))
                .where(db.delivery.c.delivered_at > now - timedelta(days=WATCH_DAYS))
                .order_by(db.delivery.c.updated_at)
                .limit(limit)
            )
        ).all()
    new = 0
    for row in rows:
        try:
            status = await d.providers.svarut.status(row.provider_ref)
        except ProviderError as error:
            log.warning("SvarUt status of delivery %s unavailable: %s", row.id, error.code)
            continue
        new += await record_receipt(d, row, SVARUT_RECEIPTS.get(status), status)
    return new


async def record_receipt(d: Dispatcher, delivery: Any, kind: str | None, detail: str) -> int:
    """Record one receipt once, and announce what dunning must know; 1 if it was new."""
    async with d.uow() as uow:
        now = uow.clock()
        await db.update_delivery(uow.conn, delivery.id, updated_at=now)
        if kind is None or kind == delivery.receipt:
            await uow.commit()
            return 0
        inserted = await uow.conn.execute(
            pg.insert(db.receipt)
            .values(delivery_id=delivery.id, kind=kind, detail=detail, received_at=now)
            .on_conflict_do_nothing()
            .returning(db.receipt.c.id)
        )
        if inserted.first() is None:
            await uow.commit()
            return 0
        await db.update_delivery(uow.conn, delivery.id, receipt=kind)
        notice = await db.notice_by_id(uow.conn, delivery.notice_id)
        _announce(uow, notice, delivery, kind, detail, now)
        await uow.commit()
    return 1


def _announce(uow: Any, notice: Any, delivery: Any, kind: str, detail: str, now: Any) -> None:
    tenant, subject = notice.municipality, str(notice.case_id)
    if kind == "opened":
        payload: Any = opened_event(
            notice.id, notice.case_id, delivery.channel, notice.document_id, now
        )
        uow.add_event("notices.delivered.v1", tenant=tenant, subject=subject, payload=payload)
    elif kind == "error":
        reason = problem(
            "delivery.returned", f"svarut {detail}: the letter did not reach the person"
        )
        payload = failed_event(notice.id, notice.case_id, [reason], now, delivery.channel)
        uow.add_event("notices.failed.v1", tenant=tenant, subject=subject, payload=payload)
