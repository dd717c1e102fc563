"""Kravflyt event contracts: the envelope, the payload models and their registry."""

from contracts.base import ContractModel, EventPayload, Kommunenummer, UtcDatetime
from contracts.claims import (
    AdjustmentKind,
    ClaimAdjustedV1,
    ClaimRegisteredV1,
    ClaimRegisteredV2,
    ClaimRejectedV1,
    ClaimStatus,
    ClaimStatusChangedV1,
    ClaimSubmittedV1,
    ClaimSubmittedV2,
    DebtorDetails,
    DebtorKind,
    PostalAddress,
    PropertyRef,
    RejectionProblem,
    SubmittedDebtor,
)
from contracts.envelope import Envelope, envelope_model, new_envelope, parse_envelope
from contracts.operations import UNKNOWN_TENANT, DeadLetterV1
from contracts.registry import EVENTS, SUPERSEDED, Superseded, UnknownEventType, payload_model

__all__ = [
    "EVENTS",
    "SUPERSEDED",
    "UNKNOWN_TENANT",
    "AdjustmentKind",
    "ClaimAdjustedV1",
    "ClaimRegisteredV1",
    "ClaimRegisteredV2",
    "ClaimRejectedV1",
    "ClaimStatus",
    "ClaimStatusChangedV1",
    "ClaimSubmittedV1",
    "ClaimSubmittedV2",
    "ContractModel",
    "DeadLetterV1",
    "DebtorDetails",
    "DebtorKind",
    "Envelope",
    "EventPayload",
    "Kommunenummer",
    "PostalAddress",
    "PropertyRef",
    "RejectionProblem",
    "SubmittedDebtor",
    "Superseded",
    "UnknownEventType",
    "UtcDatetime",
    "envelope_model",
    "new_envelope",
    "parse_envelope",
    "payload_model",
]
