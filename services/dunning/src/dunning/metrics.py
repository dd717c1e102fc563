"""The daily run's metrics, read from ``daily_run`` at each scrape.

The run is a CronJob process that ends before Prometheus could scrape it; it records itself in
the database, and the dunning service (always up) reports the last run of every shard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from prometheus_client import Gauge

from dunning.domain import kinds

RUN_DURATION = Gauge(
    "kravflyt_dunning_run_duration_seconds",
    "Duration of the last finished daily run",
    ["shard", "status"],
)
RUN_STEPS = Gauge(
    "kravflyt_dunning_run_steps",
    "Steps taken by the last finished daily run, by step kind",
    ["shard", "step"],
)
RUN_LAST_SUCCESS = Gauge(
    "kravflyt_dunning_run_last_success_timestamp_seconds",
    "When the last successful daily run finished (Unix time)",
    ["shard"],
)

_LAST_FINISHED = sa.text(
    """
    SELECT DISTINCT ON (shard) shard, status, report,
           EXTRACT(EPOCH FROM finished_at - started_at) AS seconds
    FROM daily_run WHERE finished_at IS NOT NULL
    ORDER BY shard, started_at DESC
    """
)
_LAST_SUCCESS = sa.text(
    """
    SELECT shard, EXTRACT(EPOCH FROM max(finished_at)) AS at
    FROM daily_run WHERE status = 'succeeded' GROUP BY shard
    """
)


def steps_by_kind(report: dict[str, Any]) -> Counter[str]:
    """Steps a run report says were taken, by step kind (letters, SMS and hand-overs)."""
    steps: Counter[str] = Counter()
    for letter in report.get("letters", []):
        steps[letter["step_kind"]] += letter["count"]
    if report.get("handovers"):
        steps[kinds.OVERFORING] += report["handovers"]
    return steps


def run_metrics_hook(engine: Any) -> Callable[[], Awaitable[None]]:
    """A scrape hook that sets the gauges from the last runs recorded in ``daily_run``."""

    async def refresh() -> None:
        async with engine.connect() as conn:
            finished = (await conn.execute(_LAST_FINISHED)).mappings().all()
            succeeded = (await conn.execute(_LAST_SUCCESS)).mappings().all()
        RUN_DURATION.clear()
        RUN_STEPS.clear()
        for run in finished:
            RUN_DURATION.labels(run["shard"], run["status"]).set(float(run["seconds"]))
            for kind, count in steps_by_kind(run["report"] or {}).items():
                RUN_STEPS.labels(run["shard"], kind).set(count)
        for run in succeeded:
            RUN_LAST_SUCCESS.labels(run["shard"]).set(float(run["at"]))

    return refresh
