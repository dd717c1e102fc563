"""``/v1/policies``: read policies, load a new version, and simulate a draft."""

import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, Field

from dunning.api.deps import ADMIN, CASEWORKER, staff_with
from dunning.api.resources import (
    PolicyListOut,
    PolicySummaryOut,
    PolicyVersionsOut,
    SimulationOut,
)
from dunning.domain.errors import refuse
from dunning.handlers import policies
from dunning.policy_store import load_catalogue
from rules.calendar import oslo_today
from runtime.auth import StaffPrincipal

if TYPE_CHECKING:
    from dunning.bootstrap import Container


class SimulationIn(BaseModel):
    policy: dict[str, Any] = Field(description="A draft policy (the same shape as the YAML files)")
    days: Annotated[int, Field(ge=1, le=366)] = 30
    date: datetime.date | None = Field(default=None, description="First day (default: today)")


def router(c: "Container") -> APIRouter:
    r = APIRouter(prefix="/policies", tags=["policies"])
    Reader = Annotated[StaffPrincipal, Depends(staff_with(c.staff, CASEWORKER, ADMIN))]
    Admin = Annotated[StaffPrincipal, Depends(staff_with(c.staff, ADMIN))]

    @r.get(
        "",
        summary="Every policy, newest version first",
        response_model=None,
        responses={200: {"model": PolicyListOut}},
    )
    async def list_policies(_: Reader) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            catalogue = await load_catalogue(conn)
        return {"items": [policies.summary(p) for p in catalogue.all_latest()]}

    @r.get(
        "/{policy_id}",
        summary="Every version of one policy",
        response_model=None,
        responses={200: {"model": PolicyVersionsOut}},
    )
    async def get_policy(policy_id: str, _: Reader) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            versions = (await load_catalogue(conn)).versions(policy_id)
        if not versions:
            raise refuse("policy.not_found", policy_id)
        return {"id": policy_id, "versions": [dict(v.document) for v in versions]}

    @r.post(
        "/simulate",
        summary="Dry run of a draft over today's open cases; writes nothing",
        response_model=None,
        responses={200: {"model": SimulationOut}},
    )
    async def simulate(body: SimulationIn, who: Admin) -> dict[str, Any]:
        day = body.date or oslo_today(c.runtime.clock())
        return await policies.simulate(
            c.runtime.engine, body.policy, day=day, days=body.days, staff=who
        )

    @r.put(
        "/{policy_id}",
        status_code=201,
        summary="Load a new version, validated against the law",
        response_model=None,
        responses={201: {"model": PolicySummaryOut}},
    )
    async def put_policy(
        policy_id: str, who: Admin, document: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        async with c.runtime.uow() as uow:
            policy = await policies.put_policy(
                uow, policy_id, document, who, oslo_today(uow.clock())
            )
            await uow.commit()
        return policies.summary(policy)

    return r
