"""The Min side → notification seam: Min side's real client against notification's real app.

Min side's ``DocumentsClient`` with the token source Min side uses in ``make run`` (the local
Maskinporten stand-in notification trusts) reads a delivered letter from notification's ASGI
app in-process; both sides use :mod:`contracts.http.documents`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from minside.clients import DocumentsClient, ServiceUnavailable
from minside.config import MinsideSettings
from notification_factories import fodselsnummer, requested
from runtime.service_tokens import local_tokens

MINSIDE = MinsideSettings(service="minside")


@pytest.fixture(scope="module")
async def letter(notification: Any) -> Any:
    payload = requested(notification.keys, fodselsnummer(day=25))
    await notification.publish(payload)
    return await notification.wait_status(payload.notice_id, "delivered")


def _client(notification: Any, http: httpx.AsyncClient, client_id: str) -> DocumentsClient:
    tokens = local_tokens(
        notification.issuer.directory, client_id=client_id, orgnr=MINSIDE.service_orgnr
    )
    return DocumentsClient("http://notification", http, tokens)


@pytest.fixture
async def http(notification: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=notification.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notification") as client:
        yield client


async def test_min_sides_client_reads_the_citizens_own_letter(notification, letter, http):
    documents = _client(notification, http, MINSIDE.service_client_id)

    pdf = await documents.pdf(letter.document_id, letter.debtor_ref)
    someone_elses = await documents.pdf(letter.document_id, "ref1_someone_else")

    assert pdf is not None and pdf.startswith(b"%PDF")
    assert someone_elses is None


async def test_another_client_with_the_scope_may_not_read_for_a_citizen(notification, letter, http):
    documents = _client(notification, http, "drammen-kommune")

    with pytest.raises(ServiceUnavailable, match="403"):
        await documents.pdf(letter.document_id, letter.debtor_ref)
