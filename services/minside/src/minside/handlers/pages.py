"""What each page shows, read from Min side's own tables for one citizen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from minside import queries
from minside.domain.claims import Claim, amount_today, group_by_municipality, next_deadline
from minside.domain.requests import RequestStatus, request_status
from minside.domain.schedule import Instalment
from minside.domain.story import Line, what_happened, what_happens_next
from rules.rates import Rates


class NotFound(Exception):
    """Nothing of the citizen's own by that id (another person's looks the same)."""


@dataclass(frozen=True)
class RequestView:
    """A request with its current status."""

    id: UUID
    kind: str
    created_at: Any
    claim_ids: list[UUID]
    details: dict[str, Any]
    status: RequestStatus


async def overview(
    conn: AsyncConnection, debtor_ref: str, today: date, rates: Rates
) -> dict[str, Any]:
    """Open claims by municipality, the total today and the next deadline; open requests."""
    claims = await queries.claims_of(conn, debtor_ref)
    groups = group_by_municipality(claims, today, rates=rates)
    deadlines = [g.next_deadline for g in groups if g.next_deadline]
    pending = [r for r in await requests(conn, debtor_ref) if not _finished(r.status)]
    return {
        "groups": groups,
        "total_ore": sum(g.total_ore for g in groups),
        "next_deadline": min(deadlines, default=None),
        "open_requests": pending,
    }


def _finished(status: RequestStatus) -> bool:
    return status.key in ("granted", "decided_resumed", "decided_closed")


async def open_claims(
    conn: AsyncConnection, debtor_ref: str, claim_ids: list[UUID] | None = None
) -> list[Claim]:
    """The citizen's open claims (only ``claim_ids`` if given), oldest due date first."""
    claims = await queries.claims_of(conn, debtor_ref, claim_ids)
    return sorted((c for c in claims if c.is_open), key=lambda c: (c.due_date, c.invoice_number))


async def closed_claims(conn: AsyncConnection, debtor_ref: str) -> list[Claim]:
    """Paid, cancelled and written-off claims, newest due date first."""
    claims = await queries.claims_of(conn, debtor_ref)
    return sorted((c for c in claims if not c.is_open), key=lambda c: c.due_date, reverse=True)


async def claim_page(
    conn: AsyncConnection, debtor_ref: str, claim_id: UUID, today: date, rates: Rates
) -> dict[str, Any]:
    """Everything about one of the citizen's claims; NotFound for anyone else's."""
    found = await queries.claims_of(conn, debtor_ref, [claim_id])
    if not found:
        raise NotFound(claim_id)
    claim = found[0]
    events = (await queries.case_events_of(conn, [claim_id])).get(claim_id, [])
    payments = await queries.payments_of(conn, claim_id)
    plan = [
        Instalment(date.fromisoformat(i["due_date"]), i["amount_ore"])
        for i in await queries.plan_of(conn, debtor_ref, claim_id)
    ]
    upcoming = next((i for i in plan if i.due_date >= today), None)
    instalment_line = (
        Line(
            "next.plan_instalment",
            upcoming.due_date,
            {"due": upcoming.due_date, "amount_ore": upcoming.amount_ore},
        )
        if upcoming
        else None
    )
    return {
        "claim": claim,
        "amount": amount_today(claim, today, rates),
        "next": what_happens_next(claim, events, today, instalment_line),
        "story": what_happened(claim, events, queries.paid_lines(payments)),
        "letters": await queries.letters_of(conn, debtor_ref, claim_id),
        "payments": payments,
        "plan": plan,
        "deadline": next_deadline(claim, today),
    }


async def requests(conn: AsyncConnection, debtor_ref: str) -> list[RequestView]:
    """The citizen's requests with their status now."""
    rows = await queries.requests_of(conn, debtor_ref)
    all_claims = sorted({c for r in rows for c in r.claim_ids})
    events = await queries.case_events_of(conn, all_claims)
    return [_view(r, events) for r in rows]


async def request_page(conn: AsyncConnection, debtor_ref: str, request_id: UUID) -> dict[str, Any]:
    """One of the citizen's requests; NotFound for anyone else's."""
    row = await queries.request_of(conn, debtor_ref, request_id)
    if row is None:
        raise NotFound(request_id)
    events = await queries.case_events_of(conn, list(row.claim_ids))
    view = _view(row, events)
    schedule = view.details.get("schedule") or []
    return {
        "request_row": view,
        "request_status": view.status,
        "details": view.details,
        "claims": await queries.claims_of(conn, debtor_ref, view.claim_ids),
        "plan": [Instalment(date.fromisoformat(i["due_date"]), i["amount_ore"]) for i in schedule],
    }


def _view(row: Any, events: dict[UUID, list[Any]]) -> RequestView:
    seen: dict[Any, Any] = {}
    for claim_id in row.claim_ids:
        for e in events.get(claim_id, []):
            seen[(e.kind, e.occurred_at, e.reason, e.step_kind)] = e
    status = request_status(row.kind, row.created_at, list(seen.values()))
    return RequestView(
        row.id, row.kind, row.created_at, list(row.claim_ids), dict(row.details), status
    )


async def letter(conn: AsyncConnection, debtor_ref: str, notice_id: UUID) -> Any:
    """One delivered letter to the citizen; NotFound for anyone else's."""
    found = await queries.letter(conn, debtor_ref, notice_id)
    if found is None:
        raise NotFound(notice_id)
    return found
