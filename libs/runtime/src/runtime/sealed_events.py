"""Open an event's sealed name and address for a service that writes to or shows the debtor.

An event type whose payload has ``debtor_details_sealed`` (``claims.registered.v2``,
``notices.requested.v2``) comes back with its payload ``opened``: the same fields with the name
and address in clear, in memory only. Other envelopes pass through unchanged, so one handler
serves a type and the superseded one it replaces while older messages drain.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from contracts.claims import DebtorDetails
from contracts.envelope import Envelope
from runtime.bus import PermanentError
from runtime.personal_data import PersonalDataKeys, SealError, open_details

__all__ = ["open_envelope"]


class _SealedPayload(Protocol):
    debtor_details_sealed: str

    def opened(self, details: DebtorDetails) -> BaseModel: ...


def open_envelope(envelope: Envelope[Any], keys: PersonalDataKeys) -> Envelope[Any]:
    """``envelope`` with its payload's debtor details opened; PermanentError if no key opens them.

    The error names the event type and what failed, never the content: the message goes to the
    dead letters, where an operator replays it once the missing key is configured.
    """
    payload = envelope.payload
    if not hasattr(payload, "debtor_details_sealed"):
        return envelope
    sealed: _SealedPayload = payload
    try:
        details = open_details(keys, sealed.debtor_details_sealed)
    except SealError as error:
        raise PermanentError(f"{envelope.type}: debtor_details_sealed: {error}") from None
    return envelope.model_copy(update={"payload": sealed.opened(details)})
