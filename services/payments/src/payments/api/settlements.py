"""Settlements: make one for a municipality and period; read it as JSON or CSV."""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations.
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from payments.api.common import caseworker, serve
from payments.api.resources import SettlementOut
from payments.domain.errors import PaymentsError
from payments.handlers.settlements import settle, settlement_by_id
from payments.settlement_export import settlement_csv
from runtime.auth import StaffPrincipal

if TYPE_CHECKING:
    from payments.bootstrap import Container


class SettlementIn(BaseModel):
    """Which municipality and month to settle."""

    municipality: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    period: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}$", examples=["2026-11"])]


def settlements_router(c: "Container") -> APIRouter:
    """Routes of settlements (oppgjør)."""
    router = APIRouter(prefix="/v1/settlements", tags=["settlements"])
    staff = caseworker(c)

    @router.post(
        "",
        summary="Settle a municipality's month (once; again: the same settlement)",
        response_model=None,
        responses={200: {"model": SettlementOut}},
    )
    async def post_settlement(
        wanted: SettlementIn, principal: Annotated[StaffPrincipal, staff]
    ) -> dict[str, Any]:
        serve(principal, wanted.municipality)
        async with c.runtime.uow() as uow:
            document = await settle(
                uow, wanted.municipality, wanted.period, created_by=principal.subject,
                office=c.office,
            )  # fmt: skip
            await uow.commit()
        return document

    async def stored(settlement_id: UUID, principal: StaffPrincipal) -> dict[str, Any]:
        async with c.runtime.uow() as uow:
            row = await settlement_by_id(uow, settlement_id)
        if row is None or not principal.serves(row.municipality):
            raise PaymentsError("settlement.not_found")
        document: dict[str, Any] = row.document
        return document

    @router.get(
        "/{settlement_id}",
        summary="A settlement as the JSON document for the ERP",
        response_model=None,
        responses={200: {"model": SettlementOut}},
    )
    async def get_settlement(
        settlement_id: UUID, principal: Annotated[StaffPrincipal, staff]
    ) -> dict[str, Any]:
        return await stored(settlement_id, principal)

    @router.get(
        "/{settlement_id}/lines.csv",
        summary="A settlement's lines as CSV",
        response_class=Response,
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    )
    async def get_settlement_csv(
        settlement_id: UUID, principal: Annotated[StaffPrincipal, staff]
    ) -> PlainTextResponse:
        document = await stored(settlement_id, principal)
        return PlainTextResponse(settlement_csv(document), media_type="text/csv")

    return router
