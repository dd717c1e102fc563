"""The set-based path: per-transaction staging tables and binary COPY through asyncpg.

A payment file is streamed into ``payment_stage`` while it is parsed; matching, allocation
and the outbox events then work on whole sets. Staging tables are temporary and dropped at
commit, so a rolled-back import leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

PAYMENT_STAGE_COLUMNS = (
    "seq",
    "payment_id",
    "channel",
    "payment_key",
    "amount_ore",
    "reversal",
    "kid",
    "kid_valid",
    "booking_date",
    "value_date",
    "archive_reference",
    "payer_account",
    "payer_name",
    "free_text",
    "announce",
    "paid_on",
    "form_number",
    "centre_id",
    "day_code",
    "partial_settlement",
    "serial_number",
    "end_to_end_id",
)
SHARE_STAGE_COLUMNS = (
    "seq",
    "sub",
    "payment_id",
    "claim_id",
    "municipality",
    "debtor_ref",
    "fees_ore",
    "interest_ore",
    "principal_ore",
    "principal_after",
    "interest_after",
    "fees_after",
    "paid_after",
    "as_of",
    "interest_through",
)
POSTING_COLUMNS = (
    "claim_id",
    "debtor_ref",
    "payment_id",
    "kind",
    "component",
    "debit_account",
    "credit_account",
    "amount_ore",
    "booked_on",
    "booked_at",
    "reference",
)

_CREATE = (
    """CREATE TEMP TABLE IF NOT EXISTS payment_stage (
        seq integer NOT NULL, payment_id uuid NOT NULL DEFAULT gen_random_uuid(),
        channel text NOT NULL, payment_key text, amount_ore bigint NOT NULL,
        reversal boolean NOT NULL, kid text, kid_valid boolean NOT NULL,
        booking_date date NOT NULL, value_date date, archive_reference text,
        payer_account text, payer_name text, free_text text, announce boolean NOT NULL,
        paid_on date NOT NULL, form_number text, centre_id text, day_code text,
        partial_settlement text, serial_number text, end_to_end_id text
    ) ON COMMIT DROP""",
    """CREATE TEMP TABLE IF NOT EXISTS share_stage (
        seq integer NOT NULL, sub integer NOT NULL, payment_id uuid NOT NULL,
        claim_id uuid NOT NULL, municipality text NOT NULL, debtor_ref text NOT NULL,
        fees_ore bigint NOT NULL, interest_ore bigint NOT NULL, principal_ore bigint NOT NULL,
        principal_after bigint NOT NULL, interest_after bigint NOT NULL,
        fees_after bigint NOT NULL, paid_after bigint NOT NULL, as_of date NOT NULL,
        interest_through date
    ) ON COMMIT DROP""",
    "CREATE INDEX IF NOT EXISTS share_stage_seq ON share_stage (seq)",
)


async def raw_connection(conn: AsyncConnection) -> Any:
    """The asyncpg connection under ``conn``, inside the transaction ``conn`` already began."""
    await conn.execute(sa.text("SELECT 1"))  # make sure the transaction has started
    fairy = await conn.get_raw_connection()
    return fairy.driver_connection


async def create_stages(conn: AsyncConnection) -> None:
    """The staging tables of one booking transaction."""
    for statement in _CREATE:
        await conn.execute(sa.text(statement))


async def copy_rows(
    conn: AsyncConnection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]] | AsyncIterable[tuple[Any, ...]],
) -> int:
    """Binary COPY of ``rows`` into ``table``; returns how many rows were copied."""
    driver = await raw_connection(conn)
    status: str = await driver.copy_records_to_table(table, records=rows, columns=list(columns))
    return int(status.split()[-1])


async def in_batches(rows: Iterator[tuple[Any, ...]], size: int = 2_000) -> AsyncIterator[Any]:
    """``rows`` pulled in batches by a worker thread: parsing a large file keeps the event loop
    (health checks, other requests) free; a parser's error surfaces here as raised."""
    while batch := await asyncio.to_thread(lambda: list(islice(rows, size))):
        for row in batch:
            yield row
