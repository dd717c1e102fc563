"""RFC 9457 problem details: the one JSON shape of every HTTP error a service returns."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.personal_data import mask_identity_numbers

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPE_BASE",
    "Problem",
    "install_problem_handlers",
    "problem_body",
    "problem_response",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://kravflyt.no/problems/"

log = logging.getLogger(__name__)


class Problem(Exception):
    """An error answered as problem+json; `title` defaults to the HTTP status phrase."""

    def __init__(
        self,
        *,
        code: str,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.status = status
        self.title = title or _phrase(status)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        super().__init__(f"{code}: {detail or self.title}")


def problem_body(
    code: str,
    status: int,
    title: str,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    """The problem+json document; fields that are None are left out."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
        "errors": errors,
    }
    return {key: value for key, value in body.items() if value is not None}


def problem_response(
    code: str,
    status: int,
    title: str | None = None,
    *,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response; `title` defaults to the HTTP status phrase."""
    body = problem_body(code, status, title or _phrase(status), detail, errors, instance)
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of `app` as problem+json, including ones no handler knows."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    # Appended rather than added: the last user middleware is the innermost, so every other
    # middleware (security headers, CORS, tracing) sees a response instead of an exception.
    app.user_middleware.append(Middleware(_CatchAllMiddleware))


def _on_problem(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.code, exc.status, exc.title, detail=exc.detail, errors=exc.errors, headers=exc.headers
    )


def _on_validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # pydantic's "input" and "ctx" echo what was sent, which may be a national identity number;
    # dict keys in "loc" and messages of custom validators can carry one too, hence the mask.
    errors = [
        {
            "code": str(error.get("type", "invalid")),
            "message": mask_identity_numbers(str(error.get("msg", ""))),
            "field": mask_identity_numbers(".".join(str(part) for part in error.get("loc", ()))),
        }
        for error in exc.errors()
    ]
    detail = "One or more fields failed validation; see errors."
    return problem_response("request.invalid", 422, "Invalid request", detail=detail, errors=errors)


def _on_http_exception(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not is_body_allowed_for_status_code(exc.status_code):
        return Response(status_code=exc.status_code, headers=exc.headers)
    title = _phrase(exc.status_code)
    detail = str(exc.detail) if exc.detail and str(exc.detail) != title else None
    code = getattr(exc, "code", None)
    if not isinstance(code, str):
        code = "request." + (re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "error")
    return problem_response(code, exc.status_code, title, detail=detail, headers=exc.headers)


def _on_unhandled(scope: Scope, exc: Exception) -> Response:
    code, message, status = (getattr(exc, name, None) for name in ("code", "message", "status"))
    if isinstance(code, str) and isinstance(message, str) and isinstance(status, int):
        if status >= 500:
            log.error("%s on %s %s", code, scope["method"], scope["path"], exc_info=exc)
        headers = getattr(exc, "headers", None)
        return problem_response(
            code, status, detail=message, headers=headers if isinstance(headers, dict) else None
        )
    log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
    # The exception text stays in the (masked) log: it may hold personal data or internals.
    detail = "An unexpected error occurred; it has been logged."
    return problem_response("internal.error", 500, detail=detail)


class _CatchAllMiddleware:
    """Turns exceptions no handler took into problems, duck-typing code/message/status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            await _on_unhandled(scope, exc)(scope, receive, send)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
