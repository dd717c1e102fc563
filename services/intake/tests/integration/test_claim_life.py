"""The register follows the claim's life from payments' ledger and dunning's cases, on NATS.

Intake runs with its real subscribers on a real NATS JetStream and PostgreSQL; the events are
published as payments and dunning publish them (envelopes of the registered payload models).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.dunning import CaseClosedV1
from contracts.envelope import new_envelope
from contracts.payments import BalanceChangedV1
from intake_factories import claim_body
from runtime.testing import publish_bytes, read_events

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def registered(intake) -> dict[str, Any]:
    response = await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())
    assert response.status_code == 201, response.text
    return response.json()


def balance(claim: dict[str, Any], *, settled: bool, at: datetime, **changes: Any) -> bytes:
    """An ``accounts.balance_changed.v1`` envelope as payments publishes it."""
    principal = 0 if settled else claim["principal_ore"]
    fields: dict[str, Any] = {
        "claim_id": claim["id"],
        "debtor_ref": claim["debtor"]["ref"],
        "principal_ore": principal,
        "interest_ore": 0,
        "fees_ore": 0,
        "total_ore": principal,
        "paid_ore": claim["principal_ore"] - principal,
        "settled": settled,
        "cause": "payment" if settled else "refund",
        "as_of": at.date(),
        "changed_at": at,
    } | changes
    return _envelope("accounts.balance_changed.v1", "payments", claim, BalanceChangedV1(**fields))


def case_closed(claims: list[dict[str, Any]], reason: str) -> bytes:
    """A ``cases.closed.v1`` envelope as dunning publishes it."""
    payload = CaseClosedV1(
        case_id=uuid.uuid4(), reason=reason, closed_at=T0, claim_ids=[c["id"] for c in claims]
    )
    return _envelope("cases.closed.v1", "dunning", claims[0], payload)


def _envelope(event_type: str, source: str, claim: dict[str, Any], payload: Any) -> bytes:
    envelope = new_envelope(
        event_type,
        source=source,
        tenant=claim["municipality"],
        subject=claim["id"],
        payload=payload,
        occurred_at=datetime.now(UTC),
    )
    return envelope.model_dump_json().encode()


async def status_becomes(intake, claim: dict[str, Any], wanted: str, wait: float = 15) -> str:
    """Poll ``GET /v1/claims/{id}`` as a municipality does; the last status seen."""
    status = ""
    for _ in range(int(wait / 0.1)):
        response = await intake.client.get(f"/v1/claims/{claim['id']}", headers=intake.token())
        status = response.json()["status"]
        if status == wanted:
            break
        await asyncio.sleep(0.1)
    return status


async def status_changes(nats_url: str, claim: dict[str, Any], expect: int) -> list[Any]:
    return await read_events(
        nats_url,
        "claims.status_changed.v1",
        lambda e: e["subject"] == claim["id"],
        expect=expect,
        settle=1.5,
    )


async def test_a_claim_the_ledger_settles_shows_as_paid_and_is_announced_once(intake, nats_url):
    claim = await registered(intake)
    settled = balance(claim, settled=True, at=T0)

    for _ in range(2):  # delivered twice: the inbox applies it once
        await publish_bytes(nats_url, "accounts.balance_changed.v1", settled)

    assert await status_becomes(intake, claim, "paid") == "paid"
    [changed] = await status_changes(nats_url, claim, expect=1)
    assert changed["tenant"] == "3301"
    assert changed["payload"] | {"source_event_id": None, "changed_at": None} == {
        "claim_id": claim["id"],
        "status_before": "open",
        "status": "paid",
        "decided_by": "ledger",
        "reason": "settled",
        "source_event_id": None,
        "changed_at": None,
    }
    listed = await intake.client.get("/v1/claims?status=paid&limit=500", headers=intake.token())
    assert claim["id"] in [c["id"] for c in listed.json()["items"]]


async def test_a_balance_overtaken_by_a_later_one_changes_nothing_and_a_refund_reopens(
    intake, nats_url
):
    claim = await registered(intake)
    later, earlier = T0 + timedelta(hours=1), T0

    await publish_bytes(
        nats_url, "accounts.balance_changed.v1", balance(claim, settled=True, at=later)
    )
    assert await status_becomes(intake, claim, "paid") == "paid"
    await publish_bytes(
        nats_url, "accounts.balance_changed.v1", balance(claim, settled=False, at=earlier)
    )
    await status_changes(nats_url, claim, expect=2)  # gives the late one time to arrive
    assert await status_becomes(intake, claim, "paid", wait=0.1) == "paid"

    refund = balance(claim, settled=False, at=later + timedelta(days=1))
    await publish_bytes(nats_url, "accounts.balance_changed.v1", refund)

    assert await status_becomes(intake, claim, "open") == "open"
    changes = await status_changes(nats_url, claim, expect=2)
    assert [(e["payload"]["status"], e["payload"]["reason"]) for e in changes] == [
        ("paid", "settled"),
        ("open", "reopened"),
    ]


async def test_a_case_closed_by_dunning_ends_its_open_claims_as_the_case_says(intake, nats_url):
    first, second, paid = [await registered(intake) for _ in range(3)]
    await publish_bytes(nats_url, "accounts.balance_changed.v1", balance(paid, settled=True, at=T0))
    assert await status_becomes(intake, paid, "paid") == "paid"

    await publish_bytes(
        nats_url, "cases.closed.v1", case_closed([first, second, paid], "handed_over")
    )

    assert await status_becomes(intake, first, "handed_over") == "handed_over"
    assert await status_becomes(intake, second, "handed_over") == "handed_over"
    assert await status_becomes(intake, paid, "handed_over", wait=1) == "paid"
    [changed] = await status_changes(nats_url, first, expect=1)
    assert (changed["payload"]["decided_by"], changed["payload"]["reason"]) == (
        "dunning",
        "handed_over",
    )


async def test_a_claim_the_municipality_cancelled_stays_cancelled_whatever_the_ledger_says(
    intake, nats_url
):
    claim = await registered(intake)
    cancelled = await intake.client.post(
        f"/v1/claims/{claim['id']}/adjustments",
        json={"kind": "cancellation", "reason_code": "wrong_debtor", "reason": "Feil skyldner"},
        headers=intake.token(),
    )
    assert cancelled.status_code == 201, cancelled.text

    await publish_bytes(
        nats_url, "accounts.balance_changed.v1", balance(claim, settled=True, at=T0)
    )
    await publish_bytes(nats_url, "cases.closed.v1", case_closed([claim], "cancelled"))

    assert await status_changes(nats_url, claim, expect=1) == []
    assert await status_becomes(intake, claim, "cancelled", wait=0.1) == "cancelled"


async def test_a_closed_case_naming_a_claim_the_register_never_had_ends_in_dead_letters(
    intake, nats_url
):
    stranger = {"id": str(uuid.uuid4()), "municipality": "3301"}
    body = case_closed([stranger], "stopped")

    await publish_bytes(nats_url, "cases.closed.v1", body)
    dead = await read_events(
        nats_url,
        "deadletters.recorded.v1",
        lambda e: (
            e["payload"]["event_type"] == "cases.closed.v1"
            and stranger["id"] in e["payload"]["original"]
        ),
        expect=1,
    )

    assert len(dead) == 1
    assert dead[0]["payload"]["consumer"] == "intake.cases.closed.v1"
    assert dead[0]["payload"]["attempts"] == 1
    assert "not in the register" in dead[0]["payload"]["error_message"]
