"""Paying with Vipps: one payment per pay form, however often it is submitted."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from contracts.http.payments import VippsPaymentOrder
from minside import db
from minside.clients import PaymentsClient
from runtime.db import UnitOfWork


class AttemptConflict(Exception):
    """The pay form token belongs to another person."""


async def start_vipps(
    uow: UnitOfWork,
    payments: PaymentsClient,
    *,
    debtor_ref: str,
    form_token: str,
    claim_ids: list[UUID],
    amount_ore: int,
    return_url: str,
) -> str:
    """The Vipps URL for this pay form; payments sees the form token as idempotency key."""
    t = db.payment_attempt
    async with uow:
        await uow.conn.execute(
            pg.insert(t)
            .values(
                form_token=form_token,
                debtor_ref=debtor_ref,
                claim_ids=claim_ids,
                amount_ore=amount_ore,
                created_at=uow.clock(),
            )
            .on_conflict_do_nothing()
        )
        attempt = (await uow.conn.execute(sa.select(t).where(t.c.form_token == form_token))).one()
        await uow.commit()
    if attempt.debtor_ref != debtor_ref:
        raise AttemptConflict(form_token)
    if attempt.redirect_url:
        return str(attempt.redirect_url)
    # The stored attempt decides what is paid, so a retry cannot change the amount.
    order = VippsPaymentOrder(
        debtor_ref=debtor_ref,
        claim_ids=list(attempt.claim_ids),
        amount_ore=attempt.amount_ore,
        return_url=return_url,
    )
    payment = await payments.start_vipps(order, idempotency_key=form_token)
    async with uow:
        await uow.conn.execute(
            sa.update(t)
            .where(t.c.form_token == form_token)
            .values(redirect_url=payment.redirect_url)
        )
        await uow.commit()
    return payment.redirect_url
