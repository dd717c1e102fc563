"""In-test fakes of the two services Min side calls, labelled as such: unit tests only.

They read and answer with the same models as the real services (:mod:`contracts.http`), so a
change to the contract breaks them too; the seams themselves are tested against the real
payments and notification apps in ``tests/contracts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx

from contracts.http.documents import DEBTOR_HEADER, PDF_MEDIA_TYPE
from contracts.http.payments import (
    AMOUNT_CHANGED,
    VippsClaimShare,
    VippsPaymentCreated,
    VippsPaymentOrder,
)
from minside.clients import DocumentsClient, PaymentsClient


async def fake_tokens(scopes: Sequence[str]) -> str:
    """A stand-in for Min side's service token (the fakes do not check it)."""
    return "fake-service-token"


FAKE_PDF = b"%PDF-1.7\n% fake letter for tests\n%%EOF\n"


@dataclass
class FakePayments:
    """FAKE payments service: one Vipps payment per Idempotency-Key."""

    redirect_base: str = "https://vipps.fake/fake/landing"
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False
    # The ledger's open amount differs from the order's (payments answers 409 AMOUNT_CHANGED).
    amount_changed: bool = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            return httpx.Response(503)
        if request.method != "POST" or request.url.path != "/v1/payments/vipps":
            return httpx.Response(404)
        key = request.headers.get("Idempotency-Key")
        if not key:
            return httpx.Response(400, json={"code": "request.idempotency_key_missing"})
        order = VippsPaymentOrder.model_validate_json(request.content)
        body = order.model_dump(mode="json")
        self.requests.append({"key": key, **body})
        if self.amount_changed:
            return httpx.Response(
                409,
                json={"type": "about:blank", "status": 409, "code": AMOUNT_CHANGED},
                headers={"content-type": "application/problem+json"},
            )
        if key not in self.payments:
            reference = f"kravflyt-{uuid4()}"
            created = VippsPaymentCreated(
                reference=reference,
                redirect_url=f"{self.redirect_base}/{reference}",
                amount_ore=order.amount_ore,
                as_of=date.today(),
                claims=[
                    VippsClaimShare(claim_id=c, kid="000000000000", amount_ore=order.amount_ore)
                    for c in order.claim_ids[:1]
                ],
            )
            self.payments[key] = {**body, **created.model_dump(mode="json")}
        answer = {
            k: v for k, v in self.payments[key].items() if k in VippsPaymentCreated.model_fields
        }
        return httpx.Response(201, json=answer)

    def client(self) -> PaymentsClient:
        transport = httpx.MockTransport(self.handle)
        return PaymentsClient(
            "http://payments.fake",
            httpx.AsyncClient(transport=transport, base_url="http://payments.fake"),
            tokens=fake_tokens,
        )


@dataclass
class FakeNotification:
    """FAKE notification service: serves the documents it was given, to their owner."""

    documents: dict[UUID, bytes] = field(default_factory=dict)
    owners: dict[UUID, str] = field(default_factory=dict)
    fetched: list[tuple[UUID, str | None]] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method != "GET" or parts[:2] != ["v1", "documents"] or len(parts) != 3:
            return httpx.Response(404)
        document_id = UUID(parts[2])
        debtor = request.headers.get(DEBTOR_HEADER)
        self.fetched.append((document_id, debtor))
        if document_id not in self.documents:
            return httpx.Response(404)
        if document_id in self.owners and self.owners[document_id] != debtor:
            return httpx.Response(404)
        return httpx.Response(
            200, content=self.documents[document_id], headers={"Content-Type": PDF_MEDIA_TYPE}
        )

    def client(self) -> DocumentsClient:
        transport = httpx.MockTransport(self.handle)
        return DocumentsClient(
            "http://notification.fake",
            httpx.AsyncClient(transport=transport, base_url="http://notification.fake"),
            tokens=fake_tokens,
        )
