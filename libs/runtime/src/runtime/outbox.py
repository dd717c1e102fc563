"""The outbox relay: publishes committed outbox rows in order and then marks them sent.

Only one relay per service database works at a time (a PostgreSQL advisory lock held on a
dedicated connection), so rows go out in ``id`` order. A crash after publishing and before
marking publishes the row again on restart: at least once, never lost. Consumers' inboxes
make the repeat harmless, and on NATS the event id doubles as ``Nats-Msg-Id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from runtime.bus import Bus
from runtime.db import OUTBOX, utc_now
from runtime.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from runtime.telemetry import attach_trace_headers, inject_trace_headers, producer_span

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backlog:
    """How far the relay is behind."""

    rows: int
    oldest_age_seconds: float


async def outbox_backlog(conn: AsyncConnection) -> Backlog:
    """Count unpublished outbox rows and the age of the oldest one."""
    row = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.min(OUTBOX.c.created_at)).where(
                OUTBOX.c.sent_at.is_(None)
            )
        )
    ).one()
    age = (utc_now() - row[1]).total_seconds() if row[1] is not None else 0.0
    return Backlog(int(row[0]), max(age, 0.0))


_LOCK_SQL = sa.text("SELECT pg_try_advisory_lock(hashtext('kravflyt.outbox.relay'))")


class OutboxRelay:
    """Moves outbox rows to the bus; call :meth:`wake` after a commit to skip the poll wait."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._window = 64
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()

    def wake(self) -> None:
        """Ask the relay to look for new rows now."""
        self._wakeup.set()

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current batch."""
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        """Relay until stopped; waits for the leader lock, survives database and bus errors."""
        failures = 0
        while not self._stopping.is_set():
            try:
                async with self._engine.connect() as leader:
                    if not (await leader.execute(_LOCK_SQL)).scalar():
                        await leader.rollback()
                        await self._sleep(self._poll_seconds * 4)
                        continue
                    await leader.commit()
                    failures = 0
                    await self._relay_as_leader(leader)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                # One traceback per outage, then a line per retry with growing back-off.
                log.warning(
                    "outbox relay failed (attempt %d); retrying", failures, exc_info=failures == 1
                )
                await self._sleep(min(30.0, 0.5 * 2**failures))

    async def _relay_as_leader(self, leader: AsyncConnection) -> None:
        last_measured = 0.0
        while not self._stopping.is_set():
            sent = await self.publish_pending()
            now = asyncio.get_running_loop().time()
            if now - last_measured > 5.0:
                await self.measure_backlog(leader)
                last_measured = now
            if sent < self._batch_size:
                await self._sleep(self._poll_seconds)
            await leader.execute(sa.text("SELECT 1"))
            await leader.commit()

    async def measure_backlog(self, conn: AsyncConnection) -> Backlog:
        """Unpublished rows and the age of the oldest, also set on the outbox gauges."""
        backlog = await outbox_backlog(conn)
        OUTBOX_BACKLOG.labels(self._bus.service).set(backlog.rows)
        OUTBOX_OLDEST_AGE.labels(self._bus.service).set(backlog.oldest_age_seconds)
        await conn.commit()
        return backlog

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=seconds)
        self._wakeup.clear()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows and mark them sent; returns the count.

        Rows go out in windows whose message keys are distinct, each window in flight at once:
        events of one key (one claim) stay in id order, unrelated ones don't wait for each other.
        """
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(OUTBOX)
                    .where(OUTBOX.c.sent_at.is_(None))
                    .order_by(OUTBOX.c.id)
                    .limit(self._batch_size)
                )
            ).all()
            await conn.rollback()
            published: list[int] = []
            try:
                for window in _windows(rows, self._window):
                    outcomes = await asyncio.gather(
                        *(self._publish(row._mapping) for row in window), return_exceptions=True
                    )
                    published += [r.id for r, o in zip(window, outcomes, strict=True) if o is None]
                    failures = [o for o in outcomes if isinstance(o, BaseException)]
                    if failures:
                        raise failures[0]
            finally:
                if published:
                    await conn.execute(
                        sa.update(OUTBOX)
                        .where(OUTBOX.c.id.in_(published))
                        .values(sent_at=utc_now())
                    )
                    await conn.commit()
        return len(published)

    async def _publish(self, row: Any) -> None:
        attributes = {
            "messaging.system": self._bus.address.kind,
            "messaging.destination.name": row["event_type"],
            "messaging.message.id": str(row["event_id"]),
        }
        # The span continues the trace of the request that wrote the row.
        with (
            attach_trace_headers(row["headers"]),
            producer_span(f"{row['event_type']} publish", attributes),
        ):
            await self._bus.publish(
                row["event_type"],
                row["body"],
                key=row["message_key"],
                event_id=row["event_id"],
                headers=inject_trace_headers(),
            )
        EVENTS_PUBLISHED.labels(self._bus.service, row["event_type"]).inc()


def _windows(rows: Sequence[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive runs of rows, at most ``size`` long, in which no message key repeats."""
    window: list[Any] = []
    keys: set[str] = set()
    for row in rows:
        if row.message_key in keys or len(window) == size:
            yield window
            window, keys = [], set()
        window.append(row)
        keys.add(row.message_key)
    if window:
        yield window
