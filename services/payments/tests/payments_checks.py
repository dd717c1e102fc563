"""Assertions shared by payments' integration tests: outbox events and reconciliation."""

from __future__ import annotations

import json
from typing import Any

from contracts.envelope import parse_envelope
from payments.handlers.reconcile import reconcile


async def outbox(payments: Any, event_type: str, key: str | None = None) -> list[dict[str, Any]]:
    """Payloads of ``event_type`` in the outbox (optionally for one message key), in order.

    Every body is parsed through ``contracts`` first, so a malformed envelope fails the test.
    """
    rows = await payments.rows(
        "SELECT body FROM outbox WHERE event_type = :t"
        " AND (CAST(:k AS text) IS NULL OR message_key = :k) ORDER BY id",
        t=event_type,
        k=key,
    )
    for row in rows:
        parse_envelope(row.body)
    return [json.loads(row.body)["payload"] for row in rows]


async def discrepancies(payments: Any) -> list[str]:
    """What ``kravflyt payments reconcile`` would report for the whole ledger."""
    async with payments.runtime.engine.connect() as conn:
        return (await reconcile(conn)).discrepancies


async def kid_of(payments: Any, claim_id: Any) -> str:
    """The KID payments issued for a claim."""
    kid: str = await payments.scalar("SELECT kid FROM account WHERE claim_id = :c", c=claim_id)
    return kid
