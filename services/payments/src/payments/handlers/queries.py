"""Reads: a claim's balance as of a day (booked + accrued interest), its history, a debtor."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from payments.db import tables as t
from payments.db.accounts import account_row, ledgered, postings_of
from payments.domain.errors import PaymentsError
from payments.handlers.common import Office
from runtime.db import UnitOfWork


async def balance_as_of(
    uow: UnitOfWork, claim_id: UUID, as_of: date, *, municipalities: Collection[str], office: Office
) -> dict[str, Any]:
    """What the debtor owes on ``as_of``: booked balance plus interest accrued since booking."""
    row = await account_row(uow.conn, claim_id)
    if row is None or row.municipality not in municipalities:
        raise PaymentsError("account.not_found")
    return balance_view(row, as_of, office)


def balance_view(row: Any, as_of: date, office: Office) -> dict[str, Any]:
    """The balance JSON of one account row."""
    account = ledgered(row).account
    b = account.balance
    accrued = 0
    if account.open:
        accrued = office.accrual.since_last_booking(
            b.principal_ore, account.due_date, account.interest_through, as_of
        )
    total = b.total_ore + accrued
    return {
        "claim_id": str(row.claim_id),
        "municipality": row.municipality,
        "as_of": as_of.isoformat(),
        "kid": row.kid,
        "account_number": office.collection_account,
        "status": row.status,
        "principal_ore": b.principal_ore,
        "interest_booked_ore": b.interest_ore,
        "interest_accrued_ore": accrued,
        "interest_ore": b.interest_ore + accrued,
        "interest_booked_through": row.interest_through.isoformat()
        if row.interest_through
        else None,
        "fees_ore": b.fees_ore,
        "total_ore": total,
        "paid_ore": b.paid_ore,
        "settled": total == 0,
    }


async def history(
    uow: UnitOfWork, claim_id: UUID, *, municipalities: Collection[str]
) -> list[dict[str, Any]]:
    """A claim's postings, oldest first."""
    row = await account_row(uow.conn, claim_id)
    if row is None or row.municipality not in municipalities:
        raise PaymentsError("account.not_found")
    return [
        {
            "id": p.id,
            "kind": p.kind,
            "component": p.component,
            "debit": p.debit_account,
            "credit": p.credit_account,
            "amount_ore": p.amount_ore,
            "booked_on": p.booked_on.isoformat(),
            "payment_id": str(p.payment_id) if p.payment_id else None,
        }
        for p in await postings_of(uow.conn, claim_id)
    ]


async def debtor_balances(
    uow: UnitOfWork,
    debtor_ref: str,
    as_of: date,
    *,
    municipalities: Collection[str],
    office: Office,
) -> dict[str, Any]:
    """Every account of one debtor in the caseworker's municipalities, with totals."""
    query = (
        sa.select(t.account)
        .where(
            t.account.c.debtor_ref == debtor_ref, t.account.c.municipality.in_(list(municipalities))
        )
        .order_by(t.account.c.due_date, t.account.c.claim_id)
    )
    accounts = [balance_view(r, as_of, office) for r in await uow.conn.execute(query)]
    return {
        "debtor_ref": debtor_ref,
        "as_of": as_of.isoformat(),
        "total_ore": sum(a["total_ore"] for a in accounts),
        "accounts": accounts,
    }
