"""Catching up missed days of the daily run: an operator's explicit, audited action."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import sqlalchemy as sa

from dunning import db
from dunning.domain.run_dates import catch_up_days
from dunning.handlers.common import Actor
from dunning.handlers.run import RunReport, run_daily
from runtime.service import Runtime


async def catch_up(
    runtime: Runtime,
    first: date,
    today: date,
    shard: tuple[int, int],
    *,
    actor: Actor,
    reason: str,
    max_days: int,
    chunk: int,
) -> list[RunReport]:
    """Run every missed day from ``first`` to yesterday in order, after recording who and why."""
    days = catch_up_days(first, today, max_days)
    async with runtime.uow() as uow:
        await uow.conn.execute(
            sa.insert(db.run_catch_up).values(
                id=uuid4(),
                first_date=days[0],
                last_date=days[-1],
                shard=f"{shard[0]}/{shard[1]}",
                requested_by=actor.subject,
                requested_by_name=actor.name,
                reason=reason,
                requested_at=runtime.clock(),
            )
        )
        await uow.commit()
    # In order: a later day's steps depend on the deadlines the earlier days set.
    return [await run_daily(runtime, day, shard, chunk=chunk) for day in days]
