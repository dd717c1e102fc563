"""Reads: a claim's balance as of a day (booked + accrued interest), its history, a debtor.

Each takes a connection, not a unit of work: a read is one statement and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.reads import account_view_row, debtor_view_rows, history_rows, payment_row
from payments.domain.errors import PaymentsError
from payments.handlers.common import Office


async def balance_as_of(
    conn: AsyncConnection,
    claim_id: UUID,
    as_of: date,
    *,
    municipalities: Collection[str],
    office: Office,
) -> dict[str, Any]:
    """What the debtor owes on ``as_of``: booked balance plus interest accrued since booking."""
    row = await account_view_row(conn, claim_id)
    if row is None or row["municipality"] not in municipalities:
        raise PaymentsError("account.not_found")
    return balance_view(row, as_of, office)


def balance_view(row: Any, as_of: date, office: Office) -> dict[str, Any]:
    """The balance JSON of one account row (see ``payments.db.reads``)."""
    principal, interest, fees = row["principal_ore"], row["interest_ore"], row["fees_ore"]
    through = row["interest_through"]
    accrued = 0
    if row["status"] == "open":
        accrued = office.accrual.since_last_booking(principal, row["due_date"], through, as_of)
    total = principal + interest + fees + accrued
    return {
        "claim_id": str(row["claim_id"]),
        "municipality": row["municipality"],
        "as_of": as_of.isoformat(),
        "kid": row["kid"],
        "account_number": office.collection_account,
        "status": row["status"],
        "principal_ore": principal,
        "interest_booked_ore": interest,
        "interest_accrued_ore": accrued,
        "interest_ore": interest + accrued,
        "interest_booked_through": through.isoformat() if through else None,
        "fees_ore": fees,
        "total_ore": total,
        "paid_ore": row["paid_ore"],
        "settled": total == 0,
    }


async def history(
    conn: AsyncConnection, claim_id: UUID, *, municipalities: Collection[str]
) -> list[dict[str, Any]]:
    """A claim's postings, oldest first."""
    rows = await history_rows(conn, claim_id)
    if not rows or rows[0]["municipality"] not in municipalities:
        raise PaymentsError("account.not_found")
    return [
        {
            "id": p["id"],
            "kind": p["kind"],
            "component": p["component"],
            "debit": p["debit_account"],
            "credit": p["credit_account"],
            "amount_ore": p["amount_ore"],
            "booked_on": p["booked_on"].isoformat(),
            "payment_id": str(p["payment_id"]) if p["payment_id"] else None,
        }
        for p in rows
        if p["id"] is not None
    ]


async def debtor_balances(
    conn: AsyncConnection,
    debtor_ref: str,
    as_of: date,
    *,
    municipalities: Collection[str],
    office: Office,
) -> dict[str, Any]:
    """Every account of one debtor in the caseworker's municipalities, with totals."""
    rows = await debtor_view_rows(conn, debtor_ref, municipalities)
    accounts = [balance_view(r, as_of, office) for r in rows]
    return {
        "debtor_ref": debtor_ref,
        "as_of": as_of.isoformat(),
        "total_ore": sum(a["total_ore"] for a in accounts),
        "accounts": accounts,
    }


_BANK_FIELDS = (
    "payment_key", "archive_reference", "form_number", "centre_id", "day_code",
    "partial_settlement", "serial_number", "end_to_end_id", "payer_account", "payer_name",
    "free_text",
)  # fmt: skip


async def payment_view(
    conn: AsyncConnection, payment_id: UUID, *, municipalities: Collection[str]
) -> dict[str, Any]:
    """One payment for answering a payer's question: both dates, what the bank sent, the
    claims it paid and whether the bank took it back. Seen by caseworkers of a municipality it
    paid (or, not placed yet, as the unmatched queue shows it)."""
    row = await payment_row(conn, payment_id)
    if row is None or not _sees(row, municipalities):
        raise PaymentsError("payment.not_found")
    return {
        "payment_id": str(row["id"]),
        "channel": row["channel"],
        "amount_ore": row["amount_ore"],
        "reversal": row["reversal"],
        "kid": row["kid"],
        "kid_valid": row["kid_valid"],
        "paid_on": row["paid_on"].isoformat(),
        "booking_date": row["booking_date"].isoformat(),
        "value_date": row["value_date"].isoformat() if row["value_date"] else None,
        **{name: row[name] for name in _BANK_FIELDS},
        "claim_ids": sorted(str(c) for c in row["claim_ids"] or ()),
        "queue_state": row["queue_state"],
        "reversed_by": str(row["reversed_by"]) if row["reversed_by"] else None,
        "received_at": row["received_at"].isoformat(),
    }


def _sees(row: Any, municipalities: Collection[str]) -> bool:
    paid = row["municipalities"]
    if paid:
        return any(m in municipalities for m in paid)
    return row["queue_municipality"] is None or row["queue_municipality"] in municipalities
