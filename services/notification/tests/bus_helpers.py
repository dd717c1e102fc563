"""Reading and writing the real NATS JetStream stream from intake's tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import nats
from nats.js.api import DeliverPolicy


async def collect(
    nats_url: str,
    event_type: str,
    match: Callable[[dict[str, Any]], bool],
    *,
    expect: int,
    settle: float = 1.0,
    within: float = 15.0,
) -> list[dict[str, Any]]:
    """Every envelope of ``event_type`` on the stream that ``match`` accepts.

    Waits until ``expect`` arrived, then ``settle`` seconds more so that extra copies show up.
    """
    nc = await nats.connect(nats_url)
    found: list[dict[str, Any]] = []
    try:
        js = nc.jetstream()
        sub = await js.subscribe(
            f"kravflyt.{event_type}", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        deadline = asyncio.get_running_loop().time() + within
        settle_until: float | None = None
        while True:
            now = asyncio.get_running_loop().time()
            if len(found) >= expect and settle_until is None:
                settle_until = now + settle
            limit = settle_until if settle_until is not None else deadline
            if now >= limit:
                break
            try:
                msg = await sub.next_msg(timeout=min(0.5, limit - now))
            except nats.errors.TimeoutError:
                continue
            envelope = json.loads(msg.data)
            if match(envelope):
                found.append(envelope)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return found


async def publish_raw(
    nats_url: str, event_type: str, body: bytes, msg_id: str | None = None
) -> None:
    """Publish bytes to an event type's subject, as a municipal integration would."""
    nc = await nats.connect(nats_url)
    try:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        await nc.jetstream().publish(f"kravflyt.{event_type}", body, headers=headers)
    finally:
        await nc.close()
