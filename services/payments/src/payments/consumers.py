"""Payments' subscribers: translate a bus event into a handler call, nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from payments.handlers.accounts import adjust_account, charge_fee, open_account, reverse_fee
from payments.handlers.plans import record_plan

if TYPE_CHECKING:
    from payments.bootstrap import Container

Handler = Callable[..., Awaitable[bool]]
HANDLERS: dict[str, Handler] = {
    # v2 carries the name and address sealed; v1 is read until its messages have drained.
    "claims.registered.v2": open_account,
    "claims.registered.v1": open_account,
    "claims.adjusted.v1": adjust_account,
    "fees.charged.v1": charge_fee,
    "fees.reversed.v1": reverse_fee,
    "cases.plan_agreed.v1": record_plan,
}


def subscribe(c: Container) -> None:
    """Register payments' subscriptions on its bus."""
    for event_type, handler in HANDLERS.items():
        c.runtime.bus.subscribe(event_type, _applying(c, handler))


def _applying(c: Container, handler: Handler) -> Callable[[Envelope[Any]], Awaitable[None]]:
    async def on_event(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            await handler(uow, envelope, office=c.office)
            await uow.commit()

    return on_event
