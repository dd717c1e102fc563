"""Upserts the projections share: each event writes only the columns it owns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

from minside import db


def insert(table: sa.Table, values: dict[str, Any]) -> Any:
    """An INSERT of one row (PostgreSQL dialect, for ON CONFLICT)."""
    return pg.insert(table).values(values)


async def upsert(
    conn: AsyncConnection, table: sa.Table, key: str, values: dict[str, Any], **extra: Any
) -> None:
    """Insert the row, or overwrite the columns ``values`` names (and ``extra``)."""
    stmt = insert(table, values)
    update = {k: stmt.excluded[k] for k in values if k != key} | extra
    await conn.execute(stmt.on_conflict_do_update(index_elements=[key], set_=update))


def keep(table: sa.Table, column: str, stmt: Any) -> Any:
    """The stored value if there is one (another event named it first), else the new one."""
    return sa.func.coalesce(table.c[column], stmt.excluded[column])


async def link(conn: AsyncConnection, case_id: UUID, claim_ids: Iterable[UUID]) -> None:
    """Record that the claims belong to the case."""
    rows = [{"case_id": case_id, "claim_id": c} for c in claim_ids]
    if rows:
        await conn.execute(pg.insert(db.case_claim).values(rows).on_conflict_do_nothing())
