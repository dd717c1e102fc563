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


# A payment as the bank sent it, where it went (claims' municipalities, the queue) and whether
# the bank took it back.
PAYMENT_SQL = """
    SELECT p.id, p.channel, p.payment_key, p.amount_ore, p.reversal, p.kid, p.kid_valid,
        p.booking_date, p.value_date, p.paid_on, p.payer_account, p.payer_name,
        p.archive_reference, p.free_text, p.form_number, p.centre_id, p.day_code,
        p.partial_settlement, p.serial_number, p.end_to_end_id, p.reversed_by, p.received_at,
        u.state AS queue_state, u.municipality AS queue_municipality,
        (SELECT array_agg(DISTINCT a.municipality) FROM posting x
         JOIN account a ON a.claim_id = x.claim_id WHERE x.payment_id = p.id) AS municipalities,
        (SELECT array_agg(DISTINCT x.claim_id) FROM posting x
         WHERE x.payment_id = p.id AND x.claim_id IS NOT NULL) AS claim_ids
    FROM payment p LEFT JOIN unmatched_payment u ON u.payment_id = p.id
    WHERE p.id = $1
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


async def payment_row(conn: AsyncConnection, payment_id: UUID) -> Any:
    """One payment as the bank sent it, with where it went; None if unknown."""
    rows = await _fetch(conn, PAYMENT_SQL, payment_id)
    return rows[0] if rows else None
