"""A payment the bank reversed, over real processes: payments undoes it, dunning reopens.

Intake registers the claim; payments books an OCR file paying it in full (the claim settles,
dunning closes the case), then a later OCR file whose reversal record (type 18) takes the
payment back. Payments' own events reach dunning over NATS: the case is open again at its
step, with a work item that tells the story, and the ledger still reconciles.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from runtime.localstack import LocalStack
from runtime.testing import read_events

sys.path.insert(0, str(Path(__file__).parents[2] / "services/payments/tests/unit/files"))
from payment_file_builders import Assignment, Tx, encode, ocr_lines

pytestmark = pytest.mark.e2e


def ocr(tx: Tx, number: str) -> bytes:
    assignment = Assignment("001234567", number, "86011117947", (tx,))
    return encode(ocr_lines(number, "00012345", [assignment], tx.settled))


def test_a_booked_ocr_payment_reversed_in_a_later_file_reopens_the_claim_and_its_case(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]]
) -> None:
    for service in ("intake", "payments", "dunning"):
        local_stack.start_service(service)
    body = claim_body(principal_ore=125_000)
    due = date.fromisoformat(body["due_date"])
    staff = local_stack.staff_issuer.issue_staff_token(
        subject="e2e", name="E2E", roles=["payments"], municipalities=["3301"]
    )
    files = {"Authorization": f"Bearer {staff}", "Content-Type": "text/plain"}
    with httpx.Client(trust_env=False, timeout=60) as client:
        created = client.post(
            local_stack.service_url("intake") + "/v1/claims",
            json=body,
            headers={"Authorization": f"Bearer {local_stack.token()}"},
        )
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        [opened] = _events(local_stack, "accounts.opened.v1", _subject(claim_id))
        _events(local_stack, "cases.opened.v1", lambda e: claim_id in e["payload"]["claim_ids"])
        kid = opened["payload"]["kid"]
        paid = Tx("10", 125_000, due, kid=kid, archive="000000001", debit="12345678903")
        booked = client.post(
            local_stack.service_url("payments") + "/v1/payment-files",
            content=ocr(paid, "9100001"),
            headers=files,
        )
        assert booked.status_code == 201, booked.text
        [closed] = _events(local_stack, "cases.closed.v1", lambda e: True)
        assert closed["payload"]["reason"] == "settled"
        back = Tx("18", 125_000, due + timedelta(days=3), kid=kid, debit="12345678903")
        reversed_ = client.post(
            local_stack.service_url("payments") + "/v1/payment-files",
            content=ocr(back, "9100002"),
            headers=files,
        )

    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["reversals_undone"] == 1
    [story] = _events(local_stack, "payments.reversed.v1", _subject(claim_id))
    assert story["payload"]["principal_ore"] == 125_000
    balances = _events(local_stack, "accounts.balance_changed.v1", _subject(claim_id), 3)
    assert (balances[-1]["payload"]["settled"], balances[-1]["payload"]["total_ore"]) == (
        False,
        125_000,
    )
    [resumed] = _events(local_stack, "cases.resumed.v1", lambda e: True)
    assert resumed["payload"]["reason"] == "payment_reversed"
    case = asyncio.run(_case(local_stack.database_url("dunning"), claim_id))
    assert (case["status"], case["claim_status"], case["work_item"]) == (
        "active",
        "open",
        "payment.reversed",
    )


def _subject(claim_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["subject"] == claim_id


def _events(
    stack: LocalStack, event_type: str, match: Callable[[dict[str, Any]], bool], expect: int = 1
) -> list[dict[str, Any]]:
    found = asyncio.run(read_events(stack.nats_url, event_type, match, expect, wait=30))
    assert len(found) >= expect, (event_type, stack.log_tail("dunning"))
    return found


async def _case(database_url: str, claim_id: str) -> dict[str, Any]:
    import asyncpg

    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        for _ in range(100):
            row = await connection.fetchrow(
                "SELECT c.status, cc.status AS claim_status, w.code AS work_item"
                " FROM case_claim cc JOIN dunning_case c ON c.id = cc.case_id"
                " LEFT JOIN work_item w ON w.case_id = c.id AND w.kind = 'payment_reversed'"
                " WHERE cc.claim_id = $1",
                UUID(claim_id),
            )
            if row is not None and row["work_item"]:
                return dict(row)
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
    raise AssertionError("dunning never reopened the case")
