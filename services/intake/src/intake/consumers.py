"""Intake's subscribers: translate a bus event into a handler call, nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from intake.following import follow_balance, follow_case_closed
from intake.handlers import register_submitted
from runtime.db import UnitOfWork

if TYPE_CHECKING:
    from intake.bootstrap import Container


def subscribe(c: Container) -> None:
    """Register intake's subscriptions on its bus."""

    async def on_claims_submitted(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            await register_submitted(
                uow,
                envelope,
                keys=c.keys,
                submission_key_pem=c.submission_key_pem,
                limits=c.limits,
                register=c.register,
            )
            await uow.commit()

    # v2 carries the whole debtor in one JWE; v1 is read until every municipality has moved.
    for submitted in ("claims.submitted.v2", "claims.submitted.v1"):
        c.runtime.bus.subscribe(submitted, on_claims_submitted)
    for event_type, follow in (
        ("accounts.balance_changed.v1", follow_balance),
        ("cases.closed.v1", follow_case_closed),
    ):
        c.runtime.bus.subscribe(event_type, _in_transaction(c, follow))


def _in_transaction(
    c: Container, handler: Callable[[UnitOfWork, Envelope[Any]], Awaitable[None]]
) -> Callable[[Envelope[Any]], Awaitable[None]]:
    async def receive(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            await handler(uow, envelope)
            await uow.commit()

    return receive
