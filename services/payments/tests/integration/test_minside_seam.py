"""The Min side → payments seam: Min side's real client against payments' real app.

Min side's ``PaymentsClient`` with the token source Min side builds for ``make run`` (the local
Maskinporten stand-in under ``<local_dir>/issuer``) talks to payments' ASGI app in-process;
payments trusts that issuer as ``make run`` configures it, and creates the payment at the fake
Vipps. Both sides read and write :mod:`contracts.http.payments`: a field changed on one side
fails here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fakes._base import ServerThread
from fakes.vipps import create_app as fake_vipps

from contracts.http.payments import VippsPaymentOrder
from minside.clients import AmountChanged, PaymentsClient, ServiceUnavailable, service_tokens
from minside.config import MinsideSettings
from payments.api.vipps import follow_open
from payments.bootstrap import create_app
from payments.consumers import HANDLERS
from payments_factories import payments_settings, registered, service_auth, vipps_settings
from runtime.embedded import free_port
from runtime.local_issuer import LocalIssuer

DUE = date.today() - timedelta(days=20)


@dataclass
class Seam:
    minside: PaymentsClient
    app: Any
    fake_url: str

    async def apply(self, *envelopes: Any) -> None:
        container = self.app.state.container
        for envelope in envelopes:
            async with container.runtime.uow() as uow:
                await HANDLERS[envelope.type](uow, envelope, office=container.office)
                await uow.commit()

    async def owed(self, claim: Any) -> int:
        from payments.db.reads import account_view_row
        from payments.handlers.queries import balance_view

        container = self.app.state.container
        async with container.runtime.engine.connect() as conn:
            row = await account_view_row(conn, claim.payload.claim_id)
        total: int = balance_view(row, date.today(), container.office)["total_ore"]
        return total


@pytest.fixture(scope="module")
async def seam(
    payments_db: str,
    nats_url: str,
    staff_issuer: LocalIssuer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Seam]:
    stack = tmp_path_factory.mktemp("kravflyt-local")  # what make run keeps in .kravflyt/
    issuer = LocalIssuer.load_or_create(stack / "issuer")
    fake = ServerThread(fake_vipps(None, "seam-webhook-secret"), free_port()).start()
    settings = payments_settings(
        payments_db,
        nats_url,
        staff_issuer,
        **vipps_settings(fake.url, "seam-webhook-secret"),
        **service_auth(issuer),
    )
    app = create_app(settings)
    await app.state.container.runtime.start()
    tokens = service_tokens(MinsideSettings(service="minside", local_dir=str(stack)))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://payments")
    yield Seam(PaymentsClient("http://payments", http, tokens), app, fake.url)
    await http.aclose()
    fake.stop()
    await app.state.container.runtime.stop()


def _order(claims: list[Any], amount: int, debtor_ref: str) -> VippsPaymentOrder:
    return VippsPaymentOrder(
        debtor_ref=debtor_ref,
        claim_ids=[c.payload.claim_id for c in claims],
        amount_ore=amount,
        return_url="http://localhost:8005/pay/done",
    )


async def test_min_sides_client_starts_a_payment_of_exactly_the_chosen_claim(seam):
    chosen, other = (
        registered(principal_ore=a, due_date=DUE, debtor_ref="ref1_seam_kari")
        for a in (40_000, 60_000)
    )
    await seam.apply(chosen, other)
    amount = await seam.owed(chosen)

    created = await seam.minside.start_vipps(
        _order([chosen], amount, "ref1_seam_kari"), idempotency_key="form-token-1"
    )

    assert created.amount_ore == amount
    assert [s.claim_id for s in created.claims] == [chosen.payload.claim_id]
    assert created.redirect_url.startswith(seam.fake_url + "/fake/landing/")
    again = await seam.minside.start_vipps(
        _order([chosen], amount, "ref1_seam_kari"), idempotency_key="form-token-1"
    )
    assert again == created


async def test_a_claim_id_the_citizen_does_not_own_is_refused(seam):
    mine = registered(principal_ore=10_000, due_date=DUE, debtor_ref="ref1_seam_ola")
    theirs = registered(principal_ore=10_000, due_date=DUE, debtor_ref="ref1_seam_nils")
    await seam.apply(mine, theirs)
    amount = await seam.owed(mine) + await seam.owed(theirs)

    with pytest.raises(ServiceUnavailable, match=r"404 account\.not_found"):
        await seam.minside.start_vipps(
            _order([mine, theirs], amount, "ref1_seam_ola"), idempotency_key="form-token-2"
        )


async def test_an_amount_other_than_todays_tells_min_side_the_amount_changed(seam):
    claim = registered(principal_ore=25_000, due_date=DUE, debtor_ref="ref1_seam_randi")
    await seam.apply(claim)
    shown = await seam.owed(claim) - 100  # what the page showed before the ledger moved

    with pytest.raises(AmountChanged):
        await seam.minside.start_vipps(
            _order([claim], shown, "ref1_seam_randi"), idempotency_key="form-token-changed"
        )


async def test_a_token_of_another_issuer_is_refused(seam, tmp_path):
    # Another stack's local issuer: a key payments does not trust.
    tokens = service_tokens(MinsideSettings(service="minside", local_dir=str(tmp_path)))
    transport = httpx.ASGITransport(app=seam.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://payments") as http:
        client = PaymentsClient("http://payments", http, tokens)
        mine = registered(principal_ore=10_000, due_date=DUE, debtor_ref="ref1_seam_per")
        await seam.apply(mine)

        with pytest.raises(ServiceUnavailable, match="401"):
            await client.start_vipps(
                _order([mine], await seam.owed(mine), "ref1_seam_per"), idempotency_key="t-3"
            )


async def test_a_payment_whose_webhook_never_came_is_booked_when_payments_asks_vipps(seam):
    # This fake Vipps sends no webhooks at all: only asking its API finds the approval.
    claim = registered(principal_ore=25_000, due_date=DUE, debtor_ref="ref1_seam_eva")
    await seam.apply(claim)
    amount = await seam.owed(claim)
    created = await seam.minside.start_vipps(
        _order([claim], amount, "ref1_seam_eva"), idempotency_key="form-token-4"
    )
    async with httpx.AsyncClient(base_url=seam.fake_url) as fake:
        approved = await fake.post(f"/fake/payments/{created.reference}/approve")
        assert approved.status_code == 200

    followed = await follow_open(seam.app.state.container, timedelta(hours=1))
    again = await follow_open(seam.app.state.container, timedelta(hours=1))

    mine = [f for f in followed if f["reference"] == created.reference]
    assert mine == [
        {"reference": created.reference, "state": "captured", "booked": 1, "issue": None}
    ]
    assert created.reference not in {f["reference"] for f in again}
    assert await seam.owed(claim) == 0
