"""The benchmark runs end to end on a small batch (figures come from ``make bench``, not tests)."""

from __future__ import annotations

import asyncio

from notification.bench import render_benchmark


async def test_the_render_benchmark_reports_rates_for_rendering_and_the_pipeline(
    postgres, nats_url
):
    figures = await asyncio.to_thread(
        render_benchmark, 50, database_url=postgres.server_url, bus_url=nats_url
    )

    assert figures["letters"] == 50 and figures["pipeline_letters"] == 50
    assert figures["pages_per_letter"] == 1
    for key in ("render_per_core", "render_all_cores", "pipeline", "pipeline_vs_render"):
        assert figures[key] > 0, key
