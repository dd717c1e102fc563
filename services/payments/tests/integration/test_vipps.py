"""Vipps MobilePay: create → approve → capture → booked once; signatures; idempotent create."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fakes._base import ServerThread
from fakes.vipps import create_app as fake_vipps

from payments.bootstrap import create_app
from payments.vipps import sign_webhook, verify_webhook
from payments_checks import discrepancies, outbox
from payments_factories import payments_settings, registered
from runtime.embedded import free_port
from runtime.local_issuer import LocalIssuer

SECRET = "test-webhook-secret"
DUE = date.today() - timedelta(days=40)


def test_the_signature_matches_the_vipps_documentation_example():
    body = b'{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}'
    secret = (
        "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A=="
    )
    path = "/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63"
    date_ = "Thu, 30 Mar 2023 08:38:32 GMT"
    headers = sign_webhook(secret, path, "webhook.site", body, date_)
    assert headers["x-ms-content-sha256"] == "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4="
    assert headers["Authorization"].endswith(
        "&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="
    )
    received = httpx.Headers({**headers, "host": "webhook.site"})
    assert verify_webhook(secret, "POST", path, received, body)
    assert not verify_webhook(secret, "POST", path, received, body + b" ")
    assert not verify_webhook("other", "POST", path, received, body)


class Vipps:
    def __init__(self, client: httpx.AsyncClient, payments: Any, fake_url: str, url: str) -> None:
        self.client = client
        self.payments = payments
        self.fake_url = fake_url
        self.url = url

    def minside(self) -> dict[str, str]:
        return self.payments.token(roles=("minside",), subject="minside-backend")

    async def fake(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.fake_url, timeout=10) as client:
            response = await client.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()

    async def eventually(self, check: Callable[[], Any], seconds: float = 10) -> Any:
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            value = await check()
            if value or asyncio.get_running_loop().time() > deadline:
                return value
            await asyncio.sleep(0.05)


class _Under:
    """What payments_checks needs of a payments under test."""

    def __init__(self, app: Any, staff: LocalIssuer) -> None:
        self.app = app
        self.staff = staff

    @property
    def runtime(self) -> Any:
        return self.app.state.container.runtime

    def token(self, roles: tuple[str, ...], subject: str) -> dict[str, str]:
        token = self.staff.issue_staff_token(
            subject=subject, name="Min side", roles=roles, municipalities=("3301", "3303")
        )
        return {"Authorization": f"Bearer {token}"}

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        import sqlalchemy as sa

        async with self.runtime.engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())

    async def apply(self, envelope: Any) -> None:
        from payments.consumers import HANDLERS

        async with self.runtime.uow() as uow:
            await HANDLERS[envelope.type](uow, envelope, office=self.app.state.container.office)
            await uow.commit()


@pytest.fixture(scope="module")
async def vipps(payments_db: str, nats_url: str, staff_issuer: LocalIssuer) -> AsyncIterator[Vipps]:
    """Payments served by uvicorn in the test's loop, the fake Vipps in a thread, both on ports."""
    port, fake_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    fake = ServerThread(fake_vipps(f"{url}/v1/vipps/webhooks", SECRET), fake_port).start()
    settings = payments_settings(
        payments_db, nats_url, staff_issuer, vipps_base_url=fake.url, vipps_webhook_secret=SECRET
    )
    app = create_app(settings)
    runtime = app.state.container.runtime
    await runtime.start()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=url, timeout=20) as client:
        yield Vipps(client, _Under(app, staff_issuer), fake.url, url)
    server.should_exit = True
    await task
    fake.stop()
    await runtime.stop()


async def start(vipps: Vipps, key: str, **order: Any) -> httpx.Response:
    headers = {**vipps.minside(), "Idempotency-Key": key}
    return await vipps.client.post("/v1/payments/vipps", json=order, headers=headers)


