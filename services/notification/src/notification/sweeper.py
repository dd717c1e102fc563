"""Resumes dispatch of notices that are due: postponed retries and ones a crash left behind.

The bus redelivers an unacknowledged event, but a notice postponed after transient provider
errors has already been acknowledged; the sweeper is what tries it again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

from notification import db
from runtime.db import UnitOfWork

log = logging.getLogger(__name__)


class Sweeper:
    """Every ``interval`` seconds, deliver what is due (one at a time), then poll receipts."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        deliver: Callable[[UUID], Awaitable[str]],
        *,
        receipts: Callable[[], Awaitable[int]] | None = None,
        interval: float,
        grace: float,
        batch: int = 100,
    ) -> None:
        self._uow = uow
        self._deliver = deliver
        self._receipts = receipts
        self._interval = interval
        self._grace = timedelta(seconds=grace)
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> int:
        """Deliver the notices due now; returns how many were tried."""
        async with self._uow() as uow:
            now = uow.clock()
            due = await db.due_notices(uow.conn, now, now - self._grace, self._batch)
        for notice_id in due:
            await self._deliver(notice_id)
        if self._receipts is not None:
            await self._receipts()
        return len(due)

    def start(self) -> None:
        """Run in the background until :meth:`stop`."""
        self._task = asyncio.create_task(self._run(), name="notification-sweeper")

    async def stop(self) -> None:
        """Stop after the current notice."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep sweeping after a transient failure
                log.exception("sweep failed; trying again")
            await asyncio.sleep(self._interval)
