"""``/v1/runs``: the daily run on demand (the CronJob runs ``kravflyt dunning run``)."""

import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from dunning.api.deps import ADMIN, staff_with
from dunning.handlers.run import run_daily
from dunning.shards import parse_shard
from rules.calendar import oslo_today
from runtime.auth import StaffPrincipal

if TYPE_CHECKING:
    from dunning.bootstrap import Container


class RunIn(BaseModel):
    date: datetime.date | None = Field(default=None, description="The run date (default: today)")
    shard: Annotated[str, Field(pattern=r"^[0-9]+/[0-9]+$")] = "0/1"


def router(c: "Container") -> APIRouter:
    r = APIRouter(prefix="/runs", tags=["runs"])
    Admin = Annotated[StaffPrincipal, Depends(staff_with(c.staff, ADMIN))]

    @r.post("", summary="Take every step due on a date (idempotent per date)")
    async def run(body: RunIn, _: Admin) -> dict[str, Any]:
        day = body.date or oslo_today(c.runtime.clock())
        report = await run_daily(
            c.runtime, day, parse_shard(body.shard), chunk=c.settings.run_chunk_size
        )
        return report.as_json()

    return r
