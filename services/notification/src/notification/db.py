"""Notification's tables: notices, their documents, delivery attempts, document reads.

A ``delivery`` row is committed *before* a provider is called: unique per (notice, channel),
and at most one live letter per notice, so a redelivered event or a restart never sends the
same letter twice; the provider's own idempotency key (the notice id) covers the gap between
"sent" and "recorded".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

metadata = sa.MetaData()

notice = sa.Table(
    "notice",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("step_kind", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    sa.Column("debtor_kind", sa.Text, nullable=False),
    sa.Column("debtor_sealed", sa.Text, nullable=False),
    sa.Column("debtor_name", sa.Text, nullable=False),
    sa.Column("debtor_address", pg.JSONB),
    sa.Column("message", pg.JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("document_id", pg.UUID(as_uuid=True)),
    sa.Column("dispatch_attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("failure_code", sa.Text),
    sa.Column("failure_reason", sa.Text),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(
        "status IN ('accepted', 'delivered', 'failed', 'refused')", name="notice_status_known"
    ),
    sa.Index("notice_pending", "next_attempt_at", postgresql_where=sa.text("status = 'accepted'")),
)

document = sa.Table(
    "document",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("notice_id", pg.UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("municipality", sa.String(4), nullable=False),
    sa.Column("debtor_ref", sa.Text, nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("media_type", sa.Text, nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

document_content = sa.Table(
    "document_content",
    metadata,
    sa.Column("document_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

delivery = sa.Table(
    "delivery",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("notice_id", pg.UUID(as_uuid=True), sa.ForeignKey("notice.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("route_reason", sa.Text, nullable=False),
    sa.Column("provider_ref", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("receipt", sa.Text),
    sa.Column("error_code", sa.Text),
    sa.Column("error_message", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("notice_id", "channel", name="delivery_once_per_channel"),
    sa.CheckConstraint("kind IN ('letter', 'alert')", name="delivery_kind_known"),
    sa.CheckConstraint(
        "status IN ('sending', 'delivered', 'failed')", name="delivery_status_known"
    ),
    sa.Index(
        "delivery_one_live_letter",
        "notice_id",
        unique=True,
        postgresql_where=sa.text("kind = 'letter' AND status <> 'failed'"),
    ),
)

receipt = sa.Table(
    "receipt",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("delivery_id", sa.BigInteger, sa.ForeignKey("delivery.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("delivery_id", "kind", name="receipt_once_per_kind"),
)

document_read = sa.Table(
    "document_read",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("document_id", pg.UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("reader_kind", sa.Text, nullable=False),
    sa.Column("reader_subject", sa.Text, nullable=False),
    sa.Column("reader_name", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
)


async def notice_by_id(conn: AsyncConnection, notice_id: UUID, *, lock: bool = False) -> Any:
    """One notice row, or None."""
    query = sa.select(notice).where(notice.c.id == notice_id)
    if lock:
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def deliveries_of(conn: AsyncConnection, notice_id: UUID) -> list[Any]:
    """Every delivery row of one notice, oldest first."""
    query = sa.select(delivery).where(delivery.c.notice_id == notice_id).order_by(delivery.c.id)
    return list((await conn.execute(query)).all())


async def claim_delivery(conn: AsyncConnection, values: dict[str, Any]) -> Any:
    """Insert a delivery unless one exists for the channel (or a live letter); return the row."""
    inserted = (
        await conn.execute(
            pg.insert(delivery).values(values).on_conflict_do_nothing().returning(delivery)
        )
    ).first()
    if inserted is not None:
        return inserted
    rows = await deliveries_of(conn, values["notice_id"])
    same_channel = [r for r in rows if r.channel == values["channel"]]
    live_letters = [r for r in rows if r.kind == "letter" and r.status != "failed"]
    return (same_channel or live_letters)[0]


async def update_delivery(
    conn: AsyncConnection, delivery_id: int, *, only_if_status: str | None = None, **values: Any
) -> Any:
    """Change one delivery; with ``only_if_status`` only from that status (None if not)."""
    query = sa.update(delivery).where(delivery.c.id == delivery_id)
    if only_if_status is not None:
        query = query.where(delivery.c.status == only_if_status)
    return (await conn.execute(query.values(**values).returning(delivery))).first()


async def update_notice(
    conn: AsyncConnection, notice_id: UUID, *, only_if_status: str | None = None, **values: Any
) -> Any:
    """Change one notice; with ``only_if_status`` only from that status (None if not)."""
    query = sa.update(notice).where(notice.c.id == notice_id)
    if only_if_status is not None:
        query = query.where(notice.c.status == only_if_status)
    return (await conn.execute(query.values(**values).returning(notice))).first()


async def due_notices(
    conn: AsyncConnection, now: datetime, settled_before: datetime, limit: int
) -> list[UUID]:
    """Accepted notices whose dispatch is due: retries whose time came, or stalled ones."""
    query = (
        sa.select(notice.c.id)
        .where(notice.c.status == "accepted")
        .where(
            sa.or_(
                notice.c.next_attempt_at <= now,
                sa.and_(notice.c.next_attempt_at.is_(None), notice.c.updated_at <= settled_before),
            )
        )
        .order_by(notice.c.created_at)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars())


async def document_by_id(conn: AsyncConnection, document_id: UUID) -> Any:
    """One document's metadata row, or None."""
    return (await conn.execute(sa.select(document).where(document.c.id == document_id))).first()
