"""One trace from the municipality's POST to the letter's delivery, over real processes.

Intake, dunning, payments and notification run as ``kravflyt serve`` processes on the stack's
PostgreSQL and NATS, with the fake national services; the daily run is the real command. Every
process writes its finished spans to one JSON-lines file (``KRAVFLYT_TRACE_FILE``: an in-memory
span list made durable, since the processes are separate). The claim's trace must reach every
service: the context travels in message headers and, across the daily run, in the case.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import claim_in_notice, daily_run, post_overdue_property_claim, until_kid_known

from rules.calendar import oslo_today
from runtime.localstack import LocalStack
from runtime.testing import read_events

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "dunning", "payments", "notification")


def _spans(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _wait_for_span(path: Path, found: Callable[[dict[str, Any]], bool], wait: float = 30) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if path.exists() and any(found(span) for span in _spans(path)):
            return
        time.sleep(0.2)
    raise AssertionError(f"no such span after {wait} s")


def test_a_claim_is_one_trace_from_the_post_through_every_service(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    trace_file = tmp_path / "spans.jsonl"
    tracing = {"KRAVFLYT_TRACE_FILE": str(trace_file), "OTEL_SDK_DISABLED": "false"}
    local_stack.start_fakes()
    for name in SERVICES:
        local_stack.start_service(name, tracing, wait=False)
    for name in SERVICES:
        local_stack.wait_ready(name)
    today = oslo_today(datetime.now(UTC))
    claim = post_overdue_property_claim(local_stack, claim_body, today)
    claim_id = claim["id"]
    asyncio.run(until_kid_known(local_stack.database_url("dunning"), claim_id))
    assert daily_run(local_stack, today, tracing)["taken"] >= 1
    [notice] = asyncio.run(
        read_events(
            local_stack.nats_url, "notices.requested.v2", claim_in_notice(claim_id), 1, settle=0
        )
    )
    notice_id = notice["payload"]["notice_id"]
    delivered = asyncio.run(
        read_events(
            local_stack.nats_url,
            "notices.delivered.v1",
            lambda e: e["payload"]["notice_id"] == notice_id,
            1,
            settle=0,
            wait=60,
        )
    )
    assert delivered, local_stack.log_tail("notification")
    _wait_for_span(
        trace_file,
        lambda s: s["service"] == "kravflyt-payments" and "fees.charged.v1" in s["name"],
    )
    time.sleep(1)  # the last consumers' spans end after their commit

    spans = _spans(trace_file)
    [post] = [s for s in spans if s["kind"] == "SERVER" and s["name"].startswith("POST /v1/claims")]
    trace = [s for s in spans if s["trace_id"] == post["trace_id"]]
    by_id = {s["span_id"]: s for s in trace}
    # One tree: every span but the POST hangs from a span of the same trace.
    assert [s["name"] for s in trace if s["parent_id"] not in by_id] == [post["name"]]
    assert {s["service"] for s in trace} >= {f"kravflyt-{n}" for n in SERVICES}
    names = {(s["service"], s["name"]) for s in trace}
    for wanted in [
        ("kravflyt-dunning", "claims.registered.v2"),
        ("kravflyt-payments", "claims.registered.v2"),
        ("kravflyt-dunning", "dunning step purring"),
        ("kravflyt-notification", "notices.requested.v2"),
        ("kravflyt-payments", "fees.charged.v1"),
    ]:
        assert any(s == wanted[0] and wanted[1] in n for s, n in names), (wanted, sorted(names))
    # The step's span links to the daily run that took it (a trace of its own).
    [step] = [s for s in trace if s["name"] == "dunning step purring"]
    [run] = [s for s in spans if s["name"] == "dunning daily run"]
    assert step["links"] == [{"trace_id": run["trace_id"], "span_id": run["span_id"]}]
    # No identity number anywhere in the spans.
    assert claim["debtor_id"] not in trace_file.read_text()
