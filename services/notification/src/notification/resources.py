"""The JSON answers of notification's API as models, so its OpenAPI document shows them.

The routes build these answers themselves (``notification.api``), so the models document
and do not filter; the fuzz tests check every answer against them.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class FailureOut(BaseModel):
    code: str
    reason: str | None


class DeliveryOut(BaseModel):
    """One way the notice went (or is going): a digital mailbox, print, SMS or e-mail alert."""

    kind: str
    channel: str
    status: str
    why: str = Field(description="Why this channel was chosen")
    attempts: int
    error: str | None = Field(description="The reason code of the last failure")
    delivered_at: datetime | None


class NoticeOut(BaseModel):
    """A notice's delivery status."""

    id: UUID
    case_id: UUID
    municipality: str
    step_kind: str
    status: str
    document_id: UUID | None = Field(description="The letter's PDF, once rendered")
    failure: FailureOut | None
    deliveries: list[DeliveryOut]
