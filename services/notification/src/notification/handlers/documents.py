"""Reading a stored letter: the debtor it was addressed to (through Min side) or staff.

Every read is written to ``document_read`` in the same transaction that returns the bytes:
who, when and why. Another debtor's letter, or another municipality's for a caseworker, is
simply "not found": existence must not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from notification import db
from notification.domain.errors import NotificationError, problem
from notification.storage import DocumentStore
from runtime.db import UnitOfWork


@dataclass(frozen=True)
class Reader:
    """Who reads and why; ``debtor_ref`` for citizens, ``municipalities`` for staff."""

    kind: str
    subject: str
    name: str
    reason: str
    debtor_ref: str | None = None
    municipalities: frozenset[str] = frozenset()

    def may_read(self, document: Any) -> bool:
        """The citizen's own letters; staff: letters of the municipalities they serve."""
        if self.kind == "citizen":
            return bool(document.debtor_ref == self.debtor_ref)
        return str(document.municipality) in self.municipalities


async def read_document(
    uow: UnitOfWork, store: DocumentStore, document_id: UUID, reader: Reader
) -> tuple[Any, bytes]:
    """The document's metadata and bytes, after recording the read (caller commits)."""
    document = await db.document_by_id(uow.conn, document_id)
    if document is None or not reader.may_read(document):
        raise NotificationError(problem("document.not_found"))
    content = await store.get(uow.conn, document_id)
    if content is None:
        raise NotificationError(problem("document.not_found"))
    await uow.conn.execute(
        sa.insert(db.document_read).values(
            document_id=document_id,
            reader_kind=reader.kind,
            reader_subject=reader.subject,
            reader_name=reader.name,
            reason=reader.reason,
            read_at=uow.clock(),
        )
    )
    return document, content
