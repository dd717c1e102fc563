"""``/v1/worklist``: the exception queue and what is coming, scoped to the caseworker."""

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from dunning.api.deps import CASEWORKER, staff_with
from dunning.handlers import reads, worklist
from dunning.policy_store import load_catalogue
from rules.calendar import oslo_today
from runtime.auth import StaffPrincipal
from runtime.text import CleanText

if TYPE_CHECKING:
    from dunning.bootstrap import Container


class AssignIn(BaseModel):
    to: Annotated[CleanText, Field(min_length=1, max_length=200)] | None = None
    to_name: Annotated[CleanText, Field(min_length=1, max_length=200)] | None = None


class DecisionIn(BaseModel):
    decision: Annotated[CleanText, Field(min_length=1, max_length=40)]
    reason: Annotated[CleanText, Field(min_length=1, max_length=2000)]


class WorkItemOut(BaseModel):
    """An exception to handle, a limitation warning or a step planned soon (kinds add fields:
    id, code, status, assignment and age for stored exceptions)."""

    kind: str
    case_id: UUID
    municipality: str
    summary: str
    details: dict[str, Any]


class WorkListOut(BaseModel):
    items: list[WorkItemOut]


def router(c: "Container") -> APIRouter:
    r = APIRouter(prefix="/worklist", tags=["worklist"])
    Caseworker = Annotated[StaffPrincipal, Depends(staff_with(c.staff, CASEWORKER))]

    @r.get(
        "",
        summary="Open exceptions, limitation warnings and steps planned in 14 days",
        response_model=None,
        responses={200: {"model": WorkListOut}},
    )
    async def list_items(
        who: Caseworker,
        municipality: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
        kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$")] = None,
        older_than_days: Annotated[int | None, Query(ge=0, le=36500)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        now = c.runtime.clock()
        async with c.runtime.engine.connect() as conn:
            items = await reads.work_list(
                conn,
                who,
                today=oslo_today(now),
                now=now,
                municipality=municipality,
                kind=kind,
                older_than_days=older_than_days,
                limit=limit,
            )
        return {"items": items}

    @r.post("/{item_id}/assign", status_code=204, summary="Assign an item (to oneself by default)")
    async def assign(item_id: UUID, body: AssignIn, who: Caseworker) -> None:
        async with c.runtime.uow() as uow:
            await worklist.assign(uow, item_id, who, body.to, body.to_name)
            await uow.commit()

    @r.post("/{item_id}/decision", status_code=204, summary="Decide an item, with a reason")
    async def decide(item_id: UUID, body: DecisionIn, who: Caseworker) -> None:
        async with c.runtime.uow() as uow:
            catalogue = await load_catalogue(uow.conn)
            await worklist.decide(uow, item_id, body.decision, body.reason, who, catalogue)
            await uow.commit()

    return r
