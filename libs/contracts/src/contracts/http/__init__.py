"""Service-to-service HTTP contracts: one model per request and answer, shared by both sides.

Every internal HTTP call between our services is described here and nowhere else: the caller
builds its request from these models and reads the answer with them; the callee declares them
as its FastAPI body and response. ``extra="forbid"`` on both: a field one side adds and the
other does not know is refused, not silently dropped. ``schemas/http/*.json`` snapshots them.

Seams: Min side → payments (:mod:`contracts.http.payments`), Min side → notification
(:mod:`contracts.http.documents`).
"""

from contracts.http.base import HttpModel
from contracts.http.documents import CitizenDocument
from contracts.http.payments import VippsClaimShare, VippsPaymentCreated, VippsPaymentOrder

HTTP_MODELS: tuple[type[HttpModel], ...] = (
    VippsPaymentOrder,
    VippsClaimShare,
    VippsPaymentCreated,
    CitizenDocument,
)

__all__ = [
    "HTTP_MODELS",
    "CitizenDocument",
    "HttpModel",
    "VippsClaimShare",
    "VippsPaymentCreated",
    "VippsPaymentOrder",
]
