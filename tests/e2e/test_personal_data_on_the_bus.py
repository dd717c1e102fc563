"""The debtor's name and address never lie in clear on the bus, yet the letter shows them.

Intake, dunning, payments and notification run as real processes on the stack's PostgreSQL and
NATS JetStream, with the fake national services. A claim for a test debtor goes in over HTTP and
on to a delivered letter; then the JetStream store directory (the bytes a broker keeps for its
retention period) and every service's outbox are searched for the name and the address. The
letter itself is read with pdftotext: the name and address the services opened must be on it.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from e2e_helpers import claim_in_notice, daily_run, post_overdue_property_claim, until_kid_known

from contracts import SUPERSEDED
from rules.calendar import oslo_today
from runtime.localstack import LocalStack
from runtime.testing import read_events

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "dunning", "payments", "notification")
NAME = "Guro Qvistbergsen-Åkerø"
ADDRESS = {"lines": ["Zanderveien 4711 B"], "postal_code": "3015", "city": "Drammen"}
# What must be found nowhere on the bus: the name (and its surname alone) and the street line.
CLEAR = (NAME, "Qvistbergsen", ADDRESS["lines"][0])


def _forms(text: str) -> list[bytes]:
    """The ways ``text`` can appear in stored bytes: UTF-8, and JSON's \\u escapes."""
    escaped = text.encode("ascii", "backslashreplace").decode().replace("\\x", "\\u00")
    return list(dict.fromkeys([text.encode(), escaped.encode()]))


def _found_in_store(directory: Path, text: str) -> list[str]:
    """Files under ``directory`` holding ``text`` in any of its forms."""
    return [
        str(path.relative_to(directory))
        for path in sorted(directory.rglob("*"))
        if path.is_file() and any(form in path.read_bytes() for form in _forms(text))
    ]


async def _outbox_bodies(stack: LocalStack) -> dict[str, list[str]]:
    import asyncpg

    found: dict[str, list[str]] = {}
    for name in SERVICES:
        dsn = stack.database_url(name).replace("postgresql+asyncpg://", "postgresql://", 1)
        connection = await asyncpg.connect(dsn)
        try:
            found[name] = [r["body"] for r in await connection.fetch("SELECT body FROM outbox")]
        finally:
            await connection.close()
    return found


async def _letter(stack: LocalStack, document_id: str) -> bytes:
    import asyncpg

    dsn = stack.database_url("notification").replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        query = "SELECT content FROM document_content WHERE document_id = $1"
        content: bytes = await connection.fetchval(query, UUID(document_id))
    finally:
        await connection.close()
    return content


def test_a_debtors_name_and_address_reach_the_letter_but_never_lie_in_clear_on_the_bus(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]]
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not found: apt-get install -y poppler-utils")
    local_stack.start_fakes()
    for name in SERVICES:
        local_stack.start_service(name, wait=False)
    for name in SERVICES:
        local_stack.wait_ready(name)
    today = oslo_today(datetime.now(UTC))

    def with_debtor(**overrides: Any) -> dict[str, Any]:
        body = claim_body(**overrides)
        return body | {"debtor": body["debtor"] | {"name": NAME, "address": ADDRESS}}

    claim = post_overdue_property_claim(local_stack, with_debtor, today)
    asyncio.run(until_kid_known(local_stack.database_url("dunning"), claim["id"]))
    assert daily_run(local_stack, today)["taken"] >= 1
    [notice] = asyncio.run(
        read_events(local_stack.nats_url, "notices.requested.v2", claim_in_notice(claim["id"]), 1)
    )
    [delivered] = asyncio.run(
        read_events(
            local_stack.nats_url,
            "notices.delivered.v1",
            lambda e: e["payload"]["notice_id"] == notice["payload"]["notice_id"],
            1,
            wait=60,
        )
    )

    letter = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=asyncio.run(_letter(local_stack, delivered["payload"]["document_id"])),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert NAME in letter
    assert "Zanderveien 4711 B" in letter
    assert "3015 Drammen" in letter

    store = local_stack.directory / "nats"
    # The search works: what travels in clear (the invoice number) is found in the store.
    assert _found_in_store(store, claim["invoice_number"]), "the store search finds nothing"
    for text in CLEAR:
        assert _found_in_store(store, text) == [], text
    outboxes = asyncio.run(_outbox_bodies(local_stack))
    assert any(claim["invoice_number"] in body for body in outboxes["intake"])
    for text in CLEAR:
        leaked = {n: sum(text in b for b in bodies) for n, bodies in outboxes.items()}
        assert set(leaked.values()) == {0}, (text, leaked)
    # Nothing was published as a superseded type (those carry the name in clear).
    for event_type in SUPERSEDED:
        assert (
            asyncio.run(
                read_events(local_stack.nats_url, event_type, lambda e: True, 0, settle=0.5)
            )
            == []
        ), event_type
