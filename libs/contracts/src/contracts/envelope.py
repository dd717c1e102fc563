"""The one envelope every event travels in, and how to build and read it."""

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Kommunenummer, UtcDatetime
from contracts.registry import payload_model

P = TypeVar("P", bound=BaseModel)

EVENT_TYPE_PATTERN = r"^[a-z_]+\.[a-z_]+\.v[0-9]+$"


class Envelope(BaseModel, Generic[P]):
    """Metadata common to every event around its typed payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID
    type: Annotated[str, Field(pattern=EVENT_TYPE_PATTERN, examples=["claims.registered.v1"])]
    source: Annotated[str, Field(min_length=1, description="The producing service.")]
    tenant: Annotated[Kommunenummer, Field(description="The creditor municipality.")]
    subject: Annotated[str, Field(min_length=1, description="Usually the claim id; message key.")]
    occurred_at: UtcDatetime
    traceparent: Annotated[str | None, Field(description="W3C trace context.")] = None
    tracestate: str | None = None
    payload: P


class _Head(BaseModel):
    type: str


@cache
def envelope_model(event_type: str) -> type[Envelope[Any]]:
    """`Envelope[Payload]` for a registered event type; raises `UnknownEventType`."""
    model = payload_model(event_type)
    return Envelope[model]  # type: ignore[valid-type]


def new_envelope(
    event_type: str,
    *,
    source: str,
    tenant: str,
    subject: str,
    payload: BaseModel,
    occurred_at: datetime,
    id: UUID | None = None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> Envelope[Any]:
    """Wrap `payload`, which must be an instance of the model registered for `event_type`."""
    model = envelope_model(event_type)
    expected = payload_model(event_type)
    if not isinstance(payload, expected):
        msg = f"{event_type} carries {expected.__name__}, not {type(payload).__name__}"
        raise ValueError(msg)
    return model(
        id=id or uuid4(),
        type=event_type,
        source=source,
        tenant=tenant,
        subject=subject,
        occurred_at=occurred_at,
        traceparent=traceparent,
        tracestate=tracestate,
        payload=payload,
    )


def parse_envelope(data: bytes | str | dict[str, Any]) -> Envelope[Any]:
    """Validate a message with the payload model its `type` names.

    Raises `UnknownEventType` for an unregistered type and `pydantic.ValidationError` for bad data.
    """
    if isinstance(data, dict):
        return envelope_model(_Head.model_validate(data).type).model_validate(data)
    return envelope_model(_Head.model_validate_json(data).type).model_validate_json(data)
