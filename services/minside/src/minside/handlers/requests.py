"""A citizen's request: stored once per form token and announced once through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from minside import db
from minside.mapping import event_type, request_event
from runtime.db import UnitOfWork


class RequestConflict(Exception):
    """The form token was used for another request (another kind or another person)."""


@dataclass(frozen=True)
class NewRequest:
    """What a confirmed form asks for; claims are already checked to be the citizen's own."""

    kind: str
    form_token: str
    debtor_ref: str
    municipality: str
    claim_ids: list[UUID]
    details: dict[str, Any]


async def submit_request(uow: UnitOfWork, new: NewRequest) -> UUID:
    """Record the request and its event; a repeated form token returns the first request."""
    t, now, request_id = db.citizen_request, uow.clock(), uuid4()
    row = {
        "id": request_id,
        "form_token": new.form_token,
        "debtor_ref": new.debtor_ref,
        "kind": new.kind,
        "claim_ids": new.claim_ids,
        "details": new.details,
        "created_at": now,
    }
    # A concurrent twin waits on the unique index here, then finds the committed first one.
    inserted = await uow.conn.execute(
        pg.insert(t)
        .values(row)
        .on_conflict_do_nothing(index_elements=["form_token"])
        .returning(t.c.id)
    )
    if inserted.first() is None:
        return await _existing(uow, new)
    payload = request_event(new.kind, request_id, new.debtor_ref, new.claim_ids, new.details, now)
    if payload is not None:
        event_id = uow.add_event(
            event_type(payload),
            tenant=new.municipality,
            subject=str(new.claim_ids[0]),
            payload=payload,
        )
        await uow.conn.execute(sa.update(t).where(t.c.id == request_id).values(event_id=event_id))
    return request_id


async def _existing(uow: UnitOfWork, new: NewRequest) -> UUID:
    t = db.citizen_request
    found = (await uow.conn.execute(sa.select(t).where(t.c.form_token == new.form_token))).one()
    if found.debtor_ref != new.debtor_ref or found.kind != new.kind:
        raise RequestConflict(new.form_token)
    return UUID(str(found.id))
