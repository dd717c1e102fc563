"""Booking in chunks on both cores: Python allocates a chunk in a worker thread while
PostgreSQL writes the chunk before it (payments, postings, balances, outbox events).

The worker thread is the only one touching the accounts while it runs; what it hands to the
writer (rows, a snapshot of balances) is never changed again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.accounts import append_postings, balance_columns, save_balance_columns
from payments.db.events import EventSource, add_chunk_events
from payments.db.staging import SHARE_STAGE_COLUMNS, copy_rows
from payments.domain.booking import Booked, BookingContext, Job, Ledgered, book_jobs

CHUNK = 10_000
# Called for each chunk's span of ``seq`` before its postings: e.g. register the payments.
SpanWriter = Callable[[AsyncConnection, int, int], Awaitable[None]]


@dataclass(frozen=True)
class ChunkRows:
    """What booking one chunk produced, ready to write."""

    span: tuple[int, int]
    postings: list[tuple[Any, ...]]
    shares: list[tuple[Any, ...]]
    balances: list[list[Any]]


async def book_in_chunks(
    conn: AsyncConnection,
    jobs: Sequence[Any],
    to_job: Callable[[Any], Job],
    accounts: Mapping[UUID, Ledgered],
    ctx: BookingContext,
    booked: Booked,
    origin: EventSource,
    before: SpanWriter | None = None,
) -> None:
    """Book ``jobs`` (raw rows, made into :class:`Job` by ``to_job`` in the worker)."""
    writing: asyncio.Task[None] | None = None
    try:
        for start in range(0, len(jobs), CHUNK):
            chunk = jobs[start : start + CHUNK]
            rows = await asyncio.to_thread(_book_chunk, chunk, to_job, accounts, ctx, booked)
            if writing is not None:
                await writing
            writing = asyncio.create_task(_write_chunk(conn, rows, origin, before))
        if writing is not None:
            await writing
    except BaseException:
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)
        raise


def _book_chunk(
    chunk: Sequence[Any],
    to_job: Callable[[Any], Job],
    accounts: Mapping[UUID, Ledgered],
    ctx: BookingContext,
    booked: Booked,
) -> ChunkRows:
    jobs = [to_job(row) for row in chunk]
    book_jobs(jobs, accounts, ctx, booked)
    balances = balance_columns(accounts[claim_id] for claim_id in booked.touched)
    rows = ChunkRows((jobs[0].seq, jobs[-1].seq), booked.postings, booked.shares, balances)
    booked.postings, booked.shares, booked.touched = [], [], set()
    return rows


async def _write_chunk(
    conn: AsyncConnection, rows: ChunkRows, origin: EventSource, before: SpanWriter | None
) -> None:
    if before is not None:
        await before(conn, *rows.span)
    await append_postings(conn, rows.postings)
    await copy_rows(conn, "share_stage", SHARE_STAGE_COLUMNS, rows.shares)
    await save_balance_columns(conn, rows.balances)
    await add_chunk_events(conn, origin, *rows.span)
