"""Events for operators."""

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import EventPayload, UtcDatetime

UNKNOWN_TENANT = "0000"
"""Envelope tenant for a dead letter whose original message could not be read at all."""


class DeadLetterV1(EventPayload):
    """A message a consumer gave up on after its retries, kept for operators."""

    EVENT_TYPE: ClassVar[str] = "deadletters.recorded.v1"

    consumer: str = Field(description="The service that failed to consume the message.")
    event_type: str = Field(description="The type of the message that failed.")
    event_id: UUID | None
    original: str = Field(description="The raw message body as text.")
    error_type: str
    error_message: str
    attempts: int = Field(ge=1)
    failed_at: UtcDatetime
