"""In-test fakes of the two services Min side calls, labelled as such.

They answer over httpx's MockTransport with the shapes Min side expects from payments'
``POST /v1/payments/vipps`` and notification's ``GET /v1/documents/{id}``; the real services
are built elsewhere, and the end-to-end suite runs against them once they exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import httpx

from minside.clients import DocumentsClient, PaymentsClient

FAKE_PDF = b"%PDF-1.7\n% fake letter for tests\n%%EOF\n"


@dataclass
class FakePayments:
    """FAKE payments service: one Vipps payment per Idempotency-Key."""

    redirect_base: str = "https://vipps.fake/landing"
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            return httpx.Response(503)
        if request.method != "POST" or request.url.path != "/v1/payments/vipps":
            return httpx.Response(404)
        key = request.headers.get("Idempotency-Key")
        if not key:
            return httpx.Response(400, json={"code": "request.idempotency_key_missing"})
        body = json.loads(request.content)
        self.requests.append({"key": key, **body})
        if key not in self.payments:
            payment_id = str(uuid4())
            self.payments[key] = {
                "payment_id": payment_id,
                "redirect_url": f"{self.redirect_base}?payment={payment_id}",
                **body,
            }
        return httpx.Response(201, json=self.payments[key])

    def client(self) -> PaymentsClient:
        transport = httpx.MockTransport(self.handle)
        return PaymentsClient(
            "http://payments.fake",
            httpx.AsyncClient(transport=transport, base_url="http://payments.fake"),
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
        debtor = request.headers.get("Kravflyt-Debtor-Ref")
        self.fetched.append((document_id, debtor))
        if document_id not in self.documents:
            return httpx.Response(404)
        if document_id in self.owners and self.owners[document_id] != debtor:
            return httpx.Response(403)
        return httpx.Response(
            200, content=self.documents[document_id], headers={"Content-Type": "application/pdf"}
        )

    def client(self) -> DocumentsClient:
        transport = httpx.MockTransport(self.handle)
        return DocumentsClient(
            "http://notification.fake",
            httpx.AsyncClient(transport=transport, base_url="http://notification.fake"),
        )
