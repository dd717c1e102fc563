"""Citizens' requests from Min side and outcomes from payments and notification."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Envelope
from contracts.notices import NoticeFailedV1
from contracts.payments import InstalmentMissedV1
from contracts.requests import DeferralRequestedV1, DisputeRaisedV1, PlanRequestedV1
from dunning.domain import plans
from dunning.domain.catalogue import Catalogue
from dunning.handlers.common import Actor, pause, queue, today
from dunning.handlers.pauses import (
    agree_plan,
    break_plan,
    cases_of_claims,
    defer,
    delivery_failed,
    propose_plan,
    raise_dispute,
    schedule_json,
)
from rules.calendar import oslo_today
from rules.rates import Rates
from runtime.db import UnitOfWork

CITIZEN = Actor("citizen", "Skyldner (Min side)")


async def on_dispute(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """``requests.dispute.v1``: every case of the disputed claims pauses."""
    request: DisputeRaisedV1 = envelope.payload
    if not await uow.first_delivery("dunning.requests.dispute.v1", envelope.id, envelope.type):
        return
    for case in await cases_of_claims(uow, request.claim_ids, request.debtor_ref, envelope.tenant):
        await raise_dispute(uow, case, request.text, CITIZEN)


async def on_deferral(uow: UnitOfWork, envelope: Envelope[Any], catalogue: Catalogue) -> None:
    """``requests.deferral.v1``: granted within the policy's limit, else to a caseworker."""
    request: DeferralRequestedV1 = envelope.payload
    if not await uow.first_delivery("dunning.requests.deferral.v1", envelope.id, envelope.type):
        return
    day = today(uow)
    for case in await cases_of_claims(uow, request.claim_ids, request.debtor_ref, envelope.tenant):
        limits = catalogue.effective(case.policy_id, case.policy_version, case.history).plan_limits
        if plans.deferral_allowed(request.until, day, limits):
            await defer(uow, case, request.until, catalogue, CITIZEN, request.reason)
            continue
        details = {
            "request_id": str(request.request_id),
            "until": request.until.isoformat(),
            "reason": request.reason,
        }
        summary = "Utsettelse utover retningslinjens grense"
        await queue(
            uow, case, "deferral_outside_policy", "deferral.outside_policy", summary, details
        )
        await pause(uow, case, "caseworker", actor=CITIZEN, note="utsettelse til vurdering")


async def on_plan(
    uow: UnitOfWork, envelope: Envelope[Any], catalogue: Catalogue, rates: Rates
) -> None:
    """``requests.plan.v1``: a plan within limits is agreed at once; others go to the queue.

    The open total is worked out with ``rates``, the office's (the shared rates_file setting).
    """
    request: PlanRequestedV1 = envelope.payload
    if not await uow.first_delivery("dunning.requests.plan.v1", envelope.id, envelope.type):
        return
    for case in await cases_of_claims(uow, request.claim_ids, request.debtor_ref, envelope.tenant):
        schedule, problems = await propose_plan(
            uow,
            case,
            catalogue,
            first_due=request.first_due_date,
            monthly_ore=request.monthly_amount_ore,
            months=request.months,
            rates=rates,
        )
        if not problems:
            await agree_plan(uow, case, schedule, actor=CITIZEN, request_id=request.request_id)
            continue
        details = {
            "request_id": str(request.request_id),
            "schedule": schedule_json(schedule),
            "problems": [{"code": p.code, "message": p.message} for p in problems],
        }
        summary = "Betalingsavtale utenfor retningslinjen: " + "; ".join(
            p.message for p in problems
        )
        await queue(uow, case, "plan_outside_policy", problems[0].code, summary, details)
        await pause(uow, case, "caseworker", actor=CITIZEN, note="betalingsavtale til vurdering")


async def on_instalment_missed(
    uow: UnitOfWork, envelope: Envelope[Any], catalogue: Catalogue
) -> None:
    """``plans.instalment_missed.v1``: the plan is broken and the flow resumes after grace."""
    missed: InstalmentMissedV1 = envelope.payload
    if not await uow.first_delivery(
        "dunning.plans.instalment_missed.v1", envelope.id, envelope.type
    ):
        return
    await break_plan(uow, missed.plan_id, oslo_today(missed.detected_at), catalogue)


async def on_notice_failed(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """``notices.failed.v1``: a failed delivery goes to the exception queue."""
    failed: NoticeFailedV1 = envelope.payload
    if not await uow.first_delivery("dunning.notices.failed.v1", envelope.id, envelope.type):
        return
    await delivery_failed(uow, failed.notice_id, failed.reason, failed.permanent, failed.channel)
