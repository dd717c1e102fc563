"""Reads for the caseworkers' views: one statement each, straight from the driver.

A read is a single statement, so it sees one snapshot without a transaction of its own; going
to the driver spares the BEGIN and ROLLBACK round trips and SQLAlchemy's row processing, which
together cost more than the queries themselves (a debtor's 50 accounts: 0.2 ms of SQL).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

_ACCOUNT_COLUMNS = """
    claim_id, municipality, debtor_ref, kid, status, due_date, principal_ore, interest_ore,
    fees_ore, paid_ore, interest_through
"""
ACCOUNT_SQL = f"SELECT {_ACCOUNT_COLUMNS} FROM account WHERE claim_id = $1"  # noqa: S608
DEBTOR_SQL = f"""
    SELECT {_ACCOUNT_COLUMNS} FROM account
    WHERE debtor_ref = $1 AND municipality = ANY($2::text[])
    ORDER BY due_date, claim_id
"""  # noqa: S608 - constant SQL
# The account's municipality on every row; one row with a NULL id when it has no postings.
HISTORY_SQL = """
    SELECT a.municipality, p.id, p.kind, p.component, p.debit_account, p.credit_account,
        p.amount_ore, p.booked_on, p.payment_id
    FROM account a LEFT JOIN posting p ON p.claim_id = a.claim_id
    WHERE a.claim_id = $1
    ORDER BY p.id
"""


async def _fetch(conn: AsyncConnection, sql: str, *args: Any) -> list[Any]:
    fairy = await conn.get_raw_connection()
    driver: Any = fairy.driver_connection
    rows: list[Any] = await driver.fetch(sql, *args)
    return rows


async def account_view_row(conn: AsyncConnection, claim_id: UUID) -> Any:
    """The columns a balance view needs of one account, or None."""
    rows = await _fetch(conn, ACCOUNT_SQL, claim_id)
    return rows[0] if rows else None


async def debtor_view_rows(
    conn: AsyncConnection, debtor_ref: str, municipalities: Collection[str]
) -> list[Any]:
    """A debtor's accounts in ``municipalities``, oldest due date first."""
    return await _fetch(conn, DEBTOR_SQL, debtor_ref, list(municipalities))


async def history_rows(conn: AsyncConnection, claim_id: UUID) -> list[Any]:
    """A claim's postings, oldest first, each with the account's municipality; [] if unknown."""
    return await _fetch(conn, HISTORY_SQL, claim_id)
