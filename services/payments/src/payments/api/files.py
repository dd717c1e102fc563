"""``POST /v1/payment-files``: a bank file (OCR giro or camt.054) as the raw request body."""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations.
import hashlib
import io
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from payments.api.common import caseworker, idempotent
from payments.api.resources import PaymentFileOut
from payments.domain.errors import PaymentsError
from payments.files import FileFormat
from payments.handlers.common import StoredResponse
from payments.handlers.imports import import_payment_file
from runtime.auth import StaffPrincipal
from runtime.db import UnitOfWork
from runtime.idempotency import request_fingerprint

if TYPE_CHECKING:
    from payments.bootstrap import Container

FORMATS: dict[str, FileFormat] = {
    "text/plain": "ocr",
    "application/xml": "camt054",
    "text/xml": "camt054",
}


def files_router(c: "Container") -> APIRouter:
    """Payment file upload."""
    router = APIRouter(prefix="/v1", tags=["payment files"])
    staff = caseworker(c)

    @router.post(
        "/payment-files",
        status_code=201,
        summary="Import a payment file; the same file again answers the first import (200)",
        openapi_extra={"requestBody": {"content": {m: {"schema": {}} for m in FORMATS}}},
        responses={
            200: {"model": PaymentFileOut, "description": "Imported before: the first answer"},
            201: {"model": PaymentFileOut, "description": "Imported and booked"},
        },
    )
    async def post_payment_file(
        request: Request,
        principal: Annotated[StaffPrincipal, staff],
        content_type: Annotated[str, Header()] = "",
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        file_format = FORMATS.get(content_type.split(";")[0].strip().lower())
        if file_format is None:
            raise PaymentsError("request.unsupported_media_type")
        body = await _file_body(request, c.settings.max_file_bytes)

        async def run(uow: UnitOfWork) -> StoredResponse:
            result = await import_payment_file(
                uow,
                io.BytesIO(body),
                sha256=hashlib.sha256(body).hexdigest(),
                file_format=file_format,
                imported_by=principal.subject,
                office=c.office,
            )
            return StoredResponse(200 if result["duplicate"] else 201, result)

        fingerprint = request_fingerprint("POST", "/v1/payment-files", body)
        return await idempotent(c, principal.subject, idempotency_key, fingerprint, run)

    return router


async def _file_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PaymentsError("request.file_too_large")
    body = await request.body()
    if not body:
        raise PaymentsError("request.body_empty")
    if len(body) > limit:
        raise PaymentsError("request.file_too_large")
    return body
