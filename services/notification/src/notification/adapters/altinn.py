"""Altinn Notifications: an SMS or e-mail about a new letter, to the contact details in KRR.

``POST /notifications/api/v1/future/orders`` with an ``idempotencyId`` (notice id + channel):
Altinn answers 201 for a new order and 200 with the same order for a repeat, so an alert is
sent at most once even when we send the order twice.
"""

from __future__ import annotations

from typing import Any

import httpx

from notification.adapters.errors import ProviderReceipt, error_for, send
from notification.adapters.maskinporten import MaskinportenClient

SCOPES = ("altinn:serviceowner/notifications.create",)
ORDERS_PATH = "/notifications/api/v1/future/orders"


class AltinnNotificationsClient:
    """Orders one SMS or e-mail per call."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: MaskinportenClient) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + ORDERS_PATH
        self._tokens = tokens

    async def send_sms(
        self, *, idempotency_id: str, reference: str, mobile: str, body: str, sender: str
    ) -> ProviderReceipt:
        """Order an SMS."""
        recipient = {
            "recipientSms": {"phoneNumber": mobile, "smsSettings": {"sender": sender, "body": body}}
        }
        return await self._order(idempotency_id, reference, recipient)

    async def send_email(
        self, *, idempotency_id: str, reference: str, email: str, subject: str, body: str
    ) -> ProviderReceipt:
        """Order an e-mail."""
        settings = {"subject": subject, "body": body, "contentType": "Plain"}
        recipient = {"recipientEmail": {"emailAddress": email, "emailSettings": settings}}
        return await self._order(idempotency_id, reference, recipient)

    async def _order(
        self, idempotency_id: str, reference: str, recipient: dict[str, Any]
    ) -> ProviderReceipt:
        token = await self._tokens.token(SCOPES)
        order = {
            "idempotencyId": idempotency_id,
            "sendersReference": reference,
            "recipient": recipient,
        }
        response = await send(
            self._http,
            "altinn",
            "POST",
            self._url,
            json=order,
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code not in (200, 201):
            body = _json(response)
            raise error_for(
                "altinn",
                response.status_code,
                str(body.get("code", "")),
                str(body.get("detail", "")),
            )
        order_id = str(_json(response).get("notificationOrderId", ""))
        return ProviderReceipt(order_id, duplicate=response.status_code == 200)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
