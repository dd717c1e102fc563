"""Notification's HTTP API: documents for Min side and staff, previews, notice status."""

# No `from __future__ import annotations`: FastAPI must resolve the closures' annotations.
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from contracts.http.documents import DEBTOR_HEADER, DOCUMENTS_SCOPE
from notification import db
from notification.domain.errors import REASONS, NotificationError, problem
from notification.handlers.documents import Reader, read_document
from notification.handlers.preview import preview_notice
from notification.mapping import PreviewIn, notice_from_preview, problem_json
from notification.resources import NoticeOut
from runtime.auth import (
    ROLE_MISSING,
    BearerToken,
    ForbiddenError,
    StaffPrincipal,
    TokenVerifier,
    require_client,
    requires_role,
    staff_principal,
)
from runtime.problems import problem_response

if TYPE_CHECKING:
    from notification.bootstrap import Container

REASON_HEADER = "Kravflyt-Read-Reason"


def install_error_handler(app: FastAPI) -> None:
    """Answer every :class:`NotificationError` as an RFC 9457 problem with its reasons."""

    async def on_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, NotificationError)
        first = error.problems[0]
        status, title = REASONS[first.code]
        return problem_response(
            first.code,
            status,
            title,
            detail=first.message,
            errors=[problem_json(p) for p in error.problems],
        )

    app.add_exception_handler(NotificationError, on_error)


def document_reader(c: "Container") -> Any:
    """FastAPI dependency: Min side for a citizen (service token + debtor ref) or staff."""
    allowed_clients = {x.strip() for x in c.settings.minside_client_ids.split(",") if x.strip()}

    def reader(request: Request, token: BearerToken) -> Reader:
        debtor_ref = request.headers.get(DEBTOR_HEADER)
        if debtor_ref is not None:
            return _citizen(c.verifier, token, debtor_ref, allowed_clients)
        return _staff(c.staff_verifier, token, c.settings.staff_reader_role, request)

    return reader


def _citizen(verifier: TokenVerifier, token: str, debtor_ref: str, clients: set[str]) -> Reader:
    principal = verifier.verify(token)
    # Min side calling as itself (contracts.http.documents); no other client reads for citizens.
    require_client(principal, DOCUMENTS_SCOPE, clients)
    if not debtor_ref.strip():
        raise NotificationError(problem("document.debtor_ref_missing"))
    # Min side has proven the citizen with ID-porten; we trust it for this one debtor_ref.
    return Reader("citizen", principal.client_id, "Min side", "citizen", debtor_ref=debtor_ref)


def _staff(verifier: TokenVerifier, token: str, role: str, request: Request) -> Reader:
    staff = staff_principal(verifier.verify_claims(token))
    if role not in staff.roles:
        raise ForbiddenError(ROLE_MISSING, f"The caseworker lacks the role {role!r}.")
    reason = (request.headers.get(REASON_HEADER) or "").strip()
    if not reason:
        raise NotificationError(problem("document.reason_missing"))
    return Reader(
        "staff", staff.subject, staff.name, reason[:500], municipalities=staff.municipalities
    )


_PDF = {"type": "string", "format": "binary"}


def build_router(c: "Container") -> APIRouter:
    """The ``/v1`` routes of notification, bound to one container."""
    router = APIRouter(prefix="/v1")
    reader_dependency = Depends(document_reader(c))
    caseworker = Depends(requires_role(c.staff_verifier, c.settings.staff_reader_role))

    @router.get(
        "/documents/{document_id}",
        tags=["documents"],
        summary="A letter as PDF: to the debtor it was addressed to (via Min side), or to staff",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {"schema": _PDF}}}},
    )
    async def get_document(
        document_id: UUID, reader: Annotated[Reader, reader_dependency]
    ) -> Response:
        async with c.runtime.uow() as uow:
            document, content = await read_document(uow, c.store, document_id, reader)
            await uow.commit()
        headers = {
            "Content-Disposition": f'inline; filename="{document.id}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": document.sha256,
        }
        return Response(content, media_type=document.media_type, headers=headers)

    @router.post(
        "/previews",
        tags=["previews"],
        summary="Render a notice from posted data without storing or sending it",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {"schema": _PDF}}}},
    )
    async def post_preview(
        body: PreviewIn, staff: Annotated[StaffPrincipal, caseworker]
    ) -> Response:
        if not staff.serves(body.municipality):
            raise ForbiddenError(ROLE_MISSING, "The caseworker does not serve the municipality.")
        letter = await preview_notice(c.renderer, notice_from_preview(body, uuid4(), uuid4()))
        return Response(
            letter.pdf, media_type="application/pdf", headers={"Cache-Control": "no-store"}
        )

    @router.get(
        "/notices/{notice_id}",
        tags=["notices"],
        summary="A notice's delivery status",
        response_model=None,
        responses={200: {"model": NoticeOut}},
    )
    async def get_notice(
        notice_id: UUID, staff: Annotated[StaffPrincipal, caseworker]
    ) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            row = await db.notice_by_id(conn, notice_id)
            if row is None or not staff.serves(row.municipality):
                raise NotificationError(problem("notice.not_found"))
            deliveries = await db.deliveries_of(conn, notice_id)
        return _notice_json(row, deliveries)

    return router


def _notice_json(row: Any, deliveries: list[Any]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "case_id": str(row.case_id),
        "municipality": row.municipality,
        "step_kind": row.step_kind,
        "status": row.status,
        "document_id": str(row.document_id) if row.document_id else None,
        "failure": {"code": row.failure_code, "reason": row.failure_reason}
        if row.failure_code
        else None,
        "deliveries": [
            {
                "kind": d.kind,
                "channel": d.channel,
                "status": d.status,
                "why": d.route_reason,
                "attempts": d.attempts,
                "error": d.error_code,
                "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            }
            for d in deliveries
        ],
    }
