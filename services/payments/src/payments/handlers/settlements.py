"""Settlement per municipality and period: interest booked, remittance, export, event.

One settlement per municipality and period (a unique key); asking again answers the stored
one, so a settled period never changes. Postings settled are recorded, so money handed back
after a period was settled is netted in the next one.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from payments.db import tables as t
from payments.db.accounts import append_postings, ledgered, save_accounts
from payments.db.staging import copy_rows
from payments.domain.allocation import book_interest
from payments.domain.booking import posting_row
from payments.domain.ledger import Component
from payments.domain.settlement import Collected, Remittance, period_bounds, remittance
from payments.handlers.common import Office
from payments.mapping import balance_changed, settlement_created
from payments.settlement_export import settlement_document
from rules.calendar import oslo_today
from rules.municipalities import Collection
from runtime.db import UnitOfWork

_COLLECTED = """
    SELECT p.id, p.claim_id, a.invoice_number, p.component,
        CASE WHEN p.kind = 'payment' THEN p.amount_ore ELSE -p.amount_ore END AS amount_ore
    FROM posting p JOIN account a ON a.claim_id = p.claim_id
    LEFT JOIN settlement_posting s ON s.posting_id = p.id
    WHERE ({collections}) AND p.booked_on <= :period_end AND s.posting_id IS NULL
      AND (p.kind = 'payment' OR (p.kind = 'overpayment_credit'
           AND p.debit_account IN ('creditor:principal', 'creditor:interest', 'office:fees')))
    ORDER BY p.id
"""
_COLLECTION = "(a.municipality = :m{i} AND p.booked_on >= :start{i} AND p.booked_on < :end{i})"


async def settle(
    uow: UnitOfWork, municipality: str, period: str, *, created_by: str, office: Office
) -> dict[str, Any]:
    """The municipality's settlement for ``period`` (``YYYY-MM``), made once."""
    start, end = period_bounds(period)
    await uow.conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext('settlement:' || :m))"), {"m": municipality}
    )
    earlier = await _stored(uow, municipality, start)
    if earlier is not None:
        return earlier
    collections = office.register.collected_by(municipality)
    await _book_interest(uow, collections, min(end, oslo_today(uow.clock())), office)
    rows = await _collected(uow, collections, end)
    collected = [
        Collected(r.claim_id, r.invoice_number, Component(r.component), r.amount_ore) for r in rows
    ]
    result = remittance(municipality, start, end, collected)
    settlement_id = uuid4()
    document = settlement_document(settlement_id, result, uow.clock())
    await _store(uow, settlement_id, result, document, created_by)
    await copy_rows(
        uow.conn,
        "settlement_posting",
        ("posting_id", "settlement_id"),
        [(r.id, settlement_id) for r in rows],
    )
    payload = settlement_created(settlement_id, result, uow.clock())
    uow.add_event(
        "settlements.created.v1", tenant=municipality, subject=str(settlement_id), payload=payload
    )
    return document


async def _collected(uow: UnitOfWork, collections: tuple[Collection, ...], end: date) -> list[Any]:
    """Unsettled money through ``end`` on the claims the municipality collected when it was
    booked: a merged municipality's until the merger, its successor's from that day."""
    where = " OR ".join(_COLLECTION.format(i=i) for i in range(len(collections)))
    params: dict[str, Any] = {"period_end": end}
    for i, c in enumerate(collections):
        params |= {f"m{i}": c.number, f"start{i}": c.start, f"end{i}": c.end}
    return list(await uow.conn.execute(sa.text(_COLLECTED.format(collections=where)), params))


async def settlement_by_id(uow: UnitOfWork, settlement_id: UUID) -> Any:
    """A stored settlement row, or None."""
    query = sa.select(t.settlement).where(t.settlement.c.id == settlement_id)
    return (await uow.conn.execute(query)).first()


async def _stored(uow: UnitOfWork, municipality: str, start: date) -> dict[str, Any] | None:
    s = t.settlement
    query = sa.select(s.c.document).where(
        s.c.municipality == municipality, s.c.period_start == start
    )
    document: dict[str, Any] | None = (await uow.conn.execute(query)).scalar_one_or_none()
    return document


async def _store(
    uow: UnitOfWork,
    settlement_id: UUID,
    result: Remittance,
    document: dict[str, Any],
    created_by: str,
) -> None:
    await uow.conn.execute(
        sa.insert(t.settlement).values(
            id=settlement_id, municipality=result.municipality, period_start=result.period_start,
            period_end=result.period_end, principal_ore=result.principal_ore,
            interest_ore=result.interest_ore, fees_kept_ore=result.fees_kept_ore,
            claims_count=len(result.lines), document=document, created_by=created_by,
            created_at=uow.clock(),
        )
    )  # fmt: skip


async def _book_interest(
    uow: UnitOfWork, collections: tuple[Collection, ...], through: date, office: Office
) -> None:
    """Interest is booked at settlement too, so balances match what the letters say."""
    a = t.account
    numbers = [c.number for c in collections if c.covers(through)]
    query = (
        sa.select(a)
        .where(a.c.municipality.in_(numbers), a.c.status == "open", a.c.principal_ore > 0,
               a.c.due_date < through,
               sa.or_(a.c.interest_through.is_(None), a.c.interest_through < through))
        .order_by(a.c.claim_id)
        .with_for_update()
    )  # fmt: skip
    changed, postings, now = [], [], uow.clock()
    for row in await uow.conn.execute(query):
        entry = ledgered(row)
        entry.account, posting = book_interest(entry.account, through, office.accrual)
        changed.append(entry)
        if posting is not None:
            postings.append(
                posting_row(posting, row.claim_id, row.debtor_ref, None, through, now, "settlement")
            )
            payload = balance_changed(entry, cause="interest", as_of=through, now=now)
            uow.add_event(
                "accounts.balance_changed.v1",
                tenant=row.municipality,
                subject=str(row.claim_id),
                payload=payload,
            )
    await append_postings(uow.conn, postings)
    await save_accounts(uow.conn, changed)
