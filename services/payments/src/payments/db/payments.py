"""The payments register: payments recorded from the staging table, once per identity."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

_DEDUPE = """
    DELETE FROM payment_stage s USING payment p
    WHERE p.sender = :sender AND p.payment_key = s.payment_key
"""
_RECORD = """
    INSERT INTO payment (id, file_id, file_seq, channel, sender, payment_key, amount_ore,
        reversal, kid, kid_valid, booking_date, value_date, payer_account, payer_name,
        archive_reference, free_text, received_at, paid_on, form_number, centre_id, day_code,
        partial_settlement, serial_number, end_to_end_id)
    SELECT payment_id, :file_id, seq, channel, :sender, payment_key, amount_ore, reversal, kid,
        kid_valid, booking_date, value_date, payer_account, payer_name, archive_reference,
        free_text, :now, paid_on, form_number, centre_id, day_code, partial_settlement,
        serial_number, end_to_end_id
    FROM payment_stage WHERE seq BETWEEN :lo AND :hi ORDER BY seq
"""


async def drop_known_payments(conn: AsyncConnection, sender: str) -> int:
    """Remove staged payments booked before (same sender and key); returns how many."""
    return int((await conn.execute(sa.text(_DEDUPE), {"sender": sender})).rowcount)


async def record_staged_payments(
    conn: AsyncConnection,
    lo: int,
    hi: int,
    *,
    file_id: UUID | None,
    sender: str,
    now: datetime,
) -> None:
    """Register the staged payments ``lo``–``hi`` (a race on their identity raises)."""
    params = {"file_id": file_id, "sender": sender, "now": now, "lo": lo, "hi": hi}
    await conn.execute(sa.text(_RECORD), params)
