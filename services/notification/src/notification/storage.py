"""Where letter PDFs live. PostgreSQL by default; the interface is small enough for S3.

Metadata (``document`` rows, with the content hash) always stays in notification's database;
a store only keeps the bytes under the document id. ``put`` gets the open connection so the
PostgreSQL store writes in the same transaction as the notice; an object store would ignore
it and write first (an orphaned object is harmless, a missing one is not).
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

from notification.db import document_content


class DocumentStore(Protocol):
    """Bytes of documents by id."""

    async def put(self, conn: AsyncConnection, document_id: UUID, content: bytes) -> None: ...

    async def get(self, conn: AsyncConnection, document_id: UUID) -> bytes | None: ...


class PostgresDocumentStore:
    """Document bytes in the ``document_content`` table."""

    async def put(self, conn: AsyncConnection, document_id: UUID, content: bytes) -> None:
        stmt = pg.insert(document_content).values(document_id=document_id, content=content)
        await conn.execute(stmt.on_conflict_do_nothing())

    async def get(self, conn: AsyncConnection, document_id: UUID) -> bytes | None:
        query = sa.select(document_content.c.content).where(
            document_content.c.document_id == document_id
        )
        content: bytes | None = (await conn.execute(query)).scalar_one_or_none()
        return content
