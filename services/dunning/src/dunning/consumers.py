"""Dunning's subscribers: translate a bus event into a handler call, nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from dunning.handlers import claims, ledger, requests
from dunning.policy_store import load_catalogue
from rules.rates import Rates
from runtime.db import UnitOfWork
from runtime.sealed_events import open_envelope

if TYPE_CHECKING:
    from dunning.bootstrap import Container

Handler = Callable[[UnitOfWork, Envelope[Any]], Awaitable[Any]]
WithPolicies = Callable[[UnitOfWork, Envelope[Any], Any], Awaitable[Any]]
WithRates = Callable[[UnitOfWork, Envelope[Any], Any, Rates], Awaitable[Any]]

PLAIN: dict[str, Handler] = {
    "claims.adjusted.v1": claims.adjust_claim,
    "accounts.balance_changed.v1": ledger.record_balance,
    "payments.allocated.v1": ledger.record_allocation,
    "requests.dispute.v1": requests.on_dispute,
    "notices.failed.v1": requests.on_notice_failed,
}
NEEDS_POLICIES: dict[str, WithPolicies] = {
    # v2 carries the name and address sealed; v1 is read until its messages have drained.
    "claims.registered.v2": claims.open_case,
    "claims.registered.v1": claims.open_case,
    "accounts.opened.v1": ledger.record_account,
    "payments.reversed.v1": ledger.record_reversal,
    "requests.deferral.v1": requests.on_deferral,
    "plans.instalment_missed.v1": requests.on_instalment_missed,
}
# Handlers that also work out interest: with the office's rates (the rates_file setting).
NEEDS_RATES: dict[str, WithRates] = {
    "requests.plan.v1": requests.on_plan,
}


def subscribe(c: Container) -> None:
    """Register dunning's subscriptions on its bus."""
    for event_type in (*PLAIN, *NEEDS_POLICIES, *NEEDS_RATES):
        c.runtime.bus.subscribe(event_type, receiver(c, event_type))


def receiver(c: Container, event_type: str) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """What the bus calls with one ``event_type`` envelope: a handler in its own transaction."""
    if event_type in PLAIN:
        return _plain(c, PLAIN[event_type])
    if event_type in NEEDS_RATES:
        handler = NEEDS_RATES[event_type]

        async def with_rates(uow: UnitOfWork, envelope: Envelope[Any], catalogue: Any) -> Any:
            return await handler(uow, envelope, catalogue, c.rates)

        return _with_policies(c, with_rates)
    return _with_policies(c, NEEDS_POLICIES[event_type])


def _plain(c: Container, handler: Handler) -> Callable[[Envelope[Any]], Awaitable[None]]:
    async def receive(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            await handler(uow, open_envelope(envelope, c.keys))
            await uow.commit()

    return receive


def _with_policies(
    c: Container, handler: WithPolicies
) -> Callable[[Envelope[Any]], Awaitable[None]]:
    async def receive(envelope: Envelope[Any]) -> None:
        async with c.runtime.uow() as uow:
            catalogue = await load_catalogue(uow.conn)
            await handler(uow, open_envelope(envelope, c.keys), catalogue)
            await uow.commit()

    return receive
