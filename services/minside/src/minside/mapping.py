"""Citizens' requests → the ``requests.*`` events dunning acts on (the only contracts import)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts.base import EventPayload
from contracts.requests import DeferralRequestedV1, DisputeRaisedV1, PlanRequestedV1


def request_event(
    kind: str,
    request_id: UUID,
    debtor_ref: str,
    claim_ids: list[UUID],
    details: dict[str, Any],
    requested_at: datetime,
) -> EventPayload | None:
    """The event announcing one request; None for a contact message (kept here for now)."""
    common = {
        "request_id": request_id,
        "debtor_ref": debtor_ref,
        "claim_ids": claim_ids,
        "requested_at": requested_at,
    }
    if kind == "plan":
        return PlanRequestedV1(
            **common,
            monthly_amount_ore=details.get("monthly_ore"),
            months=details.get("months"),
            first_due_date=date.fromisoformat(details["first_due_date"]),
        )
    if kind == "deferral":
        return DeferralRequestedV1(
            **common, until=date.fromisoformat(details["until"]), reason=details["reason"]
        )
    if kind == "dispute":
        return DisputeRaisedV1(**common, text=details["text"])
    return None


def event_type(payload: EventPayload) -> str:
    """The bus name of a request event."""
    return payload.EVENT_TYPE
