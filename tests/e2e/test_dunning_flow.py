"""A claim from intake's HTTP API to its first letter and fee, over real processes and NATS.

Intake and dunning run as real processes (``kravflyt serve``) against the stack's PostgreSQL and
NATS; the daily run is the real command (``kravflyt dunning run --date D``), as the CronJob runs
it. The test stands in for payments by publishing the claim's ``accounts.opened.v1``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from e2e_helpers import claim_in_notice, daily_run, post_overdue_property_claim, until_kid_known

from contracts.envelope import new_envelope
from contracts.payments import AccountOpenedV1
from rules.calendar import oslo_today
from runtime.localstack import LocalStack
from runtime.testing import publish_bytes, read_events

pytestmark = pytest.mark.e2e


def test_a_claim_registered_over_http_gets_a_letter_and_a_fee_from_thedaily_run(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]]
) -> None:
    local_stack.start_service("intake")
    local_stack.start_service("dunning")
    today = oslo_today(datetime.now(UTC))
    claim = post_overdue_property_claim(local_stack, claim_body, today)
    claim_id = claim["id"]
    opened = asyncio.run(read_events(local_stack.nats_url, "cases.opened.v1", _about(claim_id), 1))
    assert len(opened) == 1, local_stack.log_tail("dunning")
    asyncio.run(_account_opened(local_stack.nats_url, claim))
    asyncio.run(until_kid_known(local_stack.database_url("dunning"), claim_id))

    report = daily_run(local_stack, today)

    assert report["taken"] >= 1, report
    notices = asyncio.run(
        read_events(local_stack.nats_url, "notices.requested.v2", claim_in_notice(claim_id), 1)
    )
    fees = asyncio.run(read_events(local_stack.nats_url, "fees.charged.v1", _fee_on(claim_id), 1))
    [notice], [fee] = notices, fees
    assert notice["payload"]["step_kind"] == "purring"
    assert notice["payload"]["sent_date"] == today.isoformat()
    assert notice["payload"]["kid"] == "0000000000014"
    assert notice["payload"]["new_fee_ore"] == fee["payload"]["amount_ore"] > 0
    assert notice["payload"]["debtor_sealed"] and "debtor_id" not in notice["payload"]
    assert fee["payload"]["legal_basis"] == "inkassoforskriften § 1-2"
    assert daily_run(local_stack, today)["taken"] == 0


def _about(claim_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: claim_id in e["payload"].get("claim_ids", [])


def _fee_on(claim_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["payload"]["claim_id"] == claim_id


async def _account_opened(nats_url: str, claim: dict[str, Any]) -> None:
    """What payments announces when it opens the claim's account (payments stands aside here)."""
    payload = AccountOpenedV1(
        claim_id=UUID(claim["id"]),
        municipality=claim["municipality"],
        debtor_ref=claim["debtor"]["ref"],
        kid="0000000000014",
        kid_algorithm="MOD10",
        account_number="15030100007",
        principal_ore=claim["principal_ore"],
        opened_at=datetime.now(UTC),
    )
    envelope = new_envelope(
        "accounts.opened.v1",
        source="payments",
        tenant=claim["municipality"],
        subject=claim["id"],
        payload=payload,
        occurred_at=datetime.now(UTC),
    )
    await publish_bytes(
        nats_url, envelope.type, envelope.model_dump_json().encode(), msg_id=str(envelope.id)
    )
