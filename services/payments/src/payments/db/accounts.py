"""Queries on accounts and postings: load and lock, save balances, append postings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db import tables as t
from payments.db.staging import POSTING_COLUMNS, copy_rows, raw_connection
from payments.domain.allocation import ClaimAccount
from payments.domain.booking import Ledgered
from payments.domain.ledger import Balance

_LOCK_MATCHED = """
    SELECT claim_id, due_date, principal_ore, interest_ore, fees_ore, paid_ore,
        interest_through, status, municipality, debtor_ref
    FROM account WHERE claim_id IN (
        SELECT x.claim_id FROM payment_stage p JOIN account x ON x.kid = p.kid
        WHERE p.kid_valid
        UNION
        SELECT x.claim_id FROM payment_stage p JOIN account x ON x.original_kid = p.kid
        WHERE p.kid_valid
    )
    ORDER BY claim_id FOR UPDATE
"""
# Each fee still standing, oldest first: a payment made before a fee's day leaves it alone.
_FEES = """
    SELECT claim_id, array_agg(charged_on ORDER BY charged_on, fee_id) AS days,
        array_agg(amount_ore - reversed_ore ORDER BY charged_on, fee_id) AS amounts
    FROM fee WHERE claim_id = ANY($1::uuid[]) AND amount_ore > reversed_ore
    GROUP BY claim_id
"""
_SAVE = """
    UPDATE account a SET principal_ore = u.principal, interest_ore = u.interest,
        fees_ore = u.fees, paid_ore = u.paid, interest_through = u.through, status = u.status
    FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::date[],
                $7::text[]) AS u(claim_id, principal, interest, fees, paid, through, status)
    WHERE a.claim_id = u.claim_id
"""


Fees = dict[UUID, tuple[tuple[date, int], ...]]


def ledgered(row: Any, fees: Fees | None = None) -> Ledgered:
    """An ``account`` row as the engine's :class:`Ledgered`."""
    balance = Balance(row.principal_ore, row.interest_ore, row.fees_ore, row.paid_ore)
    account = ClaimAccount(
        row.claim_id,
        row.due_date,
        balance,
        row.interest_through,
        row.status == "open",
        (fees or {}).get(row.claim_id, ()),
    )
    return Ledgered(account, row.municipality, row.debtor_ref)


async def lock_accounts(conn: AsyncConnection, claim_ids: Sequence[UUID]) -> dict[UUID, Ledgered]:
    """Load and lock accounts in claim-id order (a fixed order: no deadlocks between runs)."""
    query = (
        sa.select(t.account)
        .where(t.account.c.claim_id.in_(list(claim_ids)))
        .order_by(t.account.c.claim_id)
        .with_for_update()
    )
    rows = (await conn.execute(query)).all()
    fees = await standing_fees(conn, [r.claim_id for r in rows if r.fees_ore])
    return {row.claim_id: ledgered(row, fees) for row in rows}


async def standing_fees(conn: AsyncConnection, claim_ids: list[UUID]) -> Fees:
    """The fees still standing on ``claim_ids`` with the day each was charged, oldest first."""
    if not claim_ids:
        return {}
    driver = await raw_connection(conn)
    rows = await driver.fetch(_FEES, claim_ids)
    return {r["claim_id"]: tuple(zip(r["days"], r["amounts"], strict=True)) for r in rows}


class LockedAccounts(Mapping[UUID, Ledgered]):
    """Accounts locked for one booking run; a fetched row becomes a Ledgered on first use.

    Used by one thread at a time (the booking worker), so it needs no lock of its own.
    """

    def __init__(self, rows: dict[UUID, Any], fees: Fees) -> None:
        self._rows = rows
        self._fees = fees
        self._ready: dict[UUID, Ledgered] = {}

    def __getitem__(self, claim_id: UUID) -> Ledgered:
        entry = self._ready.get(claim_id)
        if entry is None:
            fees = self._fees.get(claim_id, ())
            entry = self._ready[claim_id] = _from_record(self._rows[claim_id], fees)
        return entry

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._rows

    def __iter__(self) -> Iterator[UUID]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


async def lock_matched_accounts(conn: AsyncConnection) -> LockedAccounts:
    """Load and lock every account a KID in ``payment_stage`` names (claim-id order)."""
    driver = await raw_connection(conn)
    rows = {r["claim_id"]: r for r in await driver.fetch(_LOCK_MATCHED)}
    fees = await standing_fees(conn, [c for c, r in rows.items() if r["fees_ore"]])
    return LockedAccounts(rows, fees)


def _from_record(r: Any, fees: tuple[tuple[date, int], ...]) -> Ledgered:
    balance = Balance(r["principal_ore"], r["interest_ore"], r["fees_ore"], r["paid_ore"])
    account = ClaimAccount(
        r["claim_id"], r["due_date"], balance, r["interest_through"], r["status"] == "open", fees
    )
    return Ledgered(account, r["municipality"], r["debtor_ref"])


async def save_accounts(conn: AsyncConnection, accounts: Iterable[Ledgered]) -> None:
    """Write the cached balances of changed accounts in one statement."""
    await save_balance_columns(conn, balance_columns(accounts))


async def save_balance_columns(conn: AsyncConnection, columns: list[list[Any]]) -> None:
    """Write balances given as columns (see :func:`balance_columns`) in one statement."""
    if columns[0]:
        driver = await raw_connection(conn)
        await driver.execute(_SAVE, *columns)


def balance_columns(accounts: Iterable[Ledgered]) -> list[list[Any]]:
    """The balances of ``accounts`` as the columns of one UPDATE (a snapshot, safe to hand on)."""
    columns: list[list[Any]] = [[], [], [], [], [], [], []]
    for entry in accounts:
        a, b = entry.account, entry.account.balance
        values = (
            a.claim_id, b.principal_ore, b.interest_ore, b.fees_ore, b.paid_ore,
            a.interest_through, "open" if a.open else "closed",
        )  # fmt: skip
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


async def append_postings(conn: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append posting rows (``POSTING_COLUMNS`` order) to the ledger."""
    if not rows:
        return
    if len(rows) > 50:
        await copy_rows(conn, "posting", POSTING_COLUMNS, rows)
        return
    await conn.execute(
        sa.insert(t.posting), [dict(zip(POSTING_COLUMNS, r, strict=True)) for r in rows]
    )
