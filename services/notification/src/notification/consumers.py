"""Notification's subscriber: translate a bus event into handler calls, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from notification.handlers.accept import accept_notice
from runtime.sealed_events import open_envelope

if TYPE_CHECKING:
    from notification.bootstrap import Container

# v2 carries the debtor's name and address sealed; v1 is read until its messages have drained.
REQUESTED = ("notices.requested.v2", "notices.requested.v1")


def subscribe(c: Container) -> None:
    """Register notification's subscriptions on its bus."""

    async def on_notices_requested(envelope: Envelope[Any]) -> None:
        opened = open_envelope(envelope, c.keys)
        async with c.runtime.uow() as uow:
            notice_id = await accept_notice(uow, opened, renderer=c.renderer, store=c.store)
            await uow.commit()
        if notice_id is not None:
            await c.background.submit(notice_id)

    for event_type in REQUESTED:
        c.runtime.bus.subscribe(event_type, on_notices_requested)
