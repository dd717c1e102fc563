"""Dispatch in the background, bounded: the subscriber stores a letter, hands it over, goes on.

A notice is durable once accepted; if the process stops before its dispatch ends, the sweeper
resumes it. The bound gives back-pressure: when every slot is busy, the subscriber waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

log = logging.getLogger(__name__)


class BackgroundDispatch:
    """At most ``limit`` deliveries at a time."""

    def __init__(self, deliver: Callable[[UUID], Awaitable[str]], limit: int) -> None:
        self._deliver = deliver
        self._slots = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[UUID] = set()

    async def submit(self, notice_id: UUID) -> None:
        """Start delivering (unless already under way); waits while all slots are taken."""
        if notice_id in self._in_flight:
            return
        self._in_flight.add(notice_id)
        await self._slots.acquire()
        task = asyncio.create_task(self._run(notice_id), name=f"deliver-{notice_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, seconds: float = 10.0) -> None:
        """Wait for running deliveries (then cancel what is left: the sweeper resumes it)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=seconds)
        for task in pending:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self, notice_id: UUID) -> None:
        try:
            await self._deliver(notice_id)
        except Exception:  # the notice stays accepted; the sweeper tries again
            log.exception("delivery of notice %s failed; the sweeper will resume it", notice_id)
        finally:
            self._in_flight.discard(notice_id)
            self._slots.release()
