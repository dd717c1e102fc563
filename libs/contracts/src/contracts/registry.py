"""Which payload model each event type carries."""

from dataclasses import dataclass

from pydantic import BaseModel

from contracts.base import EventPayload
from contracts.claims import (
    ClaimAdjustedV1,
    ClaimRegisteredV1,
    ClaimRegisteredV2,
    ClaimRejectedV1,
    ClaimStatusChangedV1,
    ClaimSubmittedV1,
    ClaimSubmittedV2,
)
from contracts.dunning import (
    CaseClosedV1,
    CaseOpenedV1,
    CasePausedV1,
    CaseResumedV1,
    CaseStepTakenV1,
    FeeChargedV1,
    FeeReversedV1,
    NoticeRequestedV1,
    NoticeRequestedV2,
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
    PaymentReversedV1,
    PaymentUnmatchedV1,
    SettlementCreatedV1,
)
from contracts.requests import DeferralRequestedV1, DisputeRaisedV1, PlanRequestedV1

_PAYLOADS: tuple[type[EventPayload], ...] = (
    ClaimSubmittedV1,
    ClaimSubmittedV2,
    ClaimRegisteredV1,
    ClaimRegisteredV2,
    ClaimRejectedV1,
    ClaimAdjustedV1,
    ClaimStatusChangedV1,
    DeadLetterV1,
    AccountOpenedV1,
    BalanceChangedV1,
    PaymentReceivedV1,
    PaymentAllocatedV1,
    PaymentUnmatchedV1,
    PaymentReversedV1,
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
    NoticeRequestedV2,
    NoticeDeliveredV1,
    NoticeFailedV1,
    PlanRequestedV1,
    DeferralRequestedV1,
    DisputeRaisedV1,
)

EVENTS: dict[str, type[BaseModel]] = {model.EVENT_TYPE: model for model in _PAYLOADS}
"""Event type (e.g. "claims.registered.v1") → payload model."""


@dataclass(frozen=True)
class Superseded:
    """A type no longer published: its successor, and why the change could not be additive."""

    successor: str
    reason: str


_CLEAR_DEBTOR = (
    "carried the debtor's name and address in clear, and a topic keeps them for its whole "
    "retention period; the successor carries them sealed (`debtor_details_sealed`). Dropping "
    "the clear fields from the old type would break its readers, so the change is a new type."
)

SUPERSEDED: dict[str, Superseded] = {
    "claims.submitted.v1": Superseded(
        "claims.submitted.v2",
        "carried the debtor's name and address in clear beside the identity number's JWE, and a "
        "topic keeps them for its whole retention period; the successor carries all three in one "
        "JWE to the office (`debtor_jwe`). Dropping the clear fields from the old type would "
        "break the municipalities' integrations, so the change is a new type.",
    ),
    "claims.registered.v1": Superseded("claims.registered.v2", _CLEAR_DEBTOR),
    "notices.requested.v1": Superseded("notices.requested.v2", _CLEAR_DEBTOR),
}
"""Types kept in the registry only so their readers can drain the messages still in a topic.

No service of ours publishes them (the end-to-end test checks the bus); a municipality's
integration may publish `claims.submitted.v1` until it has moved. Once no producer is left and the
retention period has passed, the type, its snapshot and its readers are removed together.
"""


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
