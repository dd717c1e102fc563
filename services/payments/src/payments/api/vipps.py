"""Vipps MobilePay ePayment: Min side starts a payment, Vipps' webhooks capture and book it.

``POST /v1/payments/vipps`` takes a staff-style token with the role ``minside`` (Min side's
backend holds one from the office's identity provider, naming the municipalities it serves; the
debtor is authenticated by Min side itself) and an ``Idempotency-Key``; it creates a Vipps
payment for the open amount of one claim, or of every open claim of one debtor, as of today
(booked balance + accrued interest) and answers the ``redirectUrl``.

``POST /v1/vipps/webhooks`` is called by Vipps; only a correctly signed request is read. An
``AUTHORIZED`` payment is captured; a ``CAPTURED`` one is booked through
``book_incoming_payment`` (channel and sender ``vipps``, payment key = our reference, or
``reference/n`` per claim when one payment covers several claims), so a redelivered webhook
books nothing twice.

Until payments has a table of its own for them, the created payments are kept in the
``idempotency_key`` table under the client ``vipps`` with the reference as key.
"""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations.
import json
import logging
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import NAMESPACE_URL, UUID, uuid5

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, model_validator
from sqlalchemy.dialects import postgresql as pg

from payments.api.common import idempotent, serve
from payments.db import tables as t
from payments.domain.errors import PaymentsError
from payments.files import IncomingPayment
from payments.handlers.common import Office, StoredResponse
from payments.handlers.imports import book_incoming_payment
from payments.handlers.queries import balance_as_of, debtor_balances
from payments.vipps import VippsClient, VippsConfig, VippsError, verify_webhook
from rules.calendar import oslo_today
from runtime.auth import StaffPrincipal, requires_role
from runtime.db import UnitOfWork
from runtime.idempotency import request_fingerprint
from runtime.problems import problem_response

if TYPE_CHECKING:
    from payments.bootstrap import Container

ROLE = "minside"
CHANNEL = "vipps"
STORE_CLIENT = "vipps"
log = logging.getLogger(__name__)


class VippsPaymentIn(BaseModel):
    """What to pay: one claim, or every open claim of one debtor."""

    claim_id: UUID | None = None
    debtor_ref: str | None = None
    return_url: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "VippsPaymentIn":
        if (self.claim_id is None) == (self.debtor_ref is None):
            raise ValueError("give either claim_id or debtor_ref")
        return self


def vipps_client(c: "Container") -> VippsClient:
    s = c.settings
    return VippsClient(
        VippsConfig(
            s.vipps_base_url, s.vipps_client_id, s.vipps_client_secret,
            s.vipps_subscription_key, s.vipps_msn,
        )
    )  # fmt: skip


def vipps_router(c: "Container") -> APIRouter:
    """Routes of Vipps payments."""
    router = APIRouter(tags=["vipps"])
    client = vipps_client(c)
    if c.staff is None:

        def unconfigured() -> StaffPrincipal:
            raise PaymentsError("auth.staff_not_configured")

        minside: Any = Depends(unconfigured)
    else:
        minside = Depends(requires_role(c.staff, ROLE))

    @router.post("/v1/payments/vipps", summary="Start a Vipps payment of the open amount")
    async def post_payment(
        order: VippsPaymentIn,
        request: Request,
        principal: Annotated[StaffPrincipal, minside],
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    ) -> Response:
        async def run(uow: UnitOfWork) -> StoredResponse:
            today = oslo_today(c.runtime.clock())
            parts, owner = await _open_parts(uow, order, principal, today, c.office)
            total = sum(p["amount_ore"] for p in parts)
            if total <= 0:
                return StoredResponse(409, {"code": "vipps.nothing_to_pay", "amount_ore": 0})
            # The same key always gives the same reference: a retry after a crash between
            # Vipps' answer and our commit finds Vipps' payment again instead of a second one.
            reference = f"kravflyt-{uuid5(NAMESPACE_URL, f'{principal.subject}/{idempotency_key}')}"
            try:
                created = await client.create_payment(
                    reference=reference, amount_ore=total,
                    description=f"Kravflyt {owner}"[:100],
                    return_url=order.return_url or c.settings.vipps_return_url,
                    idempotency_key=reference,
                )  # fmt: skip
            except VippsError as error:
                log.warning("vipps create failed: %s", error)
                return StoredResponse(502, {"code": "vipps.unavailable", "detail": error.detail})
            stored = {
                "reference": reference, "amount_ore": total, "parts": parts, "state": "CREATED",
                "as_of": today.isoformat(), "requested_by": principal.subject,
            }  # fmt: skip
            await _store(uow, reference, stored)
            body = {
                "reference": reference, "amount_ore": total, "as_of": today.isoformat(),
                "redirect_url": created.get("redirectUrl"), "claims": parts,
            }  # fmt: skip
            return StoredResponse(201, body)

        fingerprint = request_fingerprint("POST", request.url.path, await request.body())
        return await idempotent(c, principal.subject, idempotency_key, fingerprint, run)

    @router.post("/v1/vipps/webhooks", summary="Vipps' ePayment webhooks (signed)")
    async def post_webhook(request: Request) -> Response:
        body = await request.body()
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not verify_webhook(c.settings.vipps_webhook_secret, "POST", path, request.headers, body):
            return problem_response(
                "vipps.webhook_signature_invalid", 401, detail="The webhook signature is invalid"
            )
        try:
            event = json.loads(body)
            reference = str(event["reference"])
            name = str(event["name"]).upper()
            amount_ore = int(event["amount"]["value"])
        except (ValueError, KeyError, TypeError):
            return problem_response("vipps.webhook_malformed", 400, detail="Not an ePayment event")
        if name == "AUTHORIZED":
            return await _on_authorized(reference, amount_ore)
        if name == "CAPTURED":
            return await _on_captured(reference, amount_ore, event)
        await _set_state(reference, name)
        return JSONResponse({"reference": reference, "event": name, "handled": False})

    async def _on_authorized(reference: str, amount_ore: int) -> Response:
        async with c.runtime.uow() as uow:
            stored = await _load(uow, reference, lock=False)
        if stored is None:
            return JSONResponse({"reference": reference, "handled": False, "unknown": True})
        try:
            await client.capture(reference, amount_ore, idempotency_key=f"capture-{reference}")
        except VippsError as error:
            # Vipps delivers the webhook again on an error answer.
            return problem_response("vipps.unavailable", 502, detail=error.detail)
        await _set_state(reference, "CAPTURE_REQUESTED")
        return JSONResponse({"reference": reference, "event": "AUTHORIZED", "captured": True})

    async def _on_captured(reference: str, amount_ore: int, event: dict[str, Any]) -> Response:
        async with c.runtime.uow() as uow:
            stored = await _load(uow, reference, lock=False)
        if stored is None:
            return JSONResponse({"reference": reference, "handled": False, "unknown": True})
        today = oslo_today(c.runtime.clock())
        results = []
        for key, kid, amount in _bookings(reference, stored, amount_ore):
            # One transaction per share; the lock on the stored payment serialises redeliveries.
            async with c.runtime.uow() as uow:
                await _load(uow, reference, lock=True)
                payment = _incoming(key, kid, amount, today, event)
                results.append(
                    await book_incoming_payment(uow, payment, sender=CHANNEL, office=c.office)
                )
                await _save_state(uow, reference, "CAPTURED")
                await uow.commit()
        booked = [r for r in results if not r.get("already_booked")]
        return JSONResponse(
            {"reference": reference, "event": "CAPTURED", "booked": len(booked),
             "already_booked": len(results) - len(booked)}
        )  # fmt: skip

    async def _set_state(reference: str, state: str) -> None:
        async with c.runtime.uow() as uow:
            if await _load(uow, reference, lock=True) is not None:
                await _save_state(uow, reference, state)
            await uow.commit()

    return router


