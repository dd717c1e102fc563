"""State changes of a dispatch, each its own short transaction: claim, delivered, failed, later.

Events go through the outbox in the same transaction as the change they announce; a repeat
finds the row already changed (``only_if_status``) and announces nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from notification import db
from notification.adapters.errors import ProviderError, ProviderReceipt, TransientError
from notification.domain.channels import Route
from notification.domain.errors import problem
from notification.handlers.sending import Dispatcher, describe
from notification.mapping import delivered_event, failed_event

log = logging.getLogger(__name__)


async def claim(d: Dispatcher, row: Any, route: Route, kind: str) -> Any:
    now = d.uow().clock()
    values = {
        "notice_id": row.id,
        "kind": kind,
        "channel": route.channel,
        "status": "sending",
        "route_reason": route.reason,
        "created_at": now,
        "updated_at": now,
    }
    async with d.uow() as uow:
        claimed = await db.claim_delivery(uow.conn, values)
        await uow.commit()
    return claimed


async def record_delivered(
    d: Dispatcher, row: Any, live: Any, receipt: ProviderReceipt, attempts: int
) -> None:
    async with d.uow() as uow:
        now = uow.clock()
        done = await db.update_delivery(
            uow.conn,
            live.id,
            only_if_status="sending",
            status="delivered",
            receipt="delivered",
            provider_ref=receipt.provider_ref,
            attempts=live.attempts + attempts,
            delivered_at=now,
            updated_at=now,
        )
        if done is None:
            return
        await uow.conn.execute(
            db.receipt.insert().values(
                delivery_id=live.id, kind="delivered", detail=receipt.status, received_at=now
            )
        )
        await db.update_notice(
            uow.conn, row.id, only_if_status="accepted", status="delivered", updated_at=now
        )
        payload = delivered_event(row.id, row.case_id, live.channel, row.document_id, now)
        uow.add_event(
            "notices.delivered.v1",
            tenant=row.municipality,
            subject=str(row.case_id),
            payload=payload,
        )
        await uow.commit()


async def mark_delivery(d: Dispatcher, delivery_id: int, **values: Any) -> None:
    async with d.uow() as uow:
        await db.update_delivery(uow.conn, delivery_id, updated_at=uow.clock(), **values)
        await uow.commit()


async def fail(
    d: Dispatcher, row: Any, live: Any, reason: Any, error: ProviderError | None = None
) -> None:
    async with d.uow() as uow:
        now = uow.clock()
        if live is not None:
            await db.update_delivery(
                uow.conn,
                live.id,
                status="failed",
                updated_at=now,
                error_code=error.code if error else reason.code,
                error_message=reason.message,
            )
        updated = await db.update_notice(
            uow.conn,
            row.id,
            only_if_status="accepted",
            status="failed",
            updated_at=now,
            failure_code=reason.code,
            failure_reason=reason.message,
        )
        if updated is not None:
            channel = live.channel if live is not None else None
            payload = failed_event(row.id, row.case_id, [reason], now, channel)
            uow.add_event(
                "notices.failed.v1",
                tenant=row.municipality,
                subject=str(row.case_id),
                payload=payload,
            )
        await uow.commit()


async def postpone(d: Dispatcher, row: Any, error: TransientError) -> str:
    attempts = row.dispatch_attempts + 1
    if attempts >= d.max_dispatch_attempts:
        live = next(iter(await live_letters(d, row.id)), None)
        await fail(d, row, live, problem("delivery.unavailable", describe(error)), error)
        return "failed"
    async with d.uow() as uow:
        now = uow.clock()
        later = now + timedelta(seconds=d.redispatch_seconds * 2 ** (attempts - 1))
        await db.update_notice(
            uow.conn,
            row.id,
            only_if_status="accepted",
            dispatch_attempts=attempts,
            next_attempt_at=later,
            updated_at=now,
            failure_reason=describe(error),
        )
        await uow.commit()
    log.warning("notice %s postponed after a transient error (%s)", row.id, error.code)
    return "accepted"


async def live_letters(d: Dispatcher, notice_id: UUID) -> list[Any]:
    async with d.uow() as uow:
        rows = await db.deliveries_of(uow.conn, notice_id)
    return [r for r in rows if r.kind == "letter" and r.status == "sending"]
