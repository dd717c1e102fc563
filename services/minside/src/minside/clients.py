"""Calls to the services that own payments and letters (the only calls Min side makes).

The basic views never call out: they read Min side's own read models. Only starting a Vipps
payment (payments) and opening a letter's PDF (notification) go to another service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx

from runtime.local_issuer import LocalIssuer

# scopes → a bearer token for Min side as a service client (Maskinporten-style).
TokenSource = Callable[[Sequence[str]], str]
DOCUMENTS_SCOPE = "kravflyt:documents.citizen"
PAYMENTS_SCOPE = "kravflyt:payments.citizen"
DEBTOR_HEADER = "Kravflyt-Debtor-Ref"


class ServiceUnavailable(Exception):
    """The other service did not answer as agreed; the page offers another way."""


def local_tokens(directory: Path, *, client_id: str, orgnr: str) -> TokenSource:
    """Tokens from the local Maskinporten stand-in of ``make run`` (its key in ``directory``)."""
    issuer = LocalIssuer.load_or_create(directory)

    def issue(scopes: Sequence[str]) -> str:
        return issuer.issue_token(
            orgnr=orgnr, scopes=list(scopes), client_id=client_id, lifetime_seconds=300
        )

    return issue


def _auth(tokens: TokenSource | None, scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens([scope])}"} if tokens else {}


@dataclass(frozen=True)
class VippsPayment:
    """Where to send the citizen to approve the payment in Vipps."""

    redirect_url: str
    payment_id: str | None


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
        self,
        *,
        idempotency_key: str,
        debtor_ref: str,
        claim_ids: list[UUID],
        amount_ore: int,
        return_url: str,
    ) -> VippsPayment:
        """Ask payments to create a Vipps payment; the same key always gives the same payment."""
        body = {
            "debtor_ref": debtor_ref,
            "claim_ids": [str(c) for c in claim_ids],
            "amount_ore": amount_ore,
            "return_url": return_url,
        }
        try:
            response = await self._http.post(
                "/v1/payments/vipps",
                json=body,
                headers={"Idempotency-Key": idempotency_key} | _auth(self._tokens, PAYMENTS_SCOPE),
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailable("payments unreachable") from error
        if response.status_code not in (200, 201):
            raise ServiceUnavailable(f"payments answered {response.status_code}")
        data = response.json()
        url = data.get("redirect_url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ServiceUnavailable("payments gave no redirect_url")
        payment_id = data.get("payment_id")
        return VippsPayment(url, str(payment_id) if payment_id else None)

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
        headers = {"Accept": "application/pdf", DEBTOR_HEADER: debtor_ref}
        try:
            response = await self._http.get(
                f"/v1/documents/{document_id}",
                headers=headers | _auth(self._tokens, DOCUMENTS_SCOPE),
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailable("notification unreachable") from error
        if response.status_code in (403, 404):
            return None
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise ServiceUnavailable(f"notification answered {response.status_code}")
        return response.content

    async def close(self) -> None:
        await self._http.aclose()
