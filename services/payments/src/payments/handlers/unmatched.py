"""The unmatched queue: caseworkers allocate a payment to a claim, or return it to the payer.

Both are idempotent by state: allocating an already allocated payment to the same claim
answers the earlier result and books nothing; the row is locked while it is resolved, so two
concurrent requests cannot both book it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from payments.booking.engine import book_staged
from payments.db import tables as t
from payments.db.accounts import append_postings, lock_accounts
from payments.db.staging import PAYMENT_STAGE_COLUMNS, copy_rows, create_stages
from payments.domain.booking import REVERSAL, Job, posting_row
from payments.domain.errors import PaymentsError
from payments.domain.ledger import SUSPENSE, refund
from payments.domain.matching import EXPLANATIONS, Evidence
from payments.handlers.common import Office
from runtime.db import UnitOfWork

_ALLOCATED = """
    SELECT claim_id, component, sum(amount_ore) AS amount FROM posting
    WHERE payment_id = :payment_id AND kind = 'payment' GROUP BY claim_id, component
"""


async def list_unmatched(
    uow: UnitOfWork, municipalities: Collection[str], *, state: str, limit: int
) -> list[dict[str, Any]]:
    """The queue, oldest first, as one caseworker may see it: what the bank said of each
    payment (payer, account, text, archive reference, both dates) and the claims suggested."""
    u, p = t.unmatched_payment, t.payment
    query = (
        sa.select(
            u,
            p.c.kid,
            p.c.booking_date,
            p.c.paid_on,
            p.c.payer_name,
            p.c.payer_account,
            p.c.free_text,
            p.c.archive_reference,
            p.c.end_to_end_id,
            p.c.channel,
        )
        .join(p, p.c.id == u.c.payment_id)
        .where(u.c.state == state, _visible(municipalities))
        .order_by(u.c.created_at, u.c.payment_id)
        .limit(limit)
    )
    rows = (await uow.conn.execute(query)).all()
    return [_entry(row, municipalities) for row in rows]


async def allocate_unmatched(
    uow: UnitOfWork,
    payment_id: UUID,
    claim_id: UUID,
    *,
    caseworker: str,
    municipalities: Collection[str],
    office: Office,
) -> dict[str, Any]:
    """Book an unmatched payment on a claim the caseworker chose (money from suspense)."""
    row = await _locked_entry(uow, payment_id, municipalities)
    if row.state == "allocated" and row.claim_id == claim_id:
        result: dict[str, Any] = row.result
        return result
    _require_open(row)
    accounts = await lock_accounts(uow.conn, [claim_id])
    entry = accounts.get(claim_id)
    if entry is None or entry.municipality not in municipalities:
        raise PaymentsError("account.not_found")
    if not entry.account.open:
        raise PaymentsError("unmatched.claim_closed")
    await _stage(uow, row)
    job = Job(
        0, payment_id, row.amount_ore, False, row.kid, row.kid_valid, row.booking_date,
        row.payer_account, (claim_id,), forced=True, paid_on=row.paid_on,
    )  # fmt: skip
    ctx = office.booking(uow, source=SUSPENSE, reference=f"manual:{caseworker}")
    booked = await book_staged(uow.conn, accounts, ctx, office.announce, jobs=[job])
    result = {
        "payment_id": str(payment_id),
        "state": "allocated",
        "claim_id": str(claim_id),
        "allocations": await _allocations(uow, payment_id),
        "overpaid_ore": booked.overpaid_ore,
        "refund_instructions": len(booked.refunds),
    }
    await _resolve(uow, payment_id, "allocated", claim_id, caseworker, result)
    return result


async def return_unmatched(
    uow: UnitOfWork,
    payment_id: UUID,
    *,
    caseworker: str,
    municipalities: Collection[str],
) -> dict[str, Any]:
    """Send an unmatched payment back to the account it came from (a refund instruction)."""
    row = await _locked_entry(uow, payment_id, municipalities)
    if row.state == "returned":
        result: dict[str, Any] = row.result
        return result
    _require_open(row)
    if not row.payer_account:
        raise PaymentsError("unmatched.no_payer_account")
    instruction_id, now = uuid4(), uow.clock()
    posting = refund(row.amount_ore, source=SUSPENSE)
    row_values = posting_row(
        posting, None, None, payment_id, row.booking_date, now, f"manual:{caseworker}"
    )
    await append_postings(uow.conn, [row_values])
    await uow.conn.execute(
        sa.insert(t.refund_instruction).values(
            id=instruction_id, payment_id=payment_id, amount_ore=row.amount_ore,
            to_account=row.payer_account, reason="returned_payment", status="pending",
            created_at=now,
        )
    )  # fmt: skip
    result = {
        "payment_id": str(payment_id),
        "state": "returned",
        "refund_instruction": {
            "id": str(instruction_id),
            "amount_ore": row.amount_ore,
            "to_account": row.payer_account,
            "status": "pending",
        },
    }
    await _resolve(uow, payment_id, "returned", None, caseworker, result)
    return result


def _visible(municipalities: Collection[str]) -> Any:
    column = t.unmatched_payment.c.municipality
    return sa.or_(column.is_(None), column.in_(list(municipalities)))


def _entry(row: Any, municipalities: Collection[str]) -> dict[str, Any]:
    return {
        "payment_id": str(row.payment_id),
        "amount_ore": row.amount_ore,
        "kid": row.kid,
        "booking_date": row.booking_date.isoformat(),
        "paid_on": row.paid_on.isoformat(),
        "channel": row.channel,
        "payer_name": row.payer_name,
        "payer_account": row.payer_account,
        "free_text": row.free_text,
        "archive_reference": row.archive_reference,
        "end_to_end_id": row.end_to_end_id,
        "reason": row.reason,
        "municipality": row.municipality,
        "state": row.state,
        "claim_id": str(row.claim_id) if row.claim_id else None,
        "candidates": [
            {
                **{k: c[k] for k in ("claim_id", "score", "reasons")},
                "why": [EXPLANATIONS[Evidence(r)] for r in c["reasons"]],
            }
            for c in row.candidates
            if c["municipality"] in municipalities
        ],
    }


async def _locked_entry(uow: UnitOfWork, payment_id: UUID, municipalities: Collection[str]) -> Any:
    u, p = t.unmatched_payment, t.payment
    query = (
        sa.select(
            u,
            p.c.kid,
            p.c.kid_valid,
            p.c.booking_date,
            p.c.paid_on,
            p.c.payer_account,
            p.c.channel,
        )
        .join(p, p.c.id == u.c.payment_id)
        .where(u.c.payment_id == payment_id, _visible(municipalities))
        .with_for_update(of=u)
    )
    row = (await uow.conn.execute(query)).first()
    if row is None:
        raise PaymentsError("unmatched.not_found")
    return row


def _require_open(row: Any) -> None:
    if row.reason == REVERSAL:
        raise PaymentsError("unmatched.reversal")
    if row.state != "open":
        raise PaymentsError("unmatched.already_resolved")


async def _stage(uow: UnitOfWork, row: Any) -> None:
    await create_stages(uow.conn)
    values = (
        0, row.payment_id, row.channel, None, row.amount_ore, False, row.kid, row.kid_valid,
        row.booking_date, None, None, row.payer_account, None, None, False, row.paid_on,
        None, None, None, None, None, None,
    )  # fmt: skip
    await copy_rows(uow.conn, "payment_stage", PAYMENT_STAGE_COLUMNS, [values])


async def _allocations(uow: UnitOfWork, payment_id: UUID) -> list[dict[str, Any]]:
    rows = await uow.conn.execute(sa.text(_ALLOCATED), {"payment_id": payment_id})
    split: dict[str, dict[str, Any]] = {}
    for r in rows:
        line = split.setdefault(
            str(r.claim_id),
            {"claim_id": str(r.claim_id), "fees_ore": 0, "interest_ore": 0, "principal_ore": 0},
        )
        line[f"{r.component}_ore"] = int(r.amount)
    return list(split.values())


async def _resolve(
    uow: UnitOfWork,
    payment_id: UUID,
    state: str,
    claim_id: UUID | None,
    caseworker: str,
    result: dict[str, Any],
) -> None:
    await uow.conn.execute(
        sa.update(t.unmatched_payment)
        .where(t.unmatched_payment.c.payment_id == payment_id)
        .values(state=state, claim_id=claim_id, resolved_at=uow.clock(), resolved_by=caseworker,
                result=result)
    )  # fmt: skip
