"""Delivery outcomes of letters, published by notification."""

from typing import ClassVar, Literal
from uuid import UUID

from contracts.base import EventPayload, UtcDatetime

Channel = Literal["digipost", "eboks", "svarut", "print", "sms", "email"]


class NoticeDeliveredV1(EventPayload):
    """A letter reached the person (or was opened)."""

    EVENT_TYPE: ClassVar[str] = "notices.delivered.v1"

    notice_id: UUID
    case_id: UUID
    channel: Channel
    receipt: Literal["delivered", "opened"]
    document_id: UUID
    delivered_at: UtcDatetime


class NoticeFailedV1(EventPayload):
    """A letter could not be made or delivered; dunning puts it in the exception queue."""

    EVENT_TYPE: ClassVar[str] = "notices.failed.v1"

    notice_id: UUID
    case_id: UUID
    reason_code: str
    reason: str
    channel: Channel | None
    permanent: bool
    failed_at: UtcDatetime
