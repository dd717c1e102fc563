"""The dunning daily run and notification's letters, through the services' own bench functions."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from benchmarks.report import Section
from benchmarks.stack import step
from runtime.embedded import start_postgres


def dunning_run(cases: int) -> Section:
    """Daily run over ``cases`` open cases (5 % due) beside one sequential scan of the table."""
    from dunning.bench import run_benchmark

    section = Section(f"dunning: daily run over {cases:,} open cases, about 5 % due")
    with tempfile.TemporaryDirectory(prefix="kravflyt-bench-") as directory:
        step(f"dunning: seeding {cases:,} cases by COPY and running")
        pg = start_postgres(Path(directory) / "pg")
        try:
            pg.create_database("dunning_bench")
            url = pg.url("dunning_bench")
            figures = asyncio.run(run_benchmark(url, cases=cases, due_fraction=0.05))
        finally:
            pg.handle.cleanup()
    section.add(
        "daily run (select, decide, write steps + outbox)",
        f"{figures['run_seconds']} s, {figures['steps_taken']:,} steps",
        f"sequential scan {figures['scan_seconds']} s",
        f"{figures['run_over_scan']}×",
    )
    section.note("goal: under 60 s for 1,000,000 cases and within 4× the scan")
    return section


def notification_letters(letters: int) -> Section:
    """Letters rendered per core, and the pipeline event → PDF stored → fake mailbox."""
    from notification.bench import render_benchmark

    step(f"notification: rendering {letters:,} single-claim reminders")
    figures = render_benchmark(n=letters, pipeline_n=max(letters // 5, 50))
    section = Section("notification: letters (typst, PDF/UA + PDF/A-2a)")
    section.add(
        "rendered per core",
        f"{figures['render_per_core']:.1f} letters/s",
        f"all {figures['cores']:.0f} cores {figures['render_all_cores']:.1f} letters/s",
    )
    section.add(
        "pipeline: event → PDF stored → fake mailbox",
        f"{figures['pipeline']:.1f} letters/s",
        f"render only {figures['render_per_core']:.1f}/s",
        f"{figures['pipeline_vs_render']:.2f} of render",
    )
    section.note("goals: ≥ 100 letters/s per core rendered; pipeline within 2× of render-only")
    return section
