"""``/v1/cases``: one case, its explained trail, and a caseworker's actions on it."""

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from dunning.api.deps import CASEWORKER, staff_with
from dunning.api.resources import CaseOut, ExplainedCaseOut
from dunning.handlers import reads, staff
from dunning.policy_store import load_catalogue
from runtime.auth import StaffPrincipal
from runtime.text import CleanText

if TYPE_CHECKING:
    from dunning.bootstrap import Container

Reason = Annotated[CleanText, Field(min_length=1, max_length=2000)]


class NoteIn(BaseModel):
    reason: Reason


class DeferralIn(BaseModel):
    until: date
    reason: Reason


class FlagIn(BaseModel):
    kind: Literal["concern", "deceased", "bankrupt"]
    reason: Reason


def router(c: "Container") -> APIRouter:
    r = APIRouter(prefix="/cases", tags=["cases"])
    Caseworker = Annotated[StaffPrincipal, Depends(staff_with(c.staff, CASEWORKER))]

    @r.get(
        "/{case_id}",
        summary="One case of the caseworker's municipalities",
        response_model=None,
        responses={200: {"model": CaseOut}},
    )
    async def get_case(case_id: UUID, who: Caseworker) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            return await reads.case_view(conn, case_id, who)

    @r.get(
        "/{case_id}/explain",
        summary="Every step with its rule and legal basis, in bokmål",
        response_model=None,
        responses={200: {"model": ExplainedCaseOut}},
    )
    async def explain(case_id: UUID, who: Caseworker) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            return await reads.explain_case(conn, case_id, who)

    @r.post("/{case_id}/dispute", status_code=204, summary="Register a dispute: the case pauses")
    async def dispute(case_id: UUID, body: NoteIn, who: Caseworker) -> None:
        async with c.runtime.uow() as uow:
            await staff.dispute(uow, case_id, body.reason, who)
            await uow.commit()

    @r.post("/{case_id}/deferral", status_code=204, summary="Defer the next step to a date")
    async def deferral(case_id: UUID, body: DeferralIn, who: Caseworker) -> None:
        async with c.runtime.uow() as uow:
            catalogue = await load_catalogue(uow.conn)
            await staff.deferral(uow, case_id, body.until, body.reason, who, catalogue)
            await uow.commit()

    @r.post(
        "/{case_id}/flags", status_code=204, summary="Flag the debtor: concern, deceased, bankrupt"
    )
    async def flag(case_id: UUID, body: FlagIn, who: Caseworker) -> None:
        async with c.runtime.uow() as uow:
            await staff.flag_debtor(uow, case_id, body.kind, body.reason, who)
            await uow.commit()

    @r.post("/{case_id}/flags/concern/clear", status_code=204, summary="Lift a concern flag")
    async def clear_concern(case_id: UUID, body: NoteIn, who: Caseworker) -> None:
        async with c.runtime.uow() as uow:
            catalogue = await load_catalogue(uow.conn)
            await staff.clear_concern(uow, case_id, body.reason, who, catalogue)
            await uow.commit()

    return r
