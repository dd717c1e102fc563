"""Which payload model each event type carries."""

from pydantic import BaseModel

from contracts.base import EventPayload
from contracts.claims import ClaimAdjustedV1, ClaimRegisteredV1, ClaimRejectedV1, ClaimSubmittedV1
from contracts.operations import DeadLetterV1

_PAYLOADS: tuple[type[EventPayload], ...] = (
    ClaimSubmittedV1,
    ClaimRegisteredV1,
    ClaimRejectedV1,
    ClaimAdjustedV1,
    DeadLetterV1,
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
