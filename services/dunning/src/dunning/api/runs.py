"""``/v1/runs``: the daily run on demand (the CronJob runs ``kravflyt dunning run``).

The run spans every municipality the office serves, so it needs the office's own role, not a
municipality administrator's.
"""

import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from dunning.api.deps import OFFICE_ADMIN, staff_with
from dunning.domain.run_dates import daily_run_date
from dunning.handlers.catch_up import catch_up
from dunning.handlers.run import RunReport, run_daily
from dunning.handlers.staff import actor
from dunning.shards import parse_shard
from rules.calendar import oslo_today
from runtime.auth import StaffPrincipal
from runtime.text import CleanText

if TYPE_CHECKING:
    from dunning.bootstrap import Container

Shard = Annotated[
    str, Field(pattern=r"^[0-9]{1,4}/[0-9]{1,4}$", description="This replica's shard i/n")
]


class RunIn(BaseModel):
    date: datetime.date | None = Field(
        default=None, description="Today in Europe/Oslo (the default); any other date is refused"
    )
    shard: Shard = "0/1"


class CatchUpIn(BaseModel):
    first_date: datetime.date = Field(
        description="The first missed day; it and every day after it up to yesterday run in order"
    )
    reason: Annotated[CleanText, Field(max_length=500)]
    shard: Shard = "0/1"


class LetterCount(BaseModel):
    step_kind: str
    channel: str
    count: int


class RunOut(BaseModel):
    """What one run (one date, one shard) did."""

    run_date: datetime.date
    shard: str
    selected: int
    taken: int
    already_taken: int
    waiting: int
    done: int
    blocked: dict[str, int] = Field(description="Cases blocked, per reason code")
    letters: list[LetterCount]
    fees_ore: int
    handovers: int


class CatchUpOut(BaseModel):
    runs: list[RunOut] = Field(description="One report per caught-up day, in date order")


def _out(report: RunReport) -> RunOut:
    return RunOut.model_validate(report.as_json())


def router(c: "Container") -> APIRouter:
    r = APIRouter(prefix="/runs", tags=["runs"])
    Office = Annotated[StaffPrincipal, Depends(staff_with(c.staff, OFFICE_ADMIN))]

    @r.post("", summary="Take every step due today (idempotent per date)")
    async def run(body: RunIn, _: Office) -> RunOut:
        shard = parse_shard(body.shard)
        day = daily_run_date(body.date, oslo_today(c.runtime.clock()))
        return _out(await run_daily(c.runtime, day, shard, chunk=c.settings.run_chunk_size))

    @r.post("/catch-up", summary="Run missed past days in order (recorded with who and why)")
    async def catch_up_missed(body: CatchUpIn, who: Office) -> CatchUpOut:
        reports = await catch_up(
            c.runtime,
            body.first_date,
            oslo_today(c.runtime.clock()),
            parse_shard(body.shard),
            actor=actor(who),
            reason=body.reason,
            max_days=c.settings.run_catch_up_max_days,
            chunk=c.settings.run_chunk_size,
        )
        return CatchUpOut(runs=[_out(report) for report in reports])

    return r
