"""Dunning's HTTP API for caseworkers and the office's administrators."""

from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from dunning.api import cases, policies, runs, worklist
from dunning.domain.errors import REASONS, DunningError, Violation
from dunning.domain.policy import PolicyInvalid
from runtime.problems import problem_response

if TYPE_CHECKING:
    from dunning.bootstrap import Container


def build_router(c: "Container") -> APIRouter:
    """The ``/v1`` routes of dunning, bound to one container."""
    router = APIRouter(prefix="/v1")
    for module in (cases, worklist, policies, runs):
        router.include_router(module.router(c))
    return router


def install_error_handlers(app: FastAPI) -> None:
    """Refusals as RFC 9457 problems: the first reason decides the status, all are listed."""

    async def on_refusal(_: Request, error: Exception) -> Response:
        assert isinstance(error, DunningError | PolicyInvalid)
        return refusal(error.violations)

    app.add_exception_handler(DunningError, on_refusal)
    app.add_exception_handler(PolicyInvalid, on_refusal)


def refusal(violations: list[Violation]) -> Response:
    first = violations[0]
    status, title = REASONS.get(first.code, (422, "Refused"))
    errors = [{"code": v.code, "message": v.message, "step": v.step} for v in violations]
    return problem_response(first.code, status, title, detail=first.message, errors=errors)
