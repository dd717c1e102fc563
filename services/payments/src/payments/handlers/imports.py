"""Importing payment files (OCR giro, camt.054) and booking single payments from any channel.

A file is one transaction: it is streamed into a staging table while it is parsed, and a file
the parser rejects at its very end (wrong totals, cut off) leaves nothing behind. The file is
locked by its content hash before anything else, so two concurrent imports of the same file
book it once: the second waits, then answers with the first one's result.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import IO, Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.exc import IntegrityError

from payments.booking.engine import book_staged
from payments.db import tables as t
from payments.db.accounts import lock_matched_accounts
from payments.db.payments import drop_known_payments, record_staged_payments
from payments.db.staging import PAYMENT_STAGE_COLUMNS, copy_rows, create_stages, in_batches
from payments.domain.errors import PaymentsError
from payments.files import FileFormat, FileSummary, IncomingPayment, reader_for
from payments.handlers.common import Office
from payments.handlers.reversals import book_reversals
from runtime.db import UnitOfWork

_STAGE_COLUMNS = tuple(c for c in PAYMENT_STAGE_COLUMNS if c != "payment_id")


async def import_payment_file(
    uow: UnitOfWork,
    stream: IO[bytes],
    *,
    sha256: str,
    file_format: FileFormat,
    imported_by: str,
    office: Office,
) -> dict[str, Any]:
    """Book every payment of a file once; the same file again answers the first result.

    Raises ``FileRejected`` (nothing booked) when the parser refuses the file.
    """
    file_id = await _reserve(uow, sha256, file_format, imported_by)
    if file_id is None:
        return {**await _earlier_result(uow, sha256), "duplicate": True}
    await create_stages(uow.conn)
    reader = reader_for(file_format, stream)
    rows = in_batches(_stage_rows(reader.payments()))
    staged = await copy_rows(uow.conn, "payment_stage", _STAGE_COLUMNS, rows)
    summary = reader.summary
    assert summary is not None  # the iteration ended without FileRejected
    await _claim_file_key(uow, file_id, summary)
    sender = f"{summary.format}:{summary.sender or summary.recipient or ''}"
    skipped, booked = await _book(uow, office, sender=sender, file_id=file_id)
    result = _result(file_id, summary, staged, skipped, booked)
    await uow.conn.execute(
        sa.update(t.payment_file).where(t.payment_file.c.id == file_id).values(result=result)
    )
    return {**result, "duplicate": False}


async def book_incoming_payment(
    uow: UnitOfWork, payment: IncomingPayment, *, sender: str, office: Office
) -> dict[str, Any]:
    """Book one payment from any channel (Vipps, card, manual); once per (sender, key)."""
    await create_stages(uow.conn)
    await copy_rows(uow.conn, "payment_stage", _STAGE_COLUMNS, _stage_rows(iter([payment])))
    skipped, booked = await _book(uow, office, sender=sender, file_id=None)
    return {"already_booked": bool(skipped), **booked}


async def _book(
    uow: UnitOfWork, office: Office, *, sender: str, file_id: UUID | None
) -> tuple[int, dict[str, int]]:
    """Book the staged payments, then undo what the staged reversals take back; returns how
    many were booked before and the counts and sums of this booking."""
    conn = uow.conn
    # Sorting 100 000 events for the outbox must not spill to disk.
    await conn.execute(sa.text("SET LOCAL work_mem = '256MB'"))
    await conn.execute(sa.text("CREATE INDEX ON payment_stage (seq)"))
    await conn.execute(sa.text("ANALYZE payment_stage"))
    skipped = await drop_known_payments(conn, sender)
    accounts = await lock_matched_accounts(conn)
    reference = str(file_id) if file_id else None
    ctx = office.booking(uow, reference=reference)
    record = partial(record_staged_payments, file_id=file_id, sender=sender, now=uow.clock())
    try:
        booked = await book_staged(conn, accounts, ctx, office.announce, before=record)
    except IntegrityError:
        raise PaymentsError("file.payment_conflict") from None
    reversals = await book_reversals(uow, reference)
    summary = booked.summary()
    summary["unmatched"] += reversals.unmatched
    return skipped, {
        **summary,
        "reversed_ore": reversals.reversed_ore,
        "reversals_undone": reversals.undone,
    }


def _stage_rows(payments: Iterator[IncomingPayment]) -> Iterator[tuple[Any, ...]]:
    for seq, p in enumerate(payments):
        yield (
            seq, p.source, p.payment_key, p.amount_ore, p.reversal, p.kid, p.kid_valid,
            p.booking_date, p.value_date, p.archive_reference, p.payer_account, p.payer_name,
            p.free_text, True, p.payment_date, p.form_number, p.centre_id, p.day_code,
            p.partial_settlement, p.serial_number, p.end_to_end_id,
        )  # fmt: skip


async def _reserve(uow: UnitOfWork, sha256: str, file_format: str, imported_by: str) -> UUID | None:
    # A concurrent import of the same bytes waits here until the first one commits.
    inserted = await uow.conn.execute(
        pg.insert(t.payment_file)
        .values(
            id=uuid4(),
            sha256=sha256,
            format=file_format,
            imported_by=imported_by,
            imported_at=uow.clock(),
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(t.payment_file.c.id)
    )
    row = inserted.first()
    return None if row is None else UUID(str(row.id))


async def _earlier_result(uow: UnitOfWork, sha256: str) -> dict[str, Any]:
    query = sa.select(t.payment_file.c.result).where(t.payment_file.c.sha256 == sha256)
    result: dict[str, Any] = (await uow.conn.execute(query)).scalar_one()
    return result


async def _claim_file_key(uow: UnitOfWork, file_id: UUID, summary: FileSummary) -> None:
    taken = await uow.conn.execute(
        sa.select(t.payment_file.c.id).where(t.payment_file.c.file_key == summary.file_key)
    )
    if taken.first() is not None:
        raise PaymentsError("file.key_reused")
    try:
        await uow.conn.execute(
            sa.update(t.payment_file)
            .where(t.payment_file.c.id == file_id)
            .values(file_key=summary.file_key, sender=summary.sender)
        )
    except IntegrityError:
        raise PaymentsError("file.key_reused") from None


def _result(
    file_id: UUID, summary: FileSummary, staged: int, skipped: int, booked: dict[str, int]
) -> dict[str, Any]:
    return {
        "file_id": str(file_id),
        "format": summary.format,
        "file_key": summary.file_key,
        "sha256": summary.sha256,
        "payments": staged,
        "already_booked": skipped,
        "booked": staged - skipped,
        "credit_ore": summary.credit_ore,
        "reversal_ore": summary.reversal_ore,
        **booked,
    }