async def _open_parts(
    uow: UnitOfWork, order: VippsPaymentIn, principal: StaffPrincipal, today: date, office: Office
) -> tuple[list[dict[str, Any]], str]:
    """The open claims to pay (oldest due first) with their amounts as of ``today``."""
    if order.claim_id is not None:
        balance = await balance_as_of(
            uow.conn, order.claim_id, today, municipalities=principal.municipalities, office=office
        )
        serve(principal, balance["municipality"])
        views, owner = [balance], f"krav {order.claim_id}"
    else:
        assert order.debtor_ref is not None
        debtor = await debtor_balances(
            uow.conn,
            order.debtor_ref,
            today,
            municipalities=principal.municipalities,
            office=office,
        )
        views, owner = debtor["accounts"], "betaling"
    parts = [
        {"claim_id": v["claim_id"], "kid": v["kid"], "amount_ore": v["total_ore"]}
        for v in views
        if v["total_ore"] > 0
    ]
    return parts, owner


async def _store(uow: UnitOfWork, reference: str, stored: dict[str, Any]) -> None:
    await uow.conn.execute(
        pg.insert(t.idempotency_key).values(
            client=STORE_CLIENT, key=reference, request_hash="vipps-payment", status_code=0,
            response=stored, created_at=uow.clock(),
        ).on_conflict_do_nothing()
    )  # fmt: skip


async def _load(uow: UnitOfWork, reference: str, *, lock: bool) -> dict[str, Any] | None:
    k = t.idempotency_key
    query = sa.select(k.c.response).where(k.c.client == STORE_CLIENT, k.c.key == reference)
    if lock:
        query = query.with_for_update()
    row = (await uow.conn.execute(query)).first()
    return None if row is None else cast(dict[str, Any], row.response)


async def _save_state(uow: UnitOfWork, reference: str, state: str) -> None:
    k = t.idempotency_key
    stored = await _load(uow, reference, lock=True)
    if stored is None or stored.get("state") == "CAPTURED":
        return
    await uow.conn.execute(
        sa.update(k)
        .where(k.c.client == STORE_CLIENT, k.c.key == reference)
        .values(response={**stored, "state": state})
    )


def _bookings(
    reference: str, stored: dict[str, Any], captured_ore: int
) -> list[tuple[str, str, int]]:
    """(payment key, KID, amount) per booking: one per claim when the whole amount came."""
    parts = stored["parts"]
    if len(parts) == 1 or captured_ore != stored["amount_ore"]:
        # A partial capture goes to the oldest claim; allocation handles the rest.
        return [(reference, parts[0]["kid"], captured_ore)]
    return [(f"{reference}/{n}", p["kid"], p["amount_ore"]) for n, p in enumerate(parts, 1)]


def _incoming(
    key: str, kid: str, amount: int, today: date, event: dict[str, Any]
) -> IncomingPayment:
    return IncomingPayment(
        source=cast(Any, CHANNEL), file_key=key, payment_key=key, amount_ore=amount,
        reversal=False, kid=kid, kid_valid=True, booking_date=today, value_date=today,
        archive_reference=str(event.get("pspReference") or "") or None, payer_account=None,
        payer_name=None, free_text=f"Vipps {key}", creditor_account=None,
        transaction_type="vipps",
    )  # fmt: skip
