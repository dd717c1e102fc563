"""Payments' HTTP API for caseworkers (role ``payments``) and bank integrations.

Every route takes a staff token from the office's identity provider whose ``roles`` include
``payments``; a bank integration that uploads files gets a token of its own with that role.
Routes about claims answer only for the municipalities the token names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from payments.api.accounts import accounts_router
from payments.api.files import files_router
from payments.api.settlements import settlements_router
from payments.api.unmatched import unmatched_router
from payments.api.vipps import vipps_router
from payments.domain.errors import PaymentsError
from payments.files import FileRejected
from payments.files.errors import REASONS as FILE_REASONS
from runtime.problems import problem_response

if TYPE_CHECKING:
    from payments.bootstrap import Container


def build_routers(c: Container) -> list[APIRouter]:
    """Every ``/v1`` router of payments, bound to one container."""
    return [
        files_router(c), accounts_router(c), unmatched_router(c), settlements_router(c),
        vipps_router(c),
    ]  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    """Refusals and rejected files as RFC 9457 problems (one table: ``REASONS``)."""

    async def on_payments_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, PaymentsError)
        return problem_response(error.code, error.status, detail=error.message)

    async def on_file_rejected(_: Request, error: Exception) -> Response:
        assert isinstance(error, FileRejected)
        title = FILE_REASONS.get(error.code, "The payment file was rejected")
        return problem_response(error.code, 422, title, detail=error.message)

    app.add_exception_handler(PaymentsError, on_payments_error)
    app.add_exception_handler(FileRejected, on_file_rejected)
