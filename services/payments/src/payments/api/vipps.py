"""Vipps MobilePay ePayment: Min side starts a payment; Vipps' own API, not a webhook, books it.

``POST /v1/payments/vipps`` (contract: :mod:`contracts.http.payments`) takes Min side's service
token (scope ``kravflyt:payments.citizen``, a client id in ``minside_client_ids``) and an
``Idempotency-Key``. Every claim named must be the debtor's own, and the amount the citizen was
shown must equal today's open amount of exactly those claims; then a Vipps payment of that
amount is created and kept in ``vipps_payment`` (created → authorized → captured, or cancelled /
expired; captured → refunded).

``POST /v1/vipps/webhooks`` is called by Vipps; only a correctly signed, fresh request is read,
and only as a hint: payments then asks Vipps (``GET /epayment/v1/payments/{reference}``) what
the payment is. Authorised for our amount: capture it and ask again. Captured: book it, one
payment per claim (``reference/n``), idempotently; a capture of another amount is booked to no
claim but goes to the unmatched queue for a caseworker.
"""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations.
import json
import logging
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import NAMESPACE_URL, uuid5

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from contracts.http.payments import (
    AMOUNT_CHANGED,
    IDEMPOTENCY_HEADER,
    PAYMENTS_SCOPE,
    VIPPS_PAYMENTS_PATH,
    VippsClaimShare,
    VippsPaymentCreated,
    VippsPaymentOrder,
)
from payments.api.common import idempotent
from payments.db import tables as t
from payments.db.reads import account_view_row
from payments.domain.errors import PaymentsError
from payments.domain.vipps import VippsView, next_state, read_view
from payments.files import IncomingPayment
from payments.handlers.common import Office, StoredResponse
from payments.handlers.imports import book_incoming_payment
from payments.handlers.queries import balance_view
from payments.vipps import VippsError, verify_webhook
from rules.calendar import oslo_today
from runtime.auth import Principal, requires_client
from runtime.db import UnitOfWork
from runtime.idempotency import request_fingerprint
from runtime.problems import problem_response

if TYPE_CHECKING:
    from payments.bootstrap import Container
    from payments.config import PaymentsSettings

CHANNEL = "vipps"
AMOUNT_MISMATCH = "vipps.amount_mismatch"
log = logging.getLogger(__name__)


