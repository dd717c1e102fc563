"""Reading and writing the real NATS JetStream stream from payments' tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import nats
from nats.js.api import DeliverPolicy


async def collect_events(
    nats_url: str,
    event_type: str,
    match: Callable[[dict[str, Any]], bool],
    *,
    expect: int,
    settle: float = 1.0,
    wait_seconds: float = 20.0,
) -> list[dict[str, Any]]:
    """Envelopes of ``event_type`` that ``match`` takes; waits for ``expect``, then ``settle`` s."""
    nc = await nats.connect(nats_url)
    found: list[dict[str, Any]] = []
    try:
        sub = await nc.jetstream().subscribe(
            f"kravflyt.{event_type}", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        loop = asyncio.get_running_loop()
        deadline, settle_until = loop.time() + wait_seconds, None
        while (now := loop.time()) < (settle_until or deadline):
            if len(found) >= expect and settle_until is None:
                settle_until = now + settle
            try:
                msg = await sub.next_msg(timeout=0.5)
            except nats.errors.TimeoutError:
                continue
            envelope = json.loads(msg.data)
            if match(envelope):
                found.append(envelope)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return found


async def publish_event(nats_url: str, envelope: Any) -> None:
    """Publish an envelope to its event type's subject, as another service's relay would."""
    nc = await nats.connect(nats_url)
    try:
        body = envelope.model_dump_json().encode()
        await nc.jetstream().publish(f"kravflyt.{envelope.type}", body)
    finally:
        await nc.close()
