"""Intake's subscribers: translate a bus event into a handler call, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from intake.handlers import register_submitted

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

    c.runtime.bus.subscribe("claims.submitted.v1", on_claims_submitted)
