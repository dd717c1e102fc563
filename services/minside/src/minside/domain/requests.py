"""Where a citizen's request stands, from what dunning did after it was made.

Dunning does not echo the request id, so a request is matched to the case events and plans of
its claims that happened after it was made: a plan agreed → granted; the case paused for the
request's reason → granted (deferral) or paused (dispute); resumed after a dispute → decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from minside.domain.story import CaseEvent

KINDS = ("plan", "deferral", "dispute", "contact")


@dataclass(frozen=True)
class RequestStatus:
    """A status key (``received``, ``granted``, ``with_caseworker``, …) and since when."""

    key: str
    since: datetime


def request_status(kind: str, made_at: datetime, events: Sequence[CaseEvent]) -> RequestStatus:
    """The status of one request of ``kind`` given the case events of its claims."""
    later = sorted((e for e in events if e.occurred_at >= made_at), key=lambda e: e.occurred_at)
    status = RequestStatus("received", made_at)
    for e in later:
        status = _step(kind, status, e)
    return status


def _step(kind: str, status: RequestStatus, e: CaseEvent) -> RequestStatus:
    at = e.occurred_at
    if e.kind == "paused" and e.reason == "caseworker" and status.key == "received":
        return RequestStatus("with_caseworker", at)
    if kind == "plan" and e.kind == "plan_agreed":
        return RequestStatus("granted", at)
    if kind == "deferral" and e.kind == "paused" and e.reason == "deferral":
        return RequestStatus("granted", at)
    if kind == "dispute" and e.kind == "paused" and e.reason == "dispute":
        return RequestStatus("case_paused", at)
    if kind == "dispute" and status.key == "case_paused" and e.kind in ("resumed", "closed"):
        return RequestStatus("decided_" + ("resumed" if e.kind == "resumed" else "closed"), at)
    return status