def vipps_router(c: "Container") -> APIRouter:
    """Routes of Vipps payments."""
    router = APIRouter(tags=["vipps"])
    clients = {x.strip() for x in c.settings.minside_client_ids.split(",") if x.strip()}
    minside = Depends(requires_client(c.services, PAYMENTS_SCOPE, clients))

    @router.post(
        VIPPS_PAYMENTS_PATH,
        summary="Start a Vipps payment of exactly the claims a citizen chose",
        status_code=201,
        response_model=VippsPaymentCreated,
    )
    async def post_payment(
        order: VippsPaymentOrder,
        request: Request,
        caller: Annotated[Principal, minside],
        idempotency_key: Annotated[str, Header(alias=IDEMPOTENCY_HEADER)],
    ) -> Response:
        async def run(uow: UnitOfWork) -> StoredResponse:
            today = oslo_today(c.runtime.clock())
            shares = await _shares(uow, order, today, c.office)
            total = sum(s.amount_ore for s in shares)
            if total != order.amount_ore:
                raise PaymentsError(
                    AMOUNT_CHANGED,
                    f"The open amount today is {total} øre, not {order.amount_ore}",
                )
            # The same key always gives the same reference: a retry after a crash between
            # Vipps' answer and our commit finds Vipps' payment again instead of a second one.
            reference = f"kravflyt-{uuid5(NAMESPACE_URL, f'{caller.client_id}/{idempotency_key}')}"
            try:
                created = await c.vipps.create_payment(
                    reference=reference, amount_ore=total, description="Kravflyt betaling",
                    return_url=order.return_url, idempotency_key=reference,
                )  # fmt: skip
            except VippsError as error:
                log.warning("vipps create failed: %s", error.status)
                raise PaymentsError("vipps.unavailable") from error
            await _insert(uow, reference, caller, order, shares, today)
            answer = VippsPaymentCreated(
                reference=reference, redirect_url=str(created["redirectUrl"]), amount_ore=total,
                as_of=today, claims=shares,
            )  # fmt: skip
            return StoredResponse(201, answer.model_dump(mode="json"))

        fingerprint = request_fingerprint("POST", request.url.path, await request.body())
        return await idempotent(c, caller.client_id, idempotency_key, fingerprint, run)

    @router.post("/v1/vipps/webhooks", summary="Vipps' ePayment webhooks (signed; a hint only)")
    async def post_webhook(request: Request) -> Response:
        body = await request.body()
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        secret = c.vipps_webhook_secret
        if not verify_webhook(secret, "POST", path, request.headers, body):
            return problem_response(
                "vipps.webhook_signature_invalid", 401, detail="The webhook signature is invalid"
            )
        if not _fresh(request.headers.get("x-ms-date"), c.runtime.clock(), c.settings):
            return problem_response(
                "vipps.webhook_stale", 401, detail="The webhook's x-ms-date is too far off"
            )
        try:
            reference = str(json.loads(body)["reference"])
        except (ValueError, KeyError, TypeError):
            return problem_response("vipps.webhook_malformed", 400, detail="Not an ePayment event")
        try:
            return JSONResponse(await follow(c, reference))
        except VippsError as error:
            # Vipps delivers the webhook again on an error answer.
            return problem_response("vipps.unavailable", 502, detail=f"Vipps {error.status}")

    return router


def _fresh(stamp: str | None, now: datetime, settings: "PaymentsSettings") -> bool:
    try:
        sent = parsedate_to_datetime(stamp or "")
    except (TypeError, ValueError):
        return False
    return abs((now - sent).total_seconds()) <= settings.vipps_webhook_max_age_seconds


async def _shares(
    uow: UnitOfWork, order: VippsPaymentOrder, today: date, office: Office
) -> list[VippsClaimShare]:
    """Today's open amount of each claim named, all the debtor's own (else: not found)."""
    shares = []
    for claim_id in dict.fromkeys(order.claim_ids):
        row = await account_view_row(uow.conn, claim_id)
        if row is None or row["debtor_ref"] != order.debtor_ref:
            # Another debtor's claim is as unknown as a made-up one: existence must not leak.
            raise PaymentsError("account.not_found")
        view = balance_view(row, today, office)
        if view["total_ore"] <= 0:
            raise PaymentsError("vipps.nothing_to_pay")
        shares.append(
            (row["due_date"], VippsClaimShare(claim_id=claim_id, kid=view["kid"],
                                              amount_ore=view["total_ore"]))
        )  # fmt: skip
    return [s for _, s in sorted(shares, key=lambda x: x[0])]


async def _insert(
    uow: UnitOfWork,
    reference: str,
    caller: Principal,
    order: VippsPaymentOrder,
    shares: list[VippsClaimShare],
    today: date,
) -> None:
    now = uow.clock()
    await uow.conn.execute(
        sa.insert(t.vipps_payment).values(
            reference=reference, client_id=caller.client_id, debtor_ref=order.debtor_ref,
            shares=[s.model_dump(mode="json") for s in shares],
            amount_ore=sum(s.amount_ore for s in shares), as_of=today, state="created",
            captured_ore=0, created_at=now, updated_at=now,
        )
    )  # fmt: skip


async def _locked(uow: UnitOfWork, reference: str) -> Any:
    v = t.vipps_payment
    query = sa.select(v).where(v.c.reference == reference).with_for_update()
    return (await uow.conn.execute(query)).first()


