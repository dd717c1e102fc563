"""Calls to the services that own payments and letters (the only calls Min side makes).

The basic views never call out: they read Min side's own read models. Only starting a Vipps
payment (payments) and opening a letter's PDF (notification) go to another service, with the
request and answer models of :mod:`contracts.http` and a service token of Min side itself.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import httpx
from pydantic import ValidationError

from contracts.http.documents import DOCUMENTS_SCOPE, PDF_MEDIA_TYPE, CitizenDocument
from contracts.http.payments import (
    AMOUNT_CHANGED,
    IDEMPOTENCY_HEADER,
    PAYMENTS_SCOPE,
    VIPPS_PAYMENTS_PATH,
    VippsPaymentCreated,
    VippsPaymentOrder,
)
from minside.config import MinsideSettings
from runtime.service_tokens import JwtGrantTokens, TokenSource, TokenUnavailable, local_tokens

__all__ = [
    "DOCUMENTS_SCOPE",
    "PAYMENTS_SCOPE",
    "AmountChanged",
    "DocumentsClient",
    "PaymentsClient",
    "ServiceUnavailable",
    "service_tokens",
]


class ServiceUnavailable(Exception):
    """The other service did not answer as agreed; the page offers another way."""


class AmountChanged(Exception):
    """Payments: the chosen claims' open amount today is not the amount the page showed."""


def service_tokens(settings: MinsideSettings) -> TokenSource | None:
    """Min side's identity: the local issuer in ``make run``, else Maskinporten's JWT grant."""
    if settings.local_dir:
        return local_tokens(
            Path(settings.local_dir) / "issuer",
            client_id=settings.service_client_id,
            orgnr=settings.service_orgnr,
        )
    if settings.service_token_url:
        return JwtGrantTokens(
            token_url=settings.service_token_url,
            audience=settings.service_token_audience,
            client_id=settings.service_client_id,
            private_key_pem=Path(settings.service_key_path).read_bytes(),
            key_id=settings.service_key_id,
            resource=settings.auth_audience,
        )
    return None


async def _auth(tokens: TokenSource | None, scope: str) -> dict[str, str]:
    if tokens is None:
        raise ServiceUnavailable("Min side has no service identity configured")
    try:
        return {"Authorization": f"Bearer {await tokens([scope])}"}
    except TokenUnavailable as error:
        raise ServiceUnavailable(str(error)) from error


class PaymentsClient:
    """``POST /v1/payments/vipps`` on payments, with the form token as idempotency key."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        tokens: TokenSource | None = None,
    ) -> None:
        self._http = http or httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=10.0)
        self._tokens = tokens

    async def start_vipps(
        self, order: VippsPaymentOrder, *, idempotency_key: str
    ) -> VippsPaymentCreated:
        """Ask payments to create a Vipps payment; the same key always gives the same payment."""
        headers = {IDEMPOTENCY_HEADER: idempotency_key} | await _auth(self._tokens, PAYMENTS_SCOPE)
        try:
            response = await self._http.post(
                VIPPS_PAYMENTS_PATH, json=order.model_dump(mode="json"), headers=headers
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailable("payments unreachable") from error
        if response.status_code != 201:
            code = _problem_code(response)
            if response.status_code == 409 and code == AMOUNT_CHANGED:
                raise AmountChanged(order.amount_ore)
            raise ServiceUnavailable(f"payments answered {response.status_code} {code}")
        try:
            return VippsPaymentCreated.model_validate_json(response.content)
        except ValidationError as error:
            raise ServiceUnavailable("payments answered outside the contract") from error

    async def close(self) -> None:
        await self._http.aclose()


class DocumentsClient:
    """``GET /v1/documents/{id}`` on notification: the letter's PDF."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        tokens: TokenSource | None = None,
    ) -> None:
        self._http = http or httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=10.0)
        self._tokens = tokens

    async def pdf(self, document_id: UUID, debtor_ref: str) -> bytes | None:
        """The document's bytes, if it was addressed to ``debtor_ref``; None if not found."""
        wanted = CitizenDocument(document_id=document_id, debtor_ref=debtor_ref)
        headers = wanted.headers() | await _auth(self._tokens, DOCUMENTS_SCOPE)
        try:
            response = await self._http.get(wanted.path, headers=headers)
        except httpx.HTTPError as error:
            raise ServiceUnavailable("notification unreachable") from error
        if response.status_code == 404:
            return None
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if response.status_code != 200 or media != PDF_MEDIA_TYPE:
            raise ServiceUnavailable(f"notification answered {response.status_code}")
        return response.content

    async def close(self) -> None:
        await self._http.aclose()


def _problem_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""
