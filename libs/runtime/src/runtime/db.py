"""Database plumbing: the async engine, the outbox and inbox tables, and the unit of work.

One message, one transaction: a handler records the event id in the inbox, changes state and
adds outbox rows inside one ``async with UnitOfWork(...)``; nothing is published from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from operator import itemgetter
from types import TracebackType
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from opentelemetry.trace import SpanContext, get_current_span
from pydantic import BaseModel
from pydantic_core import to_json
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from contracts.envelope import new_envelope
from contracts.registry import SUPERSEDED
from runtime.telemetry import inject_trace_headers

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine for ``postgresql+asyncpg://…`` (or plain ``postgresql://``) URLs."""
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    # hide_parameters: a failing statement's error and log never carry its values (names,
    # addresses, amounts), only the SQL with placeholders.
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
    )


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The transactional outbox: events waiting for the relay, in commit order by ``id``."""
    return sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("message_key", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("headers", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Index("outbox_unsent", "id", postgresql_where=sa.text("sent_at IS NULL")),
    )


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    """The inbox: ids of events a consumer has applied, so redelivery changes nothing."""
    return sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


_metadata = sa.MetaData()
OUTBOX = outbox_table(_metadata)
INBOX = inbox_table(_metadata)


def outbox_row(
    event_type: str,
    *,
    source: str,
    tenant: str,
    subject: str,
    payload: BaseModel,
    occurred_at: datetime,
    event_id: UUID | None = None,
    trace: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An outbox row for one event, carrying the current trace context in its headers.

    ``trace``: those headers if the caller already has them (``inject_trace_headers()``).
    A superseded type (``contracts.registry.SUPERSEDED``) is refused: it is read, never written.
    """
    if event_type in SUPERSEDED:
        successor = SUPERSEDED[event_type].successor
        raise ValueError(f"{event_type} is superseded by {successor}: publish that instead")
    trace = dict(trace) if trace is not None else inject_trace_headers()
    envelope = new_envelope(
        event_type,
        source=source,
        tenant=tenant,
        subject=subject,
        payload=payload,
        occurred_at=occurred_at,
        id=event_id or uuid4(),
        traceparent=trace.get("traceparent"),
        tracestate=trace.get("tracestate"),
    )
    return {
        "event_id": envelope.id,
        "event_type": event_type,
        "message_key": subject,
        "body": envelope.model_dump_json(),
        "headers": trace,
        "created_at": occurred_at,
    }


class UnitOfWork:
    """One database transaction; rolls back unless :meth:`commit` was called.

    ``add_event`` writes outbox rows in the same transaction as the state change;
    ``first_delivery`` records an inbox entry and tells whether the event is new.
    """

    def __init__(self, engine: AsyncEngine, *, source: str, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.source = source
        self.clock = clock
        self._conn: AsyncConnection | None = None
        self._committed = False
        self.events: list[dict[str, Any]] = []
        self.on_commit: list[Callable[[], None]] = []
        self._traced: tuple[SpanContext, dict[str, str]] | None = None

    @property
    def conn(self) -> AsyncConnection:
        """The open connection of this transaction."""
        if self._conn is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._conn

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        self._committed = False
        self.events = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        try:
            if not self._committed:
                await conn.rollback()
        finally:
            await conn.close()
            self._conn = None

    async def commit(self) -> None:
        """Write pending outbox rows and commit; then run the on-commit callbacks."""
        if len(self.events) >= _COPY_THRESHOLD:
            await copy_rows(self.conn, OUTBOX, self.events)
        elif self.events:
            await self.conn.execute(sa.insert(OUTBOX), self.events)
        await self.conn.commit()
        self._committed = True
        for callback in self.on_commit:
            callback()

    def add_event(self, event_type: str, *, tenant: str, subject: str, payload: BaseModel) -> UUID:
        """Queue an event for the outbox of this transaction; returns the event id."""
        # A batch adds thousands of events under one span: its headers are built once.
        span = get_current_span().get_span_context()
        if self._traced is None or self._traced[0] is not span:
            self._traced = (span, inject_trace_headers())
        row = outbox_row(
            event_type,
            source=self.source,
            tenant=tenant,
            subject=subject,
            payload=payload,
            occurred_at=self.clock(),
            trace=self._traced[1],
        )
        self.events.append(row)
        event_id: UUID = row["event_id"]
        return event_id

    async def first_delivery(self, consumer: str, event_id: UUID, event_type: str) -> bool:
        """Record ``event_id`` as applied by ``consumer``; False if it already was."""
        stmt = (
            pg.insert(INBOX)
            .values(
                consumer=consumer,
                event_id=event_id,
                event_type=event_type,
                applied_at=self.clock(),
            )
            .on_conflict_do_nothing()
            .returning(INBOX.c.event_id)
        )
        result = await self.conn.execute(stmt)
        return result.first() is not None


def json_dumps(value: Mapping[str, Any]) -> str:
    """Compact JSON for JSONB columns written through COPY (anything unknown as ``str``)."""
    # pydantic-core's encoder: a fifth of json.dumps' time, which showed in batch intake.
    return to_json(value, fallback=str).decode()


# Below this many rows a plain INSERT is cheaper than setting up a COPY.
_COPY_THRESHOLD = 20


def _records(
    table: sa.Table, columns: list[str], rows: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    pick = _picker(columns)
    jsonb = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, pg.JSONB)]
    if not jsonb:
        return [pick(row) for row in rows]
    records = []
    for row in rows:
        record = list(pick(row))
        for i in jsonb:
            if record[i] is not None:
                record[i] = json_dumps(record[i])
        records.append(tuple(record))
    return records


def _picker(columns: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of ``columns`` of a row as one tuple (itemgetter does it in C)."""
    if len(columns) == 1:
        [only] = columns
        return lambda row: (row[only],)
    return itemgetter(*columns)


async def _driver(conn: AsyncConnection) -> Any:
    # Make sure SQLAlchemy's transaction has begun on the driver before using it directly.
    await conn.execute(sa.text("SELECT 1"))
    raw = await conn.get_raw_connection()
    return raw.driver_connection


async def copy_rows(conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Append rows with COPY, inside the connection's current transaction."""
    columns = list(rows[0])
    driver = await _driver(conn)
    await driver.copy_records_to_table(
        table.name, records=_records(table, columns, rows), columns=columns
    )


async def insert_new_rows(
    conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]], returning: str
) -> set[Any]:
    """Bulk insert through a COPY-filled staging table, skipping rows that conflict.

    Returns the ``returning`` column of the rows actually inserted, in the current transaction.
    """
    if not rows:
        return set()
    if len(rows) < _COPY_THRESHOLD:
        stmt = pg.insert(table).values(rows).on_conflict_do_nothing().returning(table.c[returning])
        return {r[0] for r in await conn.execute(stmt)}
    columns = list(rows[0])
    stage = f"stage_{table.name}"
    driver = await _driver(conn)
    await driver.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table.name}) ON COMMIT DELETE ROWS;"
        f"TRUNCATE {stage}"
    )
    await driver.copy_records_to_table(
        stage, records=_records(table, columns, rows), columns=columns
    )
    names = ", ".join(columns)
    inserted = await driver.fetch(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "  # noqa: S608 - our names
        f"ON CONFLICT DO NOTHING RETURNING {returning}"
    )
    return {r[0] for r in inserted}
