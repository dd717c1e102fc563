"""What every handler shares: the office's ledger settings and idempotency keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from payments.booking.engine import Announce
from payments.db import tables as t
from payments.domain.accrual import InterestAccrual
from payments.domain.allocation import DEFAULT_ORDER
from payments.domain.booking import BookingContext
from payments.domain.errors import PaymentsError
from payments.domain.ledger import COLLECTION, Component
from rules.kid import KidAlgorithm
from rules.municipalities import DEFAULT_REGISTER, Register
from runtime.db import UnitOfWork


@dataclass(frozen=True)
class Office:
    """The collection office's ledger settings, built once from :class:`PaymentsSettings`."""

    collection_account: str
    kid_algorithm: KidAlgorithm
    kid_prefix: str
    kid_length: int
    office_tenant: str
    accrual: InterestAccrual = field(default_factory=InterestAccrual)
    order: Sequence[Component] = DEFAULT_ORDER
    source: str = "payments"
    # Who collects which municipality's claims from which day (settlement after a merger).
    register: Register = DEFAULT_REGISTER

    def booking(
        self, uow: UnitOfWork, *, source: str = COLLECTION, reference: str | None = None
    ) -> BookingContext:
        """The context of one booking run in ``uow``."""
        return BookingContext(self.accrual, uow.clock(), uuid4, self.order, source, reference)

    @property
    def announce(self) -> Announce:
        return Announce(self.source, self.office_tenant)


@dataclass(frozen=True)
class StoredResponse:
    """A response recorded under an idempotency key, replayed on a retry."""

    status_code: int
    body: Any


async def reserve_idempotency_key(
    uow: UnitOfWork, client: str, key: str, fingerprint: str
) -> StoredResponse | None:
    """Claim ``key`` for this transaction (waiting for a concurrent holder), or replay."""
    inserted = await uow.conn.execute(
        pg.insert(t.idempotency_key)
        .values(client=client, key=key, request_hash=fingerprint, created_at=uow.clock())
        .on_conflict_do_nothing()
        .returning(t.idempotency_key.c.key)
    )
    if inserted.first() is not None:
        return None
    row = (
        await uow.conn.execute(
            sa.select(t.idempotency_key).where(
                t.idempotency_key.c.client == client, t.idempotency_key.c.key == key
            )
        )
    ).one()
    if row.request_hash != fingerprint:
        raise PaymentsError("request.idempotency_key_reused")
    return StoredResponse(row.status_code, row.response)


async def save_idempotent_response(
    uow: UnitOfWork, client: str, key: str, response: StoredResponse
) -> None:
    """Store the response of the request that reserved ``key`` (same transaction)."""
    await uow.conn.execute(
        sa.update(t.idempotency_key)
        .where(t.idempotency_key.c.client == client, t.idempotency_key.c.key == key)
        .values(status_code=response.status_code, response=response.body)
    )
