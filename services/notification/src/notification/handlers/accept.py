"""Accept a requested notice: record it once, check its legal content, render and store it.

One transaction: inbox entry, notice row, document and either nothing on the bus (the letter
goes on to dispatch) or ``notices.failed.v1`` for a refused or unrenderable notice.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from contracts.dunning import NoticeRequestedV1
from contracts.envelope import Envelope
from notification import db
from notification.domain.compliance import check_notice
from notification.domain.errors import NoticeProblem, problem
from notification.letters.render import RenderedLetter, Renderer, RenderError
from notification.mapping import failed_event, notice_from_requested, stored_message
from notification.storage import DocumentStore
from runtime.db import UnitOfWork

# The inbox name predates v2; kept, so no request counts as new because its name changed.
REQUESTED_CONSUMER = "notification.notices.requested.v1"


async def accept_notice(
    uow: UnitOfWork, envelope: Envelope[Any], *, renderer: Renderer, store: DocumentStore
) -> UUID | None:
    """Apply one ``notices.requested`` (a v2 opened by the subscriber, or a v1 still draining);
    returns the notice id if it awaits dispatch.

    A redelivered event (or the same notice under a new event id) changes nothing and
    returns the id again while the notice is still undelivered, so dispatch can resume.
    """
    payload: NoticeRequestedV1 = envelope.payload
    first = await uow.first_delivery(REQUESTED_CONSUMER, envelope.id, envelope.type)
    existing = await db.notice_by_id(uow.conn, payload.notice_id)
    if not first or existing is not None:
        return existing.id if existing is not None and existing.status == "accepted" else None
    notice = renderer.complete(notice_from_requested(payload))
    problems = check_notice(notice, creditor=renderer.creditor(notice))
    letter: RenderedLetter | None = None
    if not problems:
        try:
            letter = await renderer.render(notice)
        except RenderError as error:
            problems = [problem("render.failed", f"The letter could not be rendered: {error}")]
    row = _notice_row(envelope, payload, uow.clock())
    if letter is None:
        await _refuse(uow, row, payload, problems)
        return None
    document_id = uuid4()
    await _store(uow, store, row, document_id, letter)
    return payload.notice_id


def _notice_row(envelope: Envelope[Any], payload: NoticeRequestedV1, now: Any) -> dict[str, Any]:
    return {
        "id": payload.notice_id,
        "case_id": payload.case_id,
        "event_id": envelope.id,
        "municipality": payload.municipality,
        "step_kind": payload.step_kind,
        "language": payload.language,
        "debtor_ref": payload.debtor_ref,
        "debtor_kind": payload.debtor_kind,
        "debtor_sealed": payload.debtor_sealed,
        "debtor_name": payload.debtor_name,
        "debtor_address": payload.debtor_address.model_dump() if payload.debtor_address else None,
        "message": stored_message(payload),
        "requested_at": payload.requested_at,
        "created_at": now,
        "updated_at": now,
    }


async def _refuse(
    uow: UnitOfWork, row: dict[str, Any], payload: NoticeRequestedV1, problems: list[NoticeProblem]
) -> None:
    failed = failed_event(payload.notice_id, payload.case_id, problems, uow.clock())
    row |= {
        "status": "refused",
        "failure_code": failed.reason_code,
        "failure_reason": failed.reason,
    }
    await uow.conn.execute(sa.insert(db.notice).values(row))
    uow.add_event(
        "notices.failed.v1",
        tenant=payload.municipality,
        subject=str(payload.case_id),
        payload=failed,
    )


async def _store(
    uow: UnitOfWork,
    store: DocumentStore,
    row: dict[str, Any],
    document_id: UUID,
    letter: RenderedLetter,
) -> None:
    await store.put(uow.conn, document_id, letter.pdf)
    await uow.conn.execute(
        sa.insert(db.document).values(
            id=document_id,
            notice_id=row["id"],
            municipality=row["municipality"],
            debtor_ref=row["debtor_ref"],
            title=letter.title,
            media_type="application/pdf",
            size_bytes=len(letter.pdf),
            pages=letter.pages,
            sha256=letter.sha256,
            created_at=row["created_at"],
        )
    )
    row |= {"status": "accepted", "document_id": document_id}
    await uow.conn.execute(sa.insert(db.notice).values(row))
