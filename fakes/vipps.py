"""Fake Vipps MobilePay: access token, ePayment v1 and signed webhooks.

    python -m fakes vipps --port 8095   # webhooks to $FAKE_VIPPS_WEBHOOK_URL, signed with
                                        # $FAKE_VIPPS_WEBHOOK_SECRET

``POST /accesstoken/get`` issues a bearer token; ``POST /epayment/v1/payments`` (needs
``Idempotency-Key``: the same key answers the same payment), ``GET .../{reference}`` and
``POST .../{reference}/capture``. There is no app: ``redirectUrl`` is a small landing page
(``GET /fake/landing/{reference}``) with "Godkjenn" and "Avbryt", which send the user back to
``returnUrl``; ``POST /fake/payments/{reference}/approve`` approves without a browser. Approving
sends ``epayments.payment.authorized.v1``, cancelling ``...aborted.v1``, a capture
``epayments.payment.captured.v1``. ``POST /_admin/payments/{reference}/captured`` records a
capture of another amount than asked (a fault to test with). Webhooks are signed like the
Webhooks API does (HMAC-SHA256 over
``POST\\n<path>\\n<x-ms-date>;<host>;<x-ms-content-sha256>``), written here on its own so
the fake does not share payments' verifier. ``/_admin/webhooks`` lists what was sent and
``POST /_admin/webhooks/{n}/redeliver`` sends one again.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import json
import os
import secrets
import uuid
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from fakes._base import Faults, admin_router, install_faults

CLIENT_ID = "kravflyt-local"
CLIENT_SECRET = "local-client-secret"  # noqa: S105 - the fake's own
SUBSCRIPTION_KEY = "local-subscription-key"
MSN = "123456"
WEBHOOK_SECRET = "local-webhook-secret"  # noqa: S105 - the fake's own


class Amount(BaseModel):
    currency: str = Field(pattern="^NOK$")
    value: int = Field(gt=0)


class PaymentMethod(BaseModel):
    type: str = Field(pattern="^(WALLET|CARD)$")


class CreatePaymentIn(BaseModel):
    amount: Amount
    paymentMethod: PaymentMethod
    reference: str = Field(pattern=r"^[a-zA-Z0-9-]{8,64}$")
    returnUrl: str
    userFlow: str = Field(pattern="^(WEB_REDIRECT|NATIVE_REDIRECT|PUSH_MESSAGE|QR)$")
    paymentDescription: str | None = Field(default=None, max_length=100)


class CaptureIn(BaseModel):
    modificationAmount: Amount


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def _error_body(status: int, code: str, message: str) -> Response:
    return _problem(status, code, message)


def sign(secret: str, url: str, body: bytes, date: str) -> dict[str, str]:
    """The Webhooks API's signature headers for a ``POST`` of ``body`` to ``url``."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    signed = f"POST\n{path}\n{date};{parts.netloc};{digest}"
    mac = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    return {
        "x-ms-date": date,
        "x-ms-content-sha256": digest,
        "Authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
        f"&Signature={base64.b64encode(mac).decode()}",
    }


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='nb'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>"
    )


