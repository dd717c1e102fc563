"""Kravflyt event contracts: the envelope, the payload models and their registry."""

from contracts.base import ContractModel, EventPayload, Kommunenummer, UtcDatetime
from contracts.claims import (
    AdjustmentKind,
    ClaimAdjustedV1,
    ClaimRegisteredV1,
    ClaimRejectedV1,
    ClaimSubmittedV1,
    DebtorKind,
    PostalAddress,
    PropertyRef,
    RejectionProblem,
)
from contracts.envelope import Envelope, envelope_model, new_envelope, parse_envelope
from contracts.operations import UNKNOWN_TENANT, DeadLetterV1
from contracts.registry import EVENTS, UnknownEventType, payload_model

__all__ = [
    "EVENTS",
    "UNKNOWN_TENANT",
    "AdjustmentKind",
    "ClaimAdjustedV1",
    "ClaimRegisteredV1",
    "ClaimRejectedV1",
    "ClaimSubmittedV1",
    "ContractModel",
    "DeadLetterV1",
    "DebtorKind",
    "Envelope",
    "EventPayload",
    "Kommunenummer",
    "PostalAddress",
    "PropertyRef",
    "RejectionProblem",
    "UnknownEventType",
    "UtcDatetime",
    "envelope_model",
    "new_envelope",
    "parse_envelope",
    "payload_model",
]
