"""Min side → payments: start a Vipps payment of exactly the claims the citizen chose.

``POST /v1/payments/vipps`` with a service token of Min side (scope :data:`PAYMENTS_SCOPE`)
and an ``Idempotency-Key`` (the pay form's token: the same key always gives the same payment).
Payments refuses a claim the debtor does not own, and an ``amount_ore`` other than today's
open amount of exactly those claims (``409 vipps.amount_changed``): the citizen pays what the
page showed, or nothing.
"""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from contracts.http.base import HttpModel

VIPPS_PAYMENTS_PATH = "/v1/payments/vipps"
PAYMENTS_SCOPE = "kravflyt:payments.citizen"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# 409: the amount is not today's open amount of those claims; show the new one and ask again.
AMOUNT_CHANGED = "vipps.amount_changed"

Ore = Annotated[int, Field(gt=0)]


class VippsPaymentOrder(HttpModel):
    """What the citizen confirmed: these claims, this amount, back to this page."""

    debtor_ref: str = Field(min_length=1, max_length=200)
    claim_ids: list[UUID] = Field(min_length=1, max_length=200)
    amount_ore: Ore
    return_url: str = Field(pattern=r"^https?://", max_length=2000)


class VippsClaimShare(HttpModel):
    """One claim's share of the payment."""

    claim_id: UUID
    kid: str
    amount_ore: Ore


class VippsPaymentCreated(HttpModel):
    """The created payment: where to send the citizen, and what it pays."""

    reference: str
    redirect_url: str = Field(pattern=r"^https?://")
    amount_ore: Ore
    as_of: date
    claims: list[VippsClaimShare]
