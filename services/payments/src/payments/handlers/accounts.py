"""Accounts from claim and dunning events: opened with a KID, fees, reversals, adjustments.

Each event is applied once (inbox) and also guarded by its own id (claim, fee, adjustment), so
a republished event under a new envelope id changes nothing either.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from contracts.envelope import Envelope
from payments.db import tables as t
from payments.db.accounts import append_postings, ledgered, lock_accounts, save_accounts
from payments.domain import adjustments
from payments.domain.adjustments import Change
from payments.domain.booking import Ledgered, posting_row
from payments.domain.errors import PaymentsError
from payments.domain.kids import issue_kid
from payments.domain.ledger import Kind, Posting, opening
from payments.handlers.common import Office
from payments.mapping import account_opened, account_values, balance_changed
from rules.calendar import oslo_today
from runtime.bus import PermanentError
from runtime.db import UnitOfWork

CONSUMERS = {
    event: f"payments.{event}"
    for event in (
        "claims.registered.v2",
        "claims.registered.v1",
        "fees.charged.v1",
        "fees.reversed.v1",
        "claims.adjusted.v1",
        "cases.plan_agreed.v1",
    )
}


class AccountNotOpened(Exception):
    """An event for a claim whose account is not open yet: retried, then dead-lettered."""


async def open_account(uow: UnitOfWork, envelope: Envelope[Any], *, office: Office) -> bool:
    """Open the account of a registered claim with its own KID; False if it exists already."""
    if not await uow.first_delivery(CONSUMERS[envelope.type], envelope.id, envelope.type):
        return False
    claim, now = envelope.payload, uow.clock()
    kid = await _next_kid(uow, office)
    values = account_values(claim, kid=kid, kid_algorithm=office.kid_algorithm.upper(), now=now)
    inserted = await uow.conn.execute(
        pg.insert(t.account).values(values).on_conflict_do_nothing().returning(t.account.c.kid)
    )
    if inserted.first() is None:
        return False
    today = oslo_today(now)
    await _post(uow, claim.claim_id, claim.debtor_ref, [opening(claim.principal_ore)], today, None)
    subject = str(claim.claim_id)
    payload = account_opened(values, office.collection_account)
    uow.add_event("accounts.opened.v1", tenant=claim.municipality, subject=subject, payload=payload)
    entry = ledgered(_Row(values))
    _announce_balance(uow, entry, "opened", today)
    return True


async def charge_fee(uow: UnitOfWork, envelope: Envelope[Any], *, office: Office) -> bool:
    """Book a dunning fee on the claim (``fees.charged.v1``)."""
    fee = envelope.payload
    if not await uow.first_delivery(CONSUMERS[envelope.type], envelope.id, envelope.type):
        return False
    entry = await _locked(uow, fee.claim_id)
    inserted = await uow.conn.execute(
        pg.insert(t.fee)
        .values(fee_id=fee.fee_id, claim_id=fee.claim_id, amount_ore=fee.amount_ore,
                reversed_ore=0, charged_on=fee.charged_on)
        .on_conflict_do_nothing()
        .returning(t.fee.c.fee_id)
    )  # fmt: skip
    if inserted.first() is None:
        return False
    change = adjustments.charge_fee(entry.account, fee.amount_ore)
    await _apply(uow, entry, change, "fee", fee.charged_on, str(fee.fee_id))
    return True


async def reverse_fee(uow: UnitOfWork, envelope: Envelope[Any], *, office: Office) -> bool:
    """Take a fee back (``fees.reversed.v1``); a part already paid becomes a credit."""
    reversal = envelope.payload
    if not await uow.first_delivery(CONSUMERS[envelope.type], envelope.id, envelope.type):
        return False
    entry = await _locked(uow, reversal.claim_id)
    row = (
        await uow.conn.execute(
            sa.select(t.fee).where(t.fee.c.fee_id == reversal.fee_id).with_for_update()
        )
    ).first()
    if row is None or row.claim_id != reversal.claim_id:
        raise PermanentError(PaymentsError("fee.unknown").message)
    if row.reversed_ore + reversal.amount_ore > row.amount_ore:
        raise PermanentError(PaymentsError("fee.reversal_too_large").message)
    change = adjustments.reverse_fee(entry.account, reversal.amount_ore)
    await uow.conn.execute(
        sa.update(t.fee)
        .where(t.fee.c.fee_id == reversal.fee_id)
        .values(reversed_ore=row.reversed_ore + reversal.amount_ore)
    )
    today = oslo_today(reversal.reversed_at)
    await _apply(uow, entry, change, "fee_reversal", today, str(reversal.fee_id))
    return True


async def adjust_account(uow: UnitOfWork, envelope: Envelope[Any], *, office: Office) -> bool:
    """A municipality's credit note, cancellation or write-off (``claims.adjusted.v1``)."""
    adjusted = envelope.payload
    if not await uow.first_delivery(CONSUMERS[envelope.type], envelope.id, envelope.type):
        return False
    entry = await _locked(uow, adjusted.claim_id)
    inserted = await uow.conn.execute(
        pg.insert(t.adjustment)
        .values(adjustment_id=adjusted.adjustment_id, claim_id=adjusted.claim_id,
                kind=adjusted.kind, amount_ore=adjusted.amount_ore, applied_at=uow.clock())
        .on_conflict_do_nothing()
        .returning(t.adjustment.c.adjustment_id)
    )  # fmt: skip
    if inserted.first() is None or not entry.account.open:
        return False
    on = oslo_today(adjusted.adjusted_at)
    change = adjustments.adjust(
        entry.account,
        Kind(adjusted.kind),
        adjusted.amount_ore,
        closes=adjusted.principal_after_ore == 0,
        on=on,
        accrual=office.accrual,
    )
    await _apply(uow, entry, change, "adjustment", on, str(adjusted.adjustment_id))
    return True


async def _locked(uow: UnitOfWork, claim_id: UUID) -> Ledgered:
    found = await lock_accounts(uow.conn, [claim_id])
    if claim_id not in found:
        raise AccountNotOpened(f"no account for claim {claim_id} yet")
    return found[claim_id]


async def _apply(
    uow: UnitOfWork, entry: Ledgered, change: Change, cause: str, on: date, reference: str
) -> None:
    await _post(uow, entry.account.claim_id, entry.debtor_ref, change.postings, on, reference)
    entry.account = change.account
    await save_accounts(uow.conn, [entry])
    _announce_balance(uow, entry, cause, on)


async def _post(
    uow: UnitOfWork,
    claim_id: UUID,
    debtor_ref: str,
    postings: tuple[Posting, ...] | list[Posting],
    on: date,
    reference: str | None,
) -> None:
    now = uow.clock()
    rows = [posting_row(p, claim_id, debtor_ref, None, on, now, reference) for p in postings]
    await append_postings(uow.conn, rows)


def _announce_balance(uow: UnitOfWork, entry: Ledgered, cause: str, on: date) -> None:
    payload = balance_changed(entry, cause=cause, as_of=on, now=uow.clock())
    uow.add_event(
        "accounts.balance_changed.v1",
        tenant=entry.municipality,
        subject=str(entry.account.claim_id),
        payload=payload,
    )


async def _next_kid(uow: UnitOfWork, office: Office) -> str:
    while True:
        serial = (await uow.conn.execute(sa.select(t.kid_serial.next_value()))).scalar_one()
        kid = issue_kid(
            serial,
            prefix=office.kid_prefix,
            length=office.kid_length,
            algorithm=office.kid_algorithm,
        )
        if kid is not None:
            return kid


class _Row:
    """Attribute access over a dict, to read fresh values like a fetched row."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
