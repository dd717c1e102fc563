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

from contracts.http.payments import PAYMENTS_SCOPE, VippsPaymentCreated, VippsPaymentOrder
from payments.bootstrap import create_app
from payments.config import PaymentsSettings
from payments.vipps import sign_webhook, verify_webhook
from payments_checks import discrepancies, outbox
from payments_factories import payments_settings, registered, service_auth, vipps_settings
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
    def __init__(
        self,
        client: httpx.AsyncClient,
        payments: Any,
        fake_url: str,
        url: str,
        maskinporten: LocalIssuer,
    ) -> None:
        self.client = client
        self.payments = payments
        self.fake_url = fake_url
        self.url = url
        self.maskinporten = maskinporten

    def minside(self, client_id: str = "minside", scope: str = PAYMENTS_SCOPE) -> dict[str, str]:
        """Min side's own service token (Maskinporten-style), as it sends it."""
        token = self.maskinporten.issue_token(
            orgnr="999999999", scopes=[scope], client_id=client_id
        )
        return {"Authorization": f"Bearer {token}"}

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
def maskinporten(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    """The issuer of service tokens (Maskinporten's stand-in), as in make run."""
    return LocalIssuer.load_or_create(tmp_path_factory.mktemp("maskinporten"))


@pytest.fixture(scope="module")
async def vipps(
    payments_db: str, nats_url: str, staff_issuer: LocalIssuer, maskinporten: LocalIssuer
) -> AsyncIterator[Vipps]:
    """Payments served by uvicorn in the test's loop, the fake Vipps in a thread, both on ports."""
    port, fake_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    fake = ServerThread(fake_vipps(f"{url}/v1/vipps/webhooks", SECRET), fake_port).start()
    settings = payments_settings(
        payments_db,
        nats_url,
        staff_issuer,
        **vipps_settings(fake.url, SECRET),
        **service_auth(maskinporten),
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
        yield Vipps(client, _Under(app, staff_issuer), fake.url, url, maskinporten)
    server.should_exit = True
    await task
    fake.stop()
    await runtime.stop()


RETURN_URL = "https://minside.test/pay/done"


async def start(vipps: Vipps, key: str, **order: Any) -> httpx.Response:
    headers = {**vipps.minside(), "Idempotency-Key": key}
    return await vipps.client.post("/v1/payments/vipps", json=order, headers=headers)


def order(claims: list[Any], amount_ore: int, debtor_ref: str | None = None) -> dict[str, Any]:
    """The body Min side sends (contracts.http.payments.VippsPaymentOrder)."""
    return VippsPaymentOrder(
        debtor_ref=debtor_ref or claims[0].payload.debtor_ref,
        claim_ids=[c.payload.claim_id for c in claims],
        amount_ore=amount_ore,
        return_url=RETURN_URL,
    ).model_dump(mode="json")


async def balance(vipps: Vipps, claim_id: Any) -> dict[str, Any]:
    headers = vipps.payments.token(roles=("payments",), subject="kari")
    response = await vipps.client.get(f"/v1/accounts/{claim_id}/balance", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def owed(vipps: Vipps, *claims: Any) -> int:
    return sum([(await balance(vipps, c.payload.claim_id))["total_ore"] for c in claims])


async def vipps_payments(vipps: Vipps, reference: str) -> list[Any]:
    return await vipps.payments.rows(
        "SELECT payment_key, amount_ore FROM payment WHERE sender = 'vipps'"
        " AND payment_key LIKE :r ORDER BY payment_key",
        r=f"{reference}%",
    )


async def stored(vipps: Vipps, reference: str) -> Any:
    [row] = await vipps.payments.rows(
        "SELECT * FROM vipps_payment WHERE reference = :r", r=reference
    )
    return row


async def created_payment(vipps: Vipps, key: str, *claims: Any) -> dict[str, Any]:
    for claim in claims:
        await vipps.payments.apply(claim)
    response = await start(vipps, key, **order(list(claims), await owed(vipps, *claims)))
    assert response.status_code == 201, response.text
    return dict(response.json())


def signed(body: dict[str, Any], vipps: Vipps, secret: str = SECRET, **kw: Any) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    host = vipps.url.removeprefix("http://")
    headers = sign_webhook(secret, "/v1/vipps/webhooks", host, raw, **kw)
    return {"content": raw, "headers": {**headers, "Content-Type": "application/json"}}


def captured_event(created: dict[str, Any], value: int | None = None) -> dict[str, Any]:
    return {
        "msn": "123456", "reference": created["reference"], "pspReference": "psp-1",
        "name": "CAPTURED", "amount": {"currency": "NOK", "value": value or created["amount_ore"]},
    }  # fmt: skip


async def test_create_approve_capture_settles_the_claim_once_even_if_delivered_twice(vipps):
    claim = registered(principal_ore=120_000, due_date=DUE)
    await vipps.payments.apply(claim)
    amount = await owed(vipps, claim)
    assert amount > 120_000  # interest accrued since the due date

    response = await start(vipps, "pay-1", **order([claim], amount))
    assert response.status_code == 201, response.text
    created = VippsPaymentCreated.model_validate(response.json())
    reference = created.reference
    assert created.amount_ore == amount
    assert [(s.claim_id, s.amount_ore) for s in created.claims] == [
        (claim.payload.claim_id, amount)
    ]
    assert created.redirect_url.endswith(f"/fake/landing/{reference}")
    assert (await stored(vipps, reference)).state == "created"

    await vipps.fake("POST", f"/fake/payments/{reference}/approve")

    async def settled() -> bool:
        return bool((await balance(vipps, claim.payload.claim_id))["settled"])

    assert await vipps.eventually(settled)
    payment = await vipps.fake("GET", "/_admin/payments")
    [state] = [p for p in payment["payments"] if p["reference"] == reference]
    assert state["aggregate"]["capturedAmount"]["value"] == amount
    row = await stored(vipps, reference)
    assert (row.state, row.captured_ore, row.issue) == ("captured", amount, None)
    events = await outbox(
        vipps.payments, "accounts.balance_changed.v1", str(claim.payload.claim_id)
    )
    assert events and events[-1]["settled"] is True
    assert [tuple(r) for r in await vipps_payments(vipps, reference)] == [
        (f"{reference}/1", amount)
    ]

    # Vipps delivers the CAPTURED webhook again: nothing more is booked.
    async def captured_sent() -> list[int]:
        webhooks = (await vipps.fake("GET", "/_admin/webhooks"))["webhooks"]
        return [
            n for n, w in enumerate(webhooks)
            if w["event"] == "epayments.payment.captured.v1" and reference in w["body"]
            and w["status"] == 200
        ]  # fmt: skip

    captured = await vipps.eventually(captured_sent)
    assert len(captured) == 1
    again = await vipps.fake("POST", f"/_admin/webhooks/{captured[0]}/redeliver")
    assert again["status"] == 200
    assert len(await vipps_payments(vipps, reference)) == 1
    assert len(
        await outbox(vipps.payments, "accounts.balance_changed.v1", str(claim.payload.claim_id))
    ) == len(events)
    assert await discrepancies(vipps.payments) == []


async def test_a_forged_stale_or_replayed_webhook_books_nothing(vipps):
    claim = registered(principal_ore=50_000, due_date=DUE)
    created = await created_payment(vipps, "pay-2", claim)
    event = captured_event(created)

    # Signed with the fake's public secret (the old default): refused.
    forged = await vipps.client.post(
        "/v1/vipps/webhooks", **signed(event, vipps, secret="local-webhook-secret")
    )
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["code"] == "vipps.webhook_signature_invalid"

    request = signed(event, vipps)
    tampered = await vipps.client.post(
        "/v1/vipps/webhooks",
        content=request["content"].replace(b"CAPTURED", b"CAPTURED "),
        headers=request["headers"],
    )
    assert tampered.status_code == 401

    stale = await vipps.client.post(
        "/v1/vipps/webhooks", **signed(event, vipps, date="Thu, 30 Mar 2023 08:38:32 GMT")
    )
    assert stale.status_code == 401 and stale.json()["code"] == "vipps.webhook_stale"

    # Correctly signed, but Vipps' API says the payment was never even approved: a webhook is
    # a hint; nothing is booked, however often it is replayed.
    for _ in range(2):
        hint = await vipps.client.post("/v1/vipps/webhooks", **request)
        assert hint.status_code == 200, hint.text
        assert hint.json()["booked"] == 0
    assert await vipps_payments(vipps, created["reference"]) == []
    assert (await stored(vipps, created["reference"])).state == "created"
    assert (await balance(vipps, claim.payload.claim_id))["settled"] is False


async def test_a_capture_of_another_amount_books_nothing_to_the_claim_and_raises_a_work_item(
    vipps,
):
    claim = registered(principal_ore=70_000, due_date=DUE)
    created = await created_payment(vipps, "pay-6", claim)
    reference, short = created["reference"], created["amount_ore"] - 100
    await vipps.fake(
        "POST", f"/_admin/payments/{reference}/captured", json={"currency": "NOK", "value": short}
    )

    hint = await vipps.client.post(
        "/v1/vipps/webhooks", **signed(captured_event(created, short), vipps)
    )

    assert hint.status_code == 200, hint.text
    row = await stored(vipps, reference)
    assert (row.state, row.captured_ore, row.issue) == ("captured", short, "vipps.amount_mismatch")
    assert (await balance(vipps, claim.payload.claim_id))["paid_ore"] == 0
    [item] = await vipps.payments.rows(
        "SELECT u.state, u.amount_ore, u.claim_id FROM unmatched_payment u"
        " JOIN payment p ON p.id = u.payment_id WHERE p.payment_key = :r",
        r=reference,
    )
    assert (item.state, item.amount_ore, item.claim_id) == ("open", short, None)
    assert await discrepancies(vipps.payments) == []


async def test_the_same_idempotency_key_twice_creates_one_vipps_payment(vipps):
    claim = registered(principal_ore=30_000, due_date=DUE)
    await vipps.payments.apply(claim)
    body = order([claim], await owed(vipps, claim))

    first, second = await asyncio.gather(
        start(vipps, "pay-3", **body), start(vipps, "pay-3", **body)
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    listed = (await vipps.fake("GET", "/_admin/payments"))["payments"]
    assert [p["reference"] for p in listed].count(first.json()["reference"]) == 1
    other = await start(vipps, "pay-4", **body)
    assert other.json()["reference"] != first.json()["reference"]


async def test_exactly_the_chosen_claims_are_paid_and_booked_per_claim(vipps):
    debtor = "ref1_vipps_debtor"
    claims = [
        registered(principal_ore=a, due_date=DUE, debtor_ref=debtor)
        for a in (10_000, 20_000, 40_000)
    ]
    for claim in claims:
        await vipps.payments.apply(claim)
    chosen, untouched = claims[:2], claims[2]
    created = await created_payment(vipps, "pay-5", *chosen)
    assert {s["claim_id"] for s in created["claims"]} == {str(c.payload.claim_id) for c in chosen}
    assert created["amount_ore"] == await owed(vipps, *chosen)

    await vipps.fake("POST", f"/fake/payments/{created['reference']}/approve")

    async def chosen_settled() -> bool:
        return all([(await balance(vipps, c.payload.claim_id))["settled"] for c in chosen])

    assert await vipps.eventually(chosen_settled)
    assert len(await vipps_payments(vipps, created["reference"])) == 2
    assert (await balance(vipps, untouched.payload.claim_id))["paid_ore"] == 0
    assert await discrepancies(vipps.payments) == []


async def test_a_claim_of_another_debtor_is_refused_as_not_found(vipps):
    mine = registered(principal_ore=10_000, due_date=DUE, debtor_ref="ref1_owner")
    theirs = registered(principal_ore=90_000, due_date=DUE, debtor_ref="ref1_someone_else")
    for claim in (mine, theirs):
        await vipps.payments.apply(claim)
    forged = order([mine, theirs], await owed(vipps, mine, theirs), debtor_ref="ref1_owner")

    response = await start(vipps, "pay-forged", **forged)

    assert response.status_code == 404, response.text
    assert response.json()["code"] == "account.not_found"
    listed = (await vipps.fake("GET", "/_admin/payments"))["payments"]
    assert not [p for p in listed if p["amount"]["value"] == forged["amount_ore"]]


async def test_an_amount_other_than_todays_open_amount_is_refused(vipps):
    claim = registered(principal_ore=15_000, due_date=DUE)
    await vipps.payments.apply(claim)

    response = await start(vipps, "pay-old", **order([claim], await owed(vipps, claim) - 1))

    assert response.status_code == 409
    assert response.json()["code"] == "vipps.amount_changed"


async def test_an_unknown_field_is_refused_not_dropped(vipps):
    claim = registered(principal_ore=15_000, due_date=DUE)
    await vipps.payments.apply(claim)
    body = order([claim], await owed(vipps, claim)) | {"claim_id": str(claim.payload.claim_id)}

    response = await start(vipps, "pay-extra", **body)

    assert response.status_code == 422


async def test_only_min_sides_own_token_with_the_scope_may_start_a_payment(vipps):
    claim = registered(principal_ore=30_000, due_date=DUE)
    await vipps.payments.apply(claim)
    body = order([claim], await owed(vipps, claim))
    staff = vipps.payments.token(roles=("minside",), subject="minside-backend")
    municipality = vipps.minside(client_id="drammen-kommune")
    unscoped = vipps.minside(scope="kravflyt:claims.write")

    answers = [
        await vipps.client.post(
            "/v1/payments/vipps", json=body, headers={**headers, "Idempotency-Key": "k"}
        )
        for headers in (staff, municipality, unscoped)
    ]

    assert [a.status_code for a in answers] == [401, 403, 403]
    assert [a.json()["code"] for a in answers] == [
        "auth.token_invalid", "auth.client_not_allowed", "auth.scope_missing"
    ]  # fmt: skip


def test_payments_refuses_to_start_without_vipps_secrets_outside_local_mode():
    settings = PaymentsSettings(service="payments", vipps_webhook_secret="set")

    with pytest.raises(ValueError, match="KRAVFLYT_PAYMENTS_VIPPS_CLIENT_SECRET") as refused:
        create_app(settings)

    assert "KRAVFLYT_PAYMENTS_VIPPS_WEBHOOK_SECRET" not in str(refused.value)
    local = PaymentsSettings(service="payments", local_dir="/tmp/kravflyt")
    assert local.vipps_secrets()["vipps_webhook_secret"] == "local-webhook-secret"
