"""Min side's subscribers: every event a citizen may see goes to its read-model projection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from minside.handlers.projections import PROJECTIONS, apply_event

if TYPE_CHECKING:
    from minside.bootstrap import Container


def subscribe(c: Container) -> None:
    """Register one durable subscription per event type the read models are built from."""

    async def on_event(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            await apply_event(uow, envelope)
            await uow.commit()

    for event_type in PROJECTIONS:
        c.runtime.bus.subscribe(event_type, on_event)
