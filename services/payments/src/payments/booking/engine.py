"""The booking engine: staged payments → matched → allocated → ledger, queue and outbox.

Everything runs inside the caller's transaction with a constant number of statements per
batch of 10 000 payments: one query matches KIDs, one locks every account involved (in
claim-id order), COPY writes postings, one UPDATE saves balances, one INSERT per event type
writes the outbox. Allocation (Python) and writing (PostgreSQL) overlap, chunk by chunk, so
both cores of a small machine work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.booking.candidates import find_candidates
from payments.booking.pipeline import SpanWriter, book_in_chunks
from payments.db.events import EventSource, add_final_events
from payments.db.staging import copy_rows, raw_connection
from payments.domain.booking import Booked, BookingContext, Job, Ledgered

_JOBS = """
    SELECT p.seq, p.payment_id, p.amount_ore, p.reversal, p.kid, p.kid_valid, p.booking_date,
        p.payer_account, p.paid_on,
        CASE WHEN p.kid_valid THEN coalesce(
            (SELECT array_agg(a.claim_id) FROM account a WHERE a.kid = p.kid),
            (SELECT array_agg(a.claim_id) FROM account a WHERE a.original_kid = p.kid)
        ) END AS claim_ids
    FROM payment_stage p ORDER BY p.seq
"""
_UNMATCHED_COLUMNS = (
    "payment_id", "reason", "amount_ore", "municipality", "candidates", "state", "created_at",
)  # fmt: skip
_REFUND_COLUMNS = (
    "id", "payment_id", "claim_id", "debtor_ref", "amount_ore", "to_account", "reason",
    "status", "created_at",
)  # fmt: skip
_PAYER_ACCOUNTS = """
    INSERT INTO payer_account (account, debtor_ref)
    SELECT DISTINCT p.payer_account, s.debtor_ref
    FROM payment_stage p JOIN share_stage s ON s.payment_id = p.payment_id
    WHERE p.payer_account IS NOT NULL
    ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class Announce:
    """Who the outbox events come from."""

    source: str
    office_tenant: str


async def book_staged(
    conn: AsyncConnection,
    accounts: Mapping[UUID, Ledgered],
    ctx: BookingContext,
    announce: Announce,
    jobs: Iterable[Job] | None = None,
    before: SpanWriter | None = None,
) -> Booked:
    """Book ``jobs`` (default: every row of ``payment_stage``) against locked ``accounts``.

    ``before`` runs for each chunk's span of ``seq`` before its postings are written.
    """
    booked = Booked()
    origin = EventSource(announce.source, announce.office_tenant, ctx.now)
    if jobs is None:
        driver = await raw_connection(conn)
        rows: list[Any] = await driver.fetch(_JOBS)
        await book_in_chunks(conn, rows, _job, accounts, ctx, booked, origin, before)
    else:
        todo = list(jobs)
        await book_in_chunks(conn, todo, _same, accounts, ctx, booked, origin, before)
    await _queue_unmatched(conn, booked, ctx.now)
    if booked.refunds:
        await copy_rows(conn, "refund_instruction", _REFUND_COLUMNS, booked.refunds)
    await conn.execute(sa.text(_PAYER_ACCOUNTS))
    await add_final_events(conn, origin)
    return booked


def _job(r: Any) -> Job:
    return Job(
        r["seq"], r["payment_id"], r["amount_ore"], r["reversal"], r["kid"], r["kid_valid"],
        r["booking_date"], r["payer_account"], tuple(r["claim_ids"] or ()), paid_on=r["paid_on"],
    )  # fmt: skip


def _same(job: Job) -> Job:
    return job


async def _queue_unmatched(conn: AsyncConnection, booked: Booked, now: datetime) -> None:
    if not booked.unmatched:
        return
    candidates = await find_candidates(conn, booked.unmatched)
    rows = [
        (
            d.job.payment_id,
            str(d.reason),
            d.job.amount_ore,
            d.municipality,
            json.dumps(candidates.get(d.job.payment_id, [])),
            "open",
            now,
        )
        for d in booked.unmatched
    ]
    await copy_rows(conn, "unmatched_payment", _UNMATCHED_COLUMNS, rows)
