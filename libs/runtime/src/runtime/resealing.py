"""Key rotation for sealed values: count them per key id, and re-seal them under the active key.

A service declares its sealed columns (``ServiceDefinition.sealed_columns``); the runtime walks
them in batches by primary key, one short transaction per batch, locking only the rows of that
batch and skipping rows the service holds, so it runs beside the live service. A value is opened
in memory and sealed again at once: the clear identity number is never printed or logged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from runtime.personal_data import (
    DEFAULT_CONTEXT,
    PersonalDataKeys,
    mask_identity_numbers,
    open_sealed,
    seal,
)

__all__ = [
    "EMPTY",
    "UNKNOWN_FORMAT",
    "ColumnPlan",
    "ColumnReport",
    "ColumnStatus",
    "SealedColumn",
    "plan_reseal",
    "reseal",
    "sealed_status",
]

EMPTY = "(empty)"
UNKNOWN_FORMAT = "(unknown format)"
# The shape `seal` writes: "v1.<kid>.<base64url>"; anything else is counted, never echoed.
_SEALED_SHAPE = r"^v1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]+$"
# A row locked by the service is skipped; later passes pick it up (bounded, see `reseal`).
_MAX_PASSES = 5


@dataclass(frozen=True)
class SealedColumn:
    """A text column of ``seal`` tokens (or empty strings), with its table's primary key."""

    table: str
    column: str
    key: str = "id"
    context: bytes = DEFAULT_CONTEXT

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class ColumnStatus:
    """How many values of one column are sealed with each key id (plus EMPTY, UNKNOWN_FORMAT)."""

    column: SealedColumn
    by_key: dict[str, int]


@dataclass(frozen=True)
class ColumnPlan:
    """What a re-seal would do: values not under the active key, and those no key opens."""

    column: SealedColumn
    pending: int
    unopenable: int


@dataclass(frozen=True)
class ColumnReport:
    """What a re-seal did: ``remaining`` counts values still not under the active key."""

    column: SealedColumn
    total: int
    resealed: int
    failed: int
    remaining: int


Progress = Callable[[SealedColumn, int, int], None]  # (column, done, total)


def _table(c: SealedColumn) -> sa.TableClause:
    return sa.table(c.table, sa.column(c.key), sa.column(c.column))


def _key_id_of(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.case(
        (sa.or_(value.is_(None), value == ""), sa.literal(EMPTY)),
        (value.regexp_match(_SEALED_SHAPE), sa.func.split_part(value, ".", 2)),
        else_=sa.literal(UNKNOWN_FORMAT),
    )


def _pending(value: sa.ColumnElement[Any], active_key_id: str) -> sa.ColumnElement[bool]:
    prefix = f"v1.{active_key_id}."
    return sa.and_(value != "", sa.func.left(value, len(prefix)) != prefix)


async def _column_status(conn: AsyncConnection, c: SealedColumn) -> ColumnStatus:
    kid = _key_id_of(_table(c).c[c.column]).label("kid")
    counts: dict[str, int] = {}
    for k, n in (await conn.execute(sa.select(kid, sa.func.count()).group_by(kid))).all():
        # A key id is read from the data: a value with a number in that place stays masked.
        masked = mask_identity_numbers(str(k))
        counts[masked] = counts.get(masked, 0) + int(n)
    return ColumnStatus(c, counts)


async def sealed_status(engine: AsyncEngine, columns: Sequence[SealedColumn]) -> list[ColumnStatus]:
    """Values per key id in every column (one read-only scan each)."""
    async with engine.connect() as conn:
        return [await _column_status(conn, c) for c in columns]


async def plan_reseal(
    engine: AsyncEngine, columns: Sequence[SealedColumn], keys: PersonalDataKeys
) -> list[ColumnPlan]:
    """The dry run: counts from `sealed_status`, nothing opened and nothing written."""
    plans = []
    for status in await sealed_status(engine, columns):
        pending = {k: n for k, n in status.by_key.items() if k not in (EMPTY, keys.active_key_id)}
        unopenable = sum(n for k, n in pending.items() if k not in keys.sealing_keys)
        plans.append(ColumnPlan(status.column, sum(pending.values()), unopenable))
    return plans


async def _count_pending(engine: AsyncEngine, c: SealedColumn, active_key_id: str) -> int:
    value = _table(c).c[c.column]
    query = sa.select(sa.func.count()).where(_pending(value, active_key_id))
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def _resealed(keys: PersonalDataKeys, c: SealedColumn, sealed: str) -> str | None:
    try:
        return seal(keys, open_sealed(keys, sealed, context=c.context), context=c.context)
    except ValueError:
        # SealError (unknown key, damaged) or not an identity number: neither message holds it.
        return None


async def _reseal_batch(
    engine: AsyncEngine, c: SealedColumn, keys: PersonalDataKeys, after: Any, size: int
) -> tuple[Any, int, list[Any]]:
    """One transaction: lock up to ``size`` pending rows after ``after``, re-seal them.

    Returns the last key seen (None when the column is exhausted), rows re-sealed, and the keys
    of rows that could not be opened.
    """
    t = _table(c)
    pk, value = t.c[c.key], t.c[c.column]
    query = sa.select(pk, value).where(_pending(value, keys.active_key_id))
    if after is not None:
        query = query.where(pk > after)
    query = query.order_by(pk).limit(size).with_for_update(skip_locked=True)
    async with engine.begin() as conn:
        rows = (await conn.execute(query)).all()
        fresh = [(row[0], _resealed(keys, c, row[1])) for row in rows]
        updates = [{"pk_": k, "sealed_": v} for k, v in fresh if v is not None]
        if updates:
            update = sa.update(t).where(pk == sa.bindparam("pk_"))
            await conn.execute(update.values({c.column: sa.bindparam("sealed_")}), updates)
    last = rows[-1][0] if rows else None
    return last, len(updates), [k for k, v in fresh if v is None]


async def _reseal_column(
    engine: AsyncEngine, c: SealedColumn, keys: PersonalDataKeys, size: int, progress: Progress
) -> ColumnReport:
    total = await _count_pending(engine, c, keys.active_key_id)
    done = 0
    failed: set[Any] = set()
    for _ in range(_MAX_PASSES):
        resealed_in_pass, after = 0, None
        while True:
            after, resealed, unopened = await _reseal_batch(engine, c, keys, after, size)
            if after is None:
                break
            resealed_in_pass += resealed
            failed.update(unopened)
            progress(c, done + resealed_in_pass, total)
        done += resealed_in_pass
        remaining = await _count_pending(engine, c, keys.active_key_id)
        if resealed_in_pass == 0 or remaining <= len(failed):
            break
    return ColumnReport(c, total, done, len(failed), remaining)


async def reseal(
    engine: AsyncEngine,
    columns: Sequence[SealedColumn],
    keys: PersonalDataKeys,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> list[ColumnReport]:
    """Seal every value not under the active key again, with it; a second run changes nothing.

    Values no configured key opens are left as they are and counted in ``failed``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = progress or (lambda column, done, total: None)
    return [await _reseal_column(engine, c, keys, batch_size, report) for c in columns]
