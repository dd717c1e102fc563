"""The unmatched queue for caseworkers: list, allocate to a claim, return to the payer."""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations.
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from payments.api.common import caseworker, idempotent
from payments.api.resources import AllocatedOut, ReturnedOut, UnmatchedPage
from payments.handlers.common import StoredResponse
from payments.handlers.unmatched import allocate_unmatched, list_unmatched, return_unmatched
from runtime.auth import StaffPrincipal
from runtime.db import UnitOfWork
from runtime.idempotency import request_fingerprint

if TYPE_CHECKING:
    from payments.bootstrap import Container


class AllocationIn(BaseModel):
    """The claim a caseworker allocates an unmatched payment to."""

    claim_id: UUID


def unmatched_router(c: "Container") -> APIRouter:
    """Routes of the unmatched queue."""
    router = APIRouter(prefix="/v1/unmatched", tags=["unmatched payments"])
    staff = caseworker(c)

    @router.get(
        "",
        summary="Unmatched payments with ranked candidate claims, oldest first",
        response_model=None,
        responses={200: {"model": UnmatchedPage}},
    )
    async def get_queue(
        principal: Annotated[StaffPrincipal, staff],
        state: Literal["open", "allocated", "returned"] = "open",
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        async with c.runtime.uow() as uow:
            items = await list_unmatched(uow, principal.municipalities, state=state, limit=limit)
        return {"items": items}

    @router.post(
        "/{payment_id}/allocate",
        summary="Allocate to a claim (idempotent)",
        responses={200: {"model": AllocatedOut}},
    )
    async def post_allocate(
        payment_id: UUID,
        allocation: AllocationIn,
        request: Request,
        principal: Annotated[StaffPrincipal, staff],
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        async def run(uow: UnitOfWork) -> StoredResponse:
            result = await allocate_unmatched(
                uow, payment_id, allocation.claim_id, caseworker=principal.subject,
                municipalities=principal.municipalities, office=c.office,
            )  # fmt: skip
            return StoredResponse(200, result)

        fingerprint = request_fingerprint("POST", request.url.path, await request.body())
        return await idempotent(c, principal.subject, idempotency_key, fingerprint, run)

    @router.post(
        "/{payment_id}/return",
        summary="Return to the payer: a refund instruction",
        responses={200: {"model": ReturnedOut}},
    )
    async def post_return(
        payment_id: UUID,
        request: Request,
        principal: Annotated[StaffPrincipal, staff],
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        async def run(uow: UnitOfWork) -> StoredResponse:
            result = await return_unmatched(
                uow, payment_id, caseworker=principal.subject,
                municipalities=principal.municipalities,
            )  # fmt: skip
            return StoredResponse(200, result)

        fingerprint = request_fingerprint("POST", request.url.path, await request.body())
        return await idempotent(c, principal.subject, idempotency_key, fingerprint, run)

    return router
