"""Deliver an accepted notice: choose the channel at dispatch, send at most once, record.

The delivery row (unique per notice and channel) is committed before the provider is called;
the provider recognises a resend by our key, so a redelivered event, the sweeper and a restart
between "sent" and "recorded" all end with one letter and one ``notices.delivered.v1``.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from notification import db
from notification.adapters.errors import (
    PermanentError,
    ProviderReceipt,
    TransientError,
)
from notification.domain.channels import ContactInfo, Route, choose_route
from notification.domain.errors import REASONS, NoticeProblem, problem
from notification.handlers import alerts, outcomes, sending
from notification.handlers.sending import Dispatcher, Letter, lookup_contact, with_retry
from notification.mapping import notice_from_message
from runtime.personal_data import SealError, open_sealed

log = logging.getLogger(__name__)
FALLBACK = Route("svarut", "Digipost does not know the recipient: SvarUt delivers or prints")


async def deliver_notice(d: Dispatcher, notice_id: UUID) -> str:
    """Deliver one notice if it still awaits delivery; returns the notice's status after."""
    loaded = await _load(d, notice_id)
    if loaded is None or loaded[0].status != "accepted":
        return loaded[0].status if loaded else "unknown"
    row, deliveries, title, pdf = loaded
    try:
        identity = open_sealed(d.keys, row.debtor_sealed) if row.debtor_sealed else None
    except SealError:
        await outcomes.fail(d, row, None, problem("delivery.identity_unreadable"))
        return "failed"
    notice = notice_from_message(row.message)
    letter = Letter(notice, str(row.document_id), title, pdf, identity)
    contact: list[ContactInfo | None] = []
    live = next((r for r in deliveries if r.kind == "letter" and r.status != "failed"), None)
    try:
        if live is None:
            contact.append(await lookup_contact(d, row, identity))
            live = await outcomes.claim(d, row, _route(row, identity, contact[0]), "letter")
        live, receipt, attempts = await _send_with_fallback(d, row, letter, live, contact)
    except PermanentError as error:
        await outcomes.fail(d, row, live, _refusal(error), error)
        return "failed"
    except TransientError as error:
        return await outcomes.postpone(d, row, error)
    await outcomes.record_delivered(d, row, live, receipt, attempts)
    await alerts.send_alert(d, row, letter, live.channel, contact)
    return "delivered"


def _refusal(error: PermanentError) -> NoticeProblem:
    """Our own refusals keep their code; a provider's is ``delivery.rejected`` with its words."""
    own = f"delivery.{error.code}"
    if error.provider == "kravflyt" and own in REASONS:
        return problem(own, error.message)
    return problem("delivery.rejected", sending.describe(error))


def _route(row: Any, identity: str | None, contact: ContactInfo | None) -> Route:
    return choose_route(
        step_kind=row.step_kind,
        debtor_kind=row.debtor_kind,
        has_identity=identity is not None,
        contact=contact,
    )


async def _load(d: Dispatcher, notice_id: UUID) -> tuple[Any, list[Any], str, bytes] | None:
    """The notice, its deliveries, and its letter's title and bytes, in one transaction."""
    async with d.uow() as uow:
        row = await db.notice_by_id(uow.conn, notice_id)
        if row is None or row.status != "accepted":
            return (row, [], "", b"") if row is not None else None
        deliveries = await db.deliveries_of(uow.conn, notice_id)
        document = await db.document_by_id(uow.conn, row.document_id)
        pdf = await d.store.get(uow.conn, row.document_id)
    assert document is not None and pdf is not None, "an accepted notice has its letter"
    return row, deliveries, document.title, pdf


async def _send_with_fallback(
    d: Dispatcher, row: Any, letter: Letter, live: Any, contact: list[ContactInfo | None]
) -> tuple[Any, ProviderReceipt, int]:
    try:
        receipt, attempts = await _send(d, row, letter, live, contact)
        return live, receipt, attempts
    except PermanentError as error:
        if live.channel != "digipost" or error.code != "UNKNOWN_RECIPIENT":
            raise
        await outcomes.mark_delivery(
            d, live.id, status="failed", error_code=error.code, error_message=error.message
        )
        live = await outcomes.claim(d, row, FALLBACK, "letter")
        receipt, attempts = await _send(d, row, letter, live, contact)
        return live, receipt, attempts


async def _send(
    d: Dispatcher, row: Any, letter: Letter, live: Any, contact: list[ContactInfo | None]
) -> tuple[ProviderReceipt, int]:
    p = d.providers
    if live.channel == "digipost":
        return await with_retry(d.retry, lambda: sending.send_digipost(p, letter))
    if live.channel in ("svarut", "print"):
        sending.svarut_recipient(letter)  # refuses a letter without a postal address up front
        reserved = live.provider_ref or await _reserve_svarut_id(d, live)
        return await with_retry(
            d.retry, lambda: sending.send_svarut(p, letter, reserved, channel=live.channel)
        )
    if not contact:
        contact.append(await lookup_contact(d, row, letter.identity))
    to = alerts.address_for(live.channel, contact[0])
    body = alerts.texts_for(d, letter)["sms"]
    key = f"{row.id}:{live.channel}"
    return await with_retry(
        d.retry,
        lambda: sending.send_message(
            p, live.channel, key=key, reference=str(row.id), to=to, subject=letter.title, body=body
        ),
    )


async def _reserve_svarut_id(d: Dispatcher, live: Any) -> str:
    fresh, _ = await with_retry(d.retry, d.providers.svarut.reserve_id)
    async with d.uow() as uow:
        updated = await db.update_delivery(
            uow.conn, live.id, only_if_status="sending", provider_ref=fresh
        )
        if updated is None or updated.provider_ref != fresh:
            updated = next(
                r for r in await db.deliveries_of(uow.conn, live.notice_id) if r.id == live.id
            )
        await uow.commit()
    return str(updated.provider_ref or fresh)
