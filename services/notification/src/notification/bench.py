"""Letters per second: rendering per core, and the pipeline event → PDF stored → mailbox.

``render_benchmark(n)`` renders ``n`` single-claim reminders on one thread (one core), then
publishes ``pipeline_n`` (default ``n``) ``notices.requested.v2`` events on NATS and times the
service until every letter is stored and delivered to the fake Digipost mailbox. It starts
what it needs (PostgreSQL, NATS, the fakes from the repository's ``fakes/``) unless given URLs.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from notification.bench_pipeline import pipeline_rate, reminder
from notification.letters.render import Renderer


def render_benchmark(
    n: int = 10_000,
    *,
    pipeline_n: int | None = None,
    database_url: str | None = None,
    bus_url: str | None = None,
) -> dict[str, float]:
    """Rates in letters per second: ``render_per_core``, ``render_all_cores``, ``pipeline``."""
    per_core, pages = _render_one_core(n)
    cores = os.cpu_count() or 1
    all_cores = _render_all_cores(n, cores)
    count = pipeline_n if pipeline_n is not None else n
    pipeline = asyncio.run(pipeline_rate(count, database_url, bus_url))
    return {
        "letters": float(n),
        "pages_per_letter": pages / n,
        "render_per_core": per_core,
        "render_all_cores": all_cores,
        "cores": float(cores),
        "pipeline_letters": float(count),
        "pipeline": pipeline,
        "pipeline_vs_render": pipeline / per_core,
    }


def _render_one_core(n: int) -> tuple[float, int]:
    notices = [reminder(i) for i in range(n)]
    renderer = Renderer()
    try:
        renderer.render_sync(notices[0])  # warm-up: fonts, layout cache
        started = time.perf_counter()
        pages = sum(renderer.render_sync(x).pages for x in notices)
        return n / (time.perf_counter() - started), pages
    finally:
        renderer.close()


def _render_all_cores(n: int, cores: int) -> float:
    """One process per core (typst serialises compilations within a process)."""
    chunks = [(i * n // cores, (i + 1) * n // cores) for i in range(cores)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(cores, mp_context=context) as pool:
        list(pool.map(_render_chunk, [(0, 1)] * cores))  # start and warm every worker
        started = time.perf_counter()
        list(pool.map(_render_chunk, chunks))
        return n / (time.perf_counter() - started)


def _render_chunk(bounds: tuple[int, int]) -> int:
    renderer = _WORKER_RENDERER.setdefault("renderer", Renderer())
    return sum(renderer.render_sync(reminder(i)).pages for i in range(*bounds))


_WORKER_RENDERER: dict[str, Renderer] = {}
