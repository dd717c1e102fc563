"""Which payload model each event type carries."""

from pydantic import BaseModel

from contracts.base import EventPayload
from contracts.claims import ClaimAdjustedV1, ClaimRegisteredV1, ClaimRejectedV1, ClaimSubmittedV1
from contracts.dunning import (
    CaseClosedV1,
    CaseOpenedV1,
    CasePausedV1,
    CaseResumedV1,
    CaseStepTakenV1,
    FeeChargedV1,
    FeeReversedV1,
    NoticeRequestedV1,
    PlanAgreedV1,
)
from contracts.notices import NoticeDeliveredV1, NoticeFailedV1
from contracts.operations import DeadLetterV1
from contracts.payments import (
    AccountOpenedV1,
    BalanceChangedV1,
    InstalmentMissedV1,
    PaymentAllocatedV1,
    PaymentReceivedV1,
    PaymentUnmatchedV1,
    SettlementCreatedV1,
)
from contracts.requests import DeferralRequestedV1, DisputeRaisedV1, PlanRequestedV1

_PAYLOADS: tuple[type[EventPayload], ...] = (
    ClaimSubmittedV1,
    ClaimRegisteredV1,
    ClaimRejectedV1,
    ClaimAdjustedV1,
    DeadLetterV1,
    AccountOpenedV1,
    BalanceChangedV1,
    PaymentReceivedV1,
    PaymentAllocatedV1,
    PaymentUnmatchedV1,
    SettlementCreatedV1,
    InstalmentMissedV1,
    CaseOpenedV1,
    CaseStepTakenV1,
    CasePausedV1,
    CaseResumedV1,
    CaseClosedV1,
    PlanAgreedV1,
    FeeChargedV1,
    FeeReversedV1,
    NoticeRequestedV1,
    NoticeDeliveredV1,
    NoticeFailedV1,
    PlanRequestedV1,
    DeferralRequestedV1,
    DisputeRaisedV1,
)

EVENTS: dict[str, type[BaseModel]] = {model.EVENT_TYPE: model for model in _PAYLOADS}
"""Event type (e.g. "claims.registered.v1") → payload model."""


class UnknownEventType(ValueError):
    """An event type no payload model is registered for."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type: {event_type!r}")
        self.event_type = event_type


def payload_model(event_type: str) -> type[BaseModel]:
    """The payload model registered for `event_type`."""
    try:
        return EVENTS[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None
