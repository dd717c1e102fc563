"""Citizens' requests from Min side."""

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import EventPayload, UtcDatetime


class PlanRequestedV1(EventPayload):
    """A citizen asks for an instalment plan: an amount per month or a number of months."""

    EVENT_TYPE: ClassVar[str] = "requests.plan.v1"

    request_id: UUID
    debtor_ref: str
    claim_ids: Annotated[list[UUID], Field(min_length=1)]
    monthly_amount_ore: Annotated[int, Field(gt=0)] | None
    months: Annotated[int, Field(gt=0)] | None
    first_due_date: date
    requested_at: UtcDatetime


class DeferralRequestedV1(EventPayload):
    """A citizen asks to pay later (utsettelse)."""

    EVENT_TYPE: ClassVar[str] = "requests.deferral.v1"

    request_id: UUID
    debtor_ref: str
    claim_ids: Annotated[list[UUID], Field(min_length=1)]
    until: date
    reason: str
    requested_at: UtcDatetime


class DisputeRaisedV1(EventPayload):
    """A citizen disputes a claim (innsigelse): the case pauses until a caseworker decides."""

    EVENT_TYPE: ClassVar[str] = "requests.dispute.v1"

    request_id: UUID
    debtor_ref: str
    claim_ids: Annotated[list[UUID], Field(min_length=1)]
    text: Annotated[str, Field(max_length=4000)]
    requested_at: UtcDatetime