def create_app(webhook_url: str | None = None, webhook_secret: str | None = None) -> FastAPI:
    """A fresh fake with no payments."""
    app = FastAPI(title="Fake Vipps MobilePay ePayment")
    faults = Faults()
    hook = {
        "url": webhook_url or os.environ.get("FAKE_VIPPS_WEBHOOK_URL", ""),
        "secret": webhook_secret or os.environ.get("FAKE_VIPPS_WEBHOOK_SECRET", WEBHOOK_SECRET),
    }
    tokens: set[str] = set()
    payments: dict[str, dict[str, Any]] = {}
    answers: dict[str, tuple[str, int, Any]] = {}  # idempotency key -> (request, status, body)
    sent: list[dict[str, Any]] = []
    tasks: set[asyncio.Task[None]] = set()

    def reset() -> None:
        tokens.clear()
        payments.clear()
        answers.clear()
        sent.clear()

    install_faults(app, faults, _error_body)
    admin = admin_router(faults, reset)

    @admin.get("/payments")
    async def list_payments() -> dict[str, Any]:
        return {"payments": list(payments.values())}

    @admin.get("/webhooks")
    async def list_webhooks() -> dict[str, Any]:
        return {"webhooks": sent}

    @admin.put("/webhook")
    async def set_webhook(target: dict[str, str]) -> dict[str, str]:
        hook.update({k: v for k, v in target.items() if k in ("url", "secret")})
        return {"url": hook["url"]}

    @admin.post("/webhooks/{number}/redeliver")
    async def redeliver(number: int) -> dict[str, Any]:
        delivery = sent[number]
        return await _deliver(delivery["event"], delivery["body"].encode())

    app.include_router(admin)

    async def _deliver(event: str, body: bytes) -> dict[str, Any]:
        record: dict[str, Any] = {"event": event, "body": body.decode(), "status": None}
        sent.append(record)
        if not hook["url"]:
            return record
        headers = {**sign(hook["secret"], hook["url"], body, formatdate(usegmt=True))}
        headers["Content-Type"] = "application/json"
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.post(hook["url"], content=body, headers=headers)
            record["status"] = response.status_code
        except httpx.HTTPError as error:
            record["status"] = f"error: {error}"
        return record

    def _emit(payment: dict[str, Any], name: str, value: int) -> None:
        body = {
            "msn": MSN, "reference": payment["reference"], "pspReference": payment["pspReference"],
            "name": name, "amount": {"currency": "NOK", "value": value},
            "timestamp": datetime.now(UTC).isoformat(), "idempotencyKey": None, "success": True,
        }  # fmt: skip
        event = f"epayments.payment.{name.lower()}.v1"
        task = asyncio.create_task(_send(event, body))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _send(event: str, body: dict[str, Any]) -> None:
        await _deliver(event, json.dumps(body).encode())

    def _authorised(authorization: str | None, msn: str | None) -> Response | None:
        if not authorization or authorization.removeprefix("Bearer ") not in tokens:
            return _problem(401, "Unauthorized", "A valid access token is required")
        if msn != MSN:
            return _problem(400, "Bad Request", "Merchant-Serial-Number is missing or unknown")
        return None

    def _view(payment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payment.items() if not k.startswith("_")}

    @app.post("/accesstoken/get")
    async def access_token(
        client_id: Annotated[str | None, Header(convert_underscores=False)] = None,
        client_secret: Annotated[str | None, Header(convert_underscores=False)] = None,
        subscription_key: Annotated[str | None, Header(alias="Ocp-Apim-Subscription-Key")] = None,
    ) -> Response:
        wanted = (CLIENT_ID, CLIENT_SECRET, SUBSCRIPTION_KEY)
        if (client_id, client_secret, subscription_key) != wanted:
            return _problem(401, "Unauthorized", "Wrong client_id, client_secret or key")
        token = secrets.token_urlsafe(24)
        tokens.add(token)
        body = {"token_type": "Bearer", "expires_in": "3600", "access_token": token}
        return JSONResponse(body)

    @app.post("/epayment/v1/payments")
    async def create_payment(
        order: CreatePaymentIn,
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        msn: Annotated[str | None, Header(alias="Merchant-Serial-Number")] = None,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        if refused := _authorised(authorization, msn):
            return refused
        if not idempotency_key:
            return _problem(400, "Bad Request", "Idempotency-Key is required")
        fingerprint = hashlib.sha256(await request.body()).hexdigest()
        if idempotency_key in answers:
            earlier, status, body = answers[idempotency_key]
            if earlier != fingerprint:
                return _problem(409, "Conflict", "Idempotency-Key reused for another request")
            return JSONResponse(body, status_code=status)
        if order.reference in payments:
            return _problem(409, "Conflict", "A payment with this reference exists")
        base = str(request.base_url).rstrip("/")
        payments[order.reference] = {
            "reference": order.reference, "pspReference": str(uuid.uuid4()),
            "state": "CREATED", "amount": order.amount.model_dump(),
            "paymentMethod": order.paymentMethod.model_dump(), "returnUrl": order.returnUrl,
            "paymentDescription": order.paymentDescription,
            "aggregate": {
                "authorizedAmount": {"currency": "NOK", "value": 0},
                "capturedAmount": {"currency": "NOK", "value": 0},
                "cancelledAmount": {"currency": "NOK", "value": 0},
                "refundedAmount": {"currency": "NOK", "value": 0},
            },
        }  # fmt: skip
        body = {
            "reference": order.reference,
            "redirectUrl": f"{base}/fake/landing/{order.reference}",
        }
        answers[idempotency_key] = (fingerprint, 201, body)
        return JSONResponse(body, status_code=201)

    @app.get("/epayment/v1/payments/{reference}")
    async def get_payment(
        reference: str,
        authorization: Annotated[str | None, Header()] = None,
        msn: Annotated[str | None, Header(alias="Merchant-Serial-Number")] = None,
    ) -> Response:
        if refused := _authorised(authorization, msn):
            return refused
        if reference not in payments:
            return _problem(404, "Not Found", "No payment with this reference")
        return JSONResponse(_view(payments[reference]))

    @app.post("/epayment/v1/payments/{reference}/capture")
    async def capture(
        reference: str,
        modification: CaptureIn,
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        msn: Annotated[str | None, Header(alias="Merchant-Serial-Number")] = None,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        if refused := _authorised(authorization, msn):
            return refused
        if not idempotency_key:
            return _problem(400, "Bad Request", "Idempotency-Key is required")
        payment = payments.get(reference)
        if payment is None:
            return _problem(404, "Not Found", "No payment with this reference")
        key = f"capture:{reference}:{idempotency_key}"
        fingerprint = hashlib.sha256(await request.body()).hexdigest()
        if key in answers:
            return JSONResponse(answers[key][2])
        aggregate = payment["aggregate"]
        value = modification.modificationAmount.value
        left = aggregate["authorizedAmount"]["value"] - aggregate["capturedAmount"]["value"]
        if payment["state"] != "AUTHORIZED" or value > left:
            return _problem(
                400, "Bad Request", f"Cannot capture {value} in state {payment['state']}"
            )
        aggregate["capturedAmount"]["value"] += value
        body = {
            "reference": reference, "pspReference": payment["pspReference"],
            "amount": payment["amount"], "aggregate": aggregate,
        }  # fmt: skip
        answers[key] = (fingerprint, 200, body)
        _emit(payment, "CAPTURED", value)
        return JSONResponse(body)

    def _approve(payment: dict[str, Any]) -> None:
        payment["state"] = "AUTHORIZED"
        payment["aggregate"]["authorizedAmount"]["value"] = payment["amount"]["value"]
        _emit(payment, "AUTHORIZED", payment["amount"]["value"])

    @app.post("/fake/payments/{reference}/approve")
    async def approve(reference: str) -> Response:
        """The user approves in the app: the payment is authorised and the webhook sent."""
        payment = payments.get(reference)
        if payment is None:
            return _problem(404, "Not Found", "No payment with this reference")
        if payment["state"] != "CREATED":
            return _problem(409, "Conflict", f"The payment is {payment['state']}")
        _approve(payment)
        return JSONResponse(_view(payment))

    @admin.post("/payments/{reference}/captured")
    async def record_capture(reference: str, amount: Amount) -> dict[str, Any]:
        """Vipps records a capture of ``amount`` (whatever was asked): a fault to test with."""
        payment = payments[reference]
        payment["state"] = "AUTHORIZED"
        payment["aggregate"]["authorizedAmount"]["value"] = payment["amount"]["value"]
        payment["aggregate"]["capturedAmount"]["value"] = amount.value
        return _view(payment)

    @app.get("/fake/landing/{reference}", response_class=HTMLResponse)
    async def landing(reference: str) -> Response:
        """Where ``redirectUrl`` points: the fake's Vipps landing page, "Godkjenn" or "Avbryt"."""
        payment = payments.get(reference)
        if payment is None:
            return HTMLResponse(_page("Ukjent betaling", "<p>Fant ingen betaling.</p>"), 404)
        kroner = f"{payment['amount']['value'] / 100:,.2f}".replace(",", " ").replace(".", ",")
        ref = html.escape(reference)
        body = (
            f"<p>Betal <strong id='amount'>{kroner} kr</strong> til Kravflyt.</p>"
            f"<p>Status: <span id='state'>{html.escape(payment['state'])}</span></p>"
            f"<form method='post' action='/fake/landing/{ref}/approve'>"
            "<button type='submit'>Godkjenn</button></form>"
            f"<form method='post' action='/fake/landing/{ref}/cancel'>"
            "<button type='submit'>Avbryt</button></form>"
        )
        return HTMLResponse(_page("Vipps (falsk)", body))

    @app.post("/fake/landing/{reference}/{choice}")
    async def choose(reference: str, choice: str) -> Response:
        """The user's answer on the landing page; back to the merchant's ``returnUrl``."""
        payment = payments.get(reference)
        if payment is None or choice not in ("approve", "cancel"):
            return _problem(404, "Not Found", "No payment with this reference")
        if payment["state"] == "CREATED":
            if choice == "approve":
                _approve(payment)
            else:
                payment["state"] = "ABORTED"
                _emit(payment, "ABORTED", payment["amount"]["value"])
        return RedirectResponse(payment["returnUrl"], 303)

    return app