async def balance(vipps: Vipps, claim_id: Any) -> dict[str, Any]:
    headers = vipps.payments.token(roles=("payments",), subject="kari")
    response = await vipps.client.get(f"/v1/accounts/{claim_id}/balance", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def vipps_payments(vipps: Vipps, reference: str) -> list[Any]:
    return await vipps.payments.rows(
        "SELECT payment_key, amount_ore FROM payment WHERE sender = 'vipps'"
        " AND payment_key LIKE :r ORDER BY payment_key",
        r=f"{reference}%",
    )


async def test_create_approve_capture_settles_the_claim_once_even_if_delivered_twice(vipps):
    claim = registered(principal_ore=120_000, due_date=DUE)
    await vipps.payments.apply(claim)
    owed = (await balance(vipps, claim.payload.claim_id))["total_ore"]
    assert owed > 120_000  # interest accrued since the due date

    response = await start(vipps, "pay-1", claim_id=str(claim.payload.claim_id))
    assert response.status_code == 201, response.text
    created = response.json()
    reference = created["reference"]
    assert created["amount_ore"] == owed
    assert created["redirect_url"].endswith(f"/fake/landing/{reference}")

    await vipps.fake("POST", f"/fake/payments/{reference}/approve")

    async def settled() -> bool:
        return bool((await balance(vipps, claim.payload.claim_id))["settled"])

    assert await vipps.eventually(settled)
    payment = await vipps.fake("GET", "/_admin/payments")
    [state] = [p for p in payment["payments"] if p["reference"] == reference]
    assert state["aggregate"]["capturedAmount"]["value"] == owed
    events = await outbox(
        vipps.payments, "accounts.balance_changed.v1", str(claim.payload.claim_id)
    )
    assert events and events[-1]["settled"] is True
    assert [tuple(r) for r in await vipps_payments(vipps, reference)] == [(reference, owed)]

    # Vipps delivers the CAPTURED webhook again: nothing more is booked.
    webhooks = (await vipps.fake("GET", "/_admin/webhooks"))["webhooks"]
    captured = [
        n for n, w in enumerate(webhooks)
        if w["event"] == "epayments.payment.captured.v1" and reference in w["body"]
    ]  # fmt: skip
    assert len(captured) == 1 and webhooks[captured[0]]["status"] == 200
    again = await vipps.fake("POST", f"/_admin/webhooks/{captured[0]}/redeliver")
    assert again["status"] == 200
    assert len(await vipps_payments(vipps, reference)) == 1
    assert len(
        await outbox(vipps.payments, "accounts.balance_changed.v1", str(claim.payload.claim_id))
    ) == len(events)
    assert await discrepancies(vipps.payments) == []


async def test_a_badly_signed_webhook_is_refused_and_books_nothing(vipps):
    claim = registered(principal_ore=50_000, due_date=DUE)
    await vipps.payments.apply(claim)
    created = (await start(vipps, "pay-2", claim_id=str(claim.payload.claim_id))).json()
    body = json.dumps(
        {"reference": created["reference"], "pspReference": "x", "name": "CAPTURED",
         "amount": {"currency": "NOK", "value": created["amount_ore"]}}
    ).encode()  # fmt: skip
    host = vipps.url.removeprefix("http://")
    forged = sign_webhook("not-the-secret", "/v1/vipps/webhooks", host, body)
    response = await vipps.client.post(
        "/v1/vipps/webhooks", content=body, headers={**forged, "Content-Type": "application/json"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "vipps.webhook_signature_invalid"

    tampered = sign_webhook(SECRET, "/v1/vipps/webhooks", host, body)
    response = await vipps.client.post(
        "/v1/vipps/webhooks", content=body.replace(b"CAPTURED", b"CAPTURED "), headers=tampered
    )
    assert response.status_code == 401
    assert await vipps_payments(vipps, created["reference"]) == []
    assert (await balance(vipps, claim.payload.claim_id))["settled"] is False


async def test_the_same_idempotency_key_twice_creates_one_vipps_payment(vipps):
    claim = registered(principal_ore=30_000, due_date=DUE)
    await vipps.payments.apply(claim)
    order = {"claim_id": str(claim.payload.claim_id)}

    first, second = await asyncio.gather(
        start(vipps, "pay-3", **order), start(vipps, "pay-3", **order)
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    listed = (await vipps.fake("GET", "/_admin/payments"))["payments"]
    assert [p["reference"] for p in listed].count(first.json()["reference"]) == 1
    other = await start(vipps, "pay-4", **order)
    assert other.json()["reference"] != first.json()["reference"]


async def test_a_debtors_whole_open_amount_is_paid_and_booked_per_claim(vipps):
    claims = [
        registered(principal_ore=a, due_date=DUE, debtor_ref="ref1_vipps_debtor")
        for a in (10_000, 20_000)
    ]
    for claim in claims:
        await vipps.payments.apply(claim)
    created = (await start(vipps, "pay-5", debtor_ref="ref1_vipps_debtor")).json()
    assert len(created["claims"]) == 2
    await vipps.fake("POST", f"/fake/payments/{created['reference']}/approve")

    async def all_settled() -> bool:
        return all([(await balance(vipps, c.payload.claim_id))["settled"] for c in claims])

    assert await vipps.eventually(all_settled)
    assert len(await vipps_payments(vipps, created["reference"])) == 2
    assert await discrepancies(vipps.payments) == []


async def test_minside_role_is_required(vipps):
    claim = registered(principal_ore=30_000, due_date=DUE)
    await vipps.payments.apply(claim)
    headers = {**vipps.payments.token(roles=("payments",), subject="kari"), "Idempotency-Key": "k"}
    response = await vipps.client.post(
        "/v1/payments/vipps", json={"claim_id": str(claim.payload.claim_id)}, headers=headers
    )
    assert response.status_code == 403
