"""Fake Altinn Notifications: SMS and e-mail orders with idempotency ids.

``POST /notifications/api/v1/future/orders``: 201 for a new order, 200 with the same order
for a repeated ``idempotencyId``. Any bearer token is accepted (the real one is an Altinn
token exchanged from Maskinporten).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse, Response

from fakes._base import Faults, admin_router, install_faults


def _error(status: int, code: str, message: str) -> Response:
    body = {
        "type": "about:blank",
        "title": message,
        "status": status,
        "code": code,
        "detail": message,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def create_app() -> FastAPI:
    """A fresh fake with no orders."""
    app = FastAPI(title="Fake Altinn Notifications")
    orders: dict[str, dict[str, Any]] = {}
    faults = Faults()
    install_faults(app, faults, _error)
    admin = admin_router(faults, orders.clear)

    @admin.get("/orders")
    async def list_orders() -> dict[str, Any]:
        return {"count": len(orders), "orders": list(orders.values())}

    app.include_router(admin)

    @app.post("/notifications/api/v1/future/orders")
    async def order(body: dict[str, Any], authorization: Annotated[str, Header()] = "") -> Response:
        if not authorization.startswith("Bearer "):
            return _error(401, "UNAUTHORIZED", "A bearer token is required")
        key = str(body.get("idempotencyId", ""))
        recipient = body.get("recipient") or {}
        if not key or not ({"recipientSms", "recipientEmail"} & set(recipient)):
            return _error(400, "INVALID_ORDER", "idempotencyId and one recipient are required")
        if key in orders:
            return JSONResponse(orders[key]["answer"], status_code=200)
        channel = "sms" if "recipientSms" in recipient else "email"
        answer = {
            "notificationOrderId": str(uuid.uuid4()),
            "notification": {
                "shipmentId": str(uuid.uuid4()),
                "sendersReference": body.get("sendersReference"),
            },
        }
        orders[key] = {
            "idempotencyId": key,
            "channel": channel,
            "sendersReference": body.get("sendersReference"),
            "recipient": recipient,
            "answer": answer,
            "received_at": datetime.now(UTC).isoformat(),
        }
        return JSONResponse(answer, status_code=201)

    return app
