"""Vipps MobilePay: the ePayment API v1 client and webhook signature verification.

ePayment: ``POST /accesstoken/get`` (client id/secret + subscription key) gives a bearer token;
``POST /epayment/v1/payments`` creates a payment (amount in øre, our ``reference``,
``Idempotency-Key``), ``GET /epayment/v1/payments/{reference}`` reads it and
``POST /epayment/v1/payments/{reference}/capture`` captures it.

Webhooks (Webhooks API, "request authentication") are signed with the secret returned when the
webhook was registered: ``x-ms-content-sha256`` is base64(SHA-256(body)), and ``Authorization``
is ``HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<s>`` where ``s`` is
base64(HMAC-SHA256(secret, "POST\\n<path and query>\\n<x-ms-date>;<host>;<content hash>")).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

import httpx

SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256"
_AUTH_PREFIX = f"HMAC-SHA256 SignedHeaders={SIGNED_HEADERS}&Signature="


def content_hash(body: bytes) -> str:
    """``x-ms-content-sha256``: base64 of the body's SHA-256."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def signature(
    secret: str, method: str, path_and_query: str, date: str, host: str, body: bytes
) -> str:
    """The ``Signature`` part of a webhook's ``Authorization`` header."""
    signed = f"{method.upper()}\n{path_and_query}\n{date};{host};{content_hash(body)}"
    digest = hmac.new(secret.encode("utf-8"), signed.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_webhook(
    secret: str, path_and_query: str, host: str, body: bytes, date: str | None = None
) -> dict[str, str]:
    """The headers Vipps sends with a webhook ``POST`` (the fake signs with this)."""
    date = date or formatdate(usegmt=True)
    return {
        "x-ms-date": date,
        "x-ms-content-sha256": content_hash(body),
        "Authorization": _AUTH_PREFIX + signature(secret, "POST", path_and_query, date, host, body),
    }


def verify_webhook(
    secret: str, method: str, path_and_query: str, headers: Mapping[str, str], body: bytes
) -> bool:
    """Whether a received webhook is signed with ``secret`` over this body, path, date, host.

    ``headers`` must look names up case-insensitively (Starlette's and httpx's do).
    """
    date = headers.get("x-ms-date")
    host = headers.get("host")
    claimed_hash = headers.get("x-ms-content-sha256")
    authorization = headers.get("authorization")
    if not (secret and date and host and claimed_hash and authorization):
        return False
    if not hmac.compare_digest(claimed_hash.encode(), content_hash(body).encode()):
        return False
    if not authorization.startswith(_AUTH_PREFIX):
        return False
    expected = signature(secret, method, path_and_query, date, host, body)
    return hmac.compare_digest(authorization[len(_AUTH_PREFIX) :].encode(), expected.encode())


class VippsError(Exception):
    """Vipps answered with an error (or not at all)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"Vipps answered {status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class VippsConfig:
    base_url: str
    client_id: str
    client_secret: str
    subscription_key: str
    msn: str


class VippsClient:
    """The few ePayment calls payments makes; the access token cached until just before expiry."""

    def __init__(self, config: VippsConfig, *, timeout: float = 10.0) -> None:
        self.config = config
        # One client, its connections kept alive: building one costs a TLS context (~20 ms CPU).
        self._http = httpx.AsyncClient(base_url=config.base_url, timeout=timeout)
        self._token: str | None = None
        self._token_expires = 0.0

    def _common(self) -> dict[str, str]:
        return {
            "Ocp-Apim-Subscription-Key": self.config.subscription_key,
            "Merchant-Serial-Number": self.config.msn,
            "Vipps-System-Name": "kravflyt",
            "Vipps-System-Version": "0.1.0",
        }

    async def _request(
        self, method: str, path: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        try:
            response = await self._http.request(
                method, path, json=json, headers=dict(headers or {})
            )
        except httpx.HTTPError as error:
            raise VippsError(503, f"unreachable: {type(error).__name__}") from error
        if response.status_code >= 400:
            raise VippsError(response.status_code, response.text[:500])
        return response.json() if response.content else None

    async def close(self) -> None:
        await self._http.aclose()

    async def access_token(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            headers = {
                **self._common(),
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
            }
            body = await self._request("POST", "/accesstoken/get", headers=headers)
            self._token = str(body["access_token"])
            self._token_expires = time.monotonic() + max(int(body.get("expires_in", 3600)) - 60, 0)
        return self._token

    async def _authorised(self, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {**self._common(), "Authorization": f"Bearer {await self.access_token()}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def create_payment(
        self,
        *,
        reference: str,
        amount_ore: int,
        description: str,
        return_url: str,
        idempotency_key: str,
    ) -> dict[str, Any]:
        """Create a WALLET payment the user approves in the app; answers ``redirectUrl``."""
        body = {
            "amount": {"currency": "NOK", "value": amount_ore},
            "paymentMethod": {"type": "WALLET"},
            "reference": reference,
            "returnUrl": return_url,
            "userFlow": "WEB_REDIRECT",
            "paymentDescription": description,
        }
        headers = await self._authorised(idempotency_key)
        result: dict[str, Any] = await self._request(
            "POST", "/epayment/v1/payments", json=body, headers=headers
        )
        return result

    async def get_payment(self, reference: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._request(
            "GET", f"/epayment/v1/payments/{reference}", headers=await self._authorised()
        )
        return result

    async def capture(
        self, reference: str, amount_ore: int, idempotency_key: str
    ) -> dict[str, Any]:
        """Capture ``amount_ore`` of an authorised payment (idempotent under the key)."""
        body = {"modificationAmount": {"currency": "NOK", "value": amount_ore}}
        result: dict[str, Any] = await self._request(
            "POST",
            f"/epayment/v1/payments/{reference}/capture",
            json=body,
            headers=await self._authorised(idempotency_key),
        )
        return result
