"""Notification's subscriber: translate a bus event into handler calls, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from notification.handlers.accept import accept_notice

if TYPE_CHECKING:
    from notification.bootstrap import Container


def subscribe(c: Container) -> None:
    """Register notification's subscription on its bus."""

    async def on_notices_requested(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            notice_id = await accept_notice(uow, envelope, renderer=c.renderer, store=c.store)
            await uow.commit()
        if notice_id is not None:
            await c.background.submit(notice_id)

    c.runtime.bus.subscribe("notices.requested.v1", on_notices_requested)