async def follow(c: "Container", reference: str) -> dict[str, Any]:
    """Bring our payment up to what Vipps' API says; capture and book when that is due.

    Everything runs under the row's lock, so redelivered and concurrent webhooks take turns;
    the bookings are idempotent per payment key besides.
    """
    async with c.runtime.uow() as uow:
        row = await _locked(uow, reference)
        if row is None:
            return {"reference": reference, "handled": False}
        view = read_view(await c.vipps.get_payment(reference))
        if view.state == "authorized" and view.authorized_ore == row.amount_ore:
            await c.vipps.capture(reference, row.amount_ore, idempotency_key=f"capture-{reference}")
            view = read_view(await c.vipps.get_payment(reference))
        booked = 0
        issue = row.issue
        if view.captured_ore > 0 and row.booked_at is None:
            issue = None if view.captured_ore == row.amount_ore else AMOUNT_MISMATCH
            booked = await _book(c, uow, row, view, issue)
        state = next_state(row.state, view.state)
        await uow.conn.execute(
            sa.update(t.vipps_payment)
            .where(t.vipps_payment.c.reference == reference)
            .values(
                state=state, captured_ore=view.captured_ore, issue=issue,
                psp_reference=view.psp_reference or row.psp_reference, updated_at=uow.clock(),
                booked_at=uow.clock() if booked else row.booked_at,
            )
        )  # fmt: skip
        await uow.commit()
    return {"reference": reference, "state": state, "booked": booked, "issue": issue}


async def follow_open(c: "Container", within: timedelta) -> list[dict[str, Any]]:
    """Ask Vipps about every payment started in the last ``within`` and not yet settled here.

    Vipps' own advice: poll as well, for a webhook that never came (it cannot reach us, or was
    lost). ``kravflyt payments follow-vipps`` runs this (a CronJob in the chart).
    """
    v = t.vipps_payment
    since = c.runtime.clock() - within
    query = (
        sa.select(v.c.reference)
        .where(
            v.c.created_at >= since,
            sa.or_(
                v.c.state.in_(("created", "authorized")),
                sa.and_(v.c.captured_ore > 0, v.c.booked_at.is_(None)),
            ),
        )
        .order_by(v.c.created_at)
    )
    async with c.runtime.engine.connect() as conn:
        references = list((await conn.execute(query)).scalars())
    results = []
    for reference in references:
        try:
            results.append(await follow(c, reference))
        except VippsError as error:
            results.append({"reference": reference, "error": f"Vipps {error.status}"})
    return results


async def _book(
    c: "Container", uow: UnitOfWork, row: Any, view: VippsView, issue: str | None
) -> int:
    """Book the capture Vipps confirmed: per claim, or (another amount) to no claim at all."""
    today = oslo_today(c.runtime.clock())
    shares = cast(list[dict[str, Any]], row.shares)
    if issue is None:
        parts = [
            (f"{row.reference}/{n}", s["kid"], int(s["amount_ore"]))
            for n, s in enumerate(shares, 1)
        ]
    else:
        # No KID: the unmatched queue, where a caseworker decides (refund or allocate).
        parts = [(row.reference, None, view.captured_ore)]
        log.warning("vipps capture of another amount: %s", row.reference)
    for key, kid, amount in parts:
        payment = _incoming(key, kid, amount, today, view.psp_reference, issue)
        await book_incoming_payment(uow, payment, sender=CHANNEL, office=c.office)
    return len(parts)


def _incoming(
    key: str, kid: str | None, amount: int, today: date, psp: str | None, issue: str | None
) -> IncomingPayment:
    text = f"Vipps {key}" if issue is None else f"Vipps {key}: {issue}"
    return IncomingPayment(
        source=cast(Any, CHANNEL), file_key=key, payment_key=key, amount_ore=amount,
        reversal=False, kid=kid, kid_valid=kid is not None, booking_date=today,
        value_date=today, archive_reference=psp, payer_account=None, payer_name=None,
        free_text=text, creditor_account=None, transaction_type="vipps",
    )  # fmt: skip
