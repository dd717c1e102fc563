"""A claim from intake to a settled account, over real processes (PostgreSQL, NATS, services).

intake registers the claim over HTTP; payments opens its account and announces the KID on
NATS; an OCR giro file paying that KID is posted to payments; the account's balance event says
the claim is settled, and intake's register, following the ledger, shows it as paid.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import DeliverPolicy

from runtime.localstack import LocalStack

sys.path.insert(0, str(Path(__file__).parents[2] / "services/payments/tests/unit/files"))
from payment_file_builders import Assignment, Tx, encode, ocr_lines

pytestmark = pytest.mark.e2e


def first_event(
    nats_url: str, event_type: str, match: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    """The first envelope of ``event_type`` on the stream that ``match`` accepts."""

    async def wait() -> dict[str, Any]:
        nc = await nats.connect(nats_url)
        try:
            sub = await nc.jetstream().subscribe(
                f"kravflyt.{event_type}", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
            )
            while True:
                envelope = json.loads((await sub.next_msg(timeout=timeout)).data)
                if match(envelope):
                    return envelope
        finally:
            await nc.close()

    return asyncio.run(wait())


def ocr_paying(kid: str, amount_ore: int, day: date) -> bytes:
    """An OCR giro file with one payment of ``amount_ore`` to ``kid`` settled on ``day``."""
    tx = Tx("10", amount_ore, day, kid=kid, archive="000000001", debit="12345678903")
    assignment = Assignment("001234567", "9000001", "86011117947", (tx,))
    return encode(ocr_lines("9000001", "00012345", [assignment], day))


def status_in_intake(stack: LocalStack, claim_id: str, wanted: str, wait: float = 30) -> str:
    """Poll ``GET /v1/claims/{id}`` as the municipality does; the last status seen."""
    headers = {"Authorization": f"Bearer {stack.token()}"}
    deadline, status = time.monotonic() + wait, ""
    with httpx.Client(base_url=stack.service_url("intake"), trust_env=False) as client:
        while status != wanted and time.monotonic() < deadline:
            answer = client.get(f"/v1/claims/{claim_id}", headers=headers)
            assert answer.status_code == 200, answer.text
            status = answer.json()["status"]
            time.sleep(0.2)
    return status


def test_a_claim_registered_in_intake_and_paid_by_an_ocr_file_is_settled_and_shown_paid(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]]
) -> None:
    local_stack.start_service("intake")
    local_stack.start_service("payments")
    body = claim_body(principal_ore=125_000)
    due = date.fromisoformat(body["due_date"])
    # The office's identity provider stand-in of the stack; payments trusts it as make run does.
    caseworker = local_stack.staff_issuer.issue_staff_token(
        subject="e2e", name="E2E", roles=["payments"], municipalities=["3301"]
    )

    with httpx.Client(trust_env=False, timeout=30) as client:
        created = client.post(
            local_stack.service_url("intake") + "/v1/claims",
            json=body,
            headers={"Authorization": f"Bearer {local_stack.token()}"},
        )
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        opened = first_event(
            local_stack.nats_url, "accounts.opened.v1", lambda e: e["subject"] == claim_id
        )
        kid = opened["payload"]["kid"]
        # Paid on the due date: no interest, so the principal settles the claim.
        imported = client.post(
            local_stack.service_url("payments") + "/v1/payment-files",
            content=ocr_paying(kid, 125_000, due),
            headers={"Authorization": f"Bearer {caseworker}", "Content-Type": "text/plain"},
        )

    assert imported.status_code == 201, imported.text
    assert imported.json()["allocated_ore"] == 125_000
    settled = first_event(
        local_stack.nats_url,
        "accounts.balance_changed.v1",
        lambda e: e["subject"] == claim_id and e["payload"]["cause"] == "payment",
    )
    assert settled["payload"]["settled"] is True
    assert settled["payload"]["total_ore"] == 0
    assert settled["tenant"] == "3301"
    assert status_in_intake(local_stack, claim_id, "paid") == "paid"
