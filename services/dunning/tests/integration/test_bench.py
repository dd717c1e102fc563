"""The benchmark function runs end to end on a small table (figures are not asserted)."""

from __future__ import annotations

import pytest

from dunning.bench import run_benchmark

pytestmark = pytest.mark.integration


async def test_the_benchmark_seeds_scans_and_runs_ten_thousand_cases(fresh_database):
    url = fresh_database("dunning_bench")

    figures = await run_benchmark(url, cases=10_000, due_fraction=0.05)

    assert (figures["cases"], figures["due"], figures["steps_taken"]) == (10_000, 500, 500)
    assert figures["scan_seconds"] > 0 and figures["run_seconds"] > 0
    assert {entry["step_kind"] for entry in figures["letters"]} == {"purring", "inkassovarsel"}
