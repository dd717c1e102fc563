"""A Vipps payment's life, read from what Vipps' API says (never from a webhook alone).

created → authorized → captured, or cancelled / expired on the way; captured → refunded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STATES = ("created", "authorized", "captured", "cancelled", "expired", "refunded")
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "created": frozenset({"authorized", "captured", "cancelled", "expired"}),
    "authorized": frozenset({"captured", "cancelled", "expired"}),
    "captured": frozenset({"refunded"}),
    "cancelled": frozenset(),
    "expired": frozenset(),
    "refunded": frozenset(),
}
_ENDED = {"ABORTED": "cancelled", "TERMINATED": "cancelled", "EXPIRED": "expired"}


@dataclass(frozen=True)
class VippsView:
    """Vipps' answer to ``GET /epayment/v1/payments/{reference}``, in our terms."""

    state: str
    authorized_ore: int
    captured_ore: int
    refunded_ore: int
    psp_reference: str | None


def _value(aggregate: Mapping[str, Any], name: str) -> int:
    return int(aggregate.get(name, {}).get("value", 0))


def read_view(payment: Mapping[str, Any]) -> VippsView:
    """Our state of a payment from Vipps' ``GET`` answer (its ``state`` and ``aggregate``)."""
    aggregate = payment.get("aggregate") or {}
    authorized = _value(aggregate, "authorizedAmount")
    captured = _value(aggregate, "capturedAmount")
    refunded = _value(aggregate, "refundedAmount")
    remote = str(payment.get("state", "")).upper()
    if refunded > 0:
        state = "refunded"
    elif captured > 0:
        state = "captured"
    elif remote in _ENDED:
        state = _ENDED[remote]
    elif remote == "AUTHORIZED":
        state = "authorized"
    else:
        state = "created"
    psp = payment.get("pspReference")
    return VippsView(state, authorized, captured, refunded, str(psp) if psp else None)


def next_state(current: str, seen: str) -> str:
    """``seen`` if the machine allows it from ``current``; otherwise ``current`` stays."""
    return seen if seen in TRANSITIONS[current] else current
