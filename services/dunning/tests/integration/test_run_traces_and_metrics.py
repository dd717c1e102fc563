"""The daily run continues each claim's trace, records itself, and reports on /metrics."""

from __future__ import annotations

from datetime import date

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runtime.telemetry import add_span_processor, configure_telemetry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    if configure_telemetry("dunning") is None:
        pytest.skip("OTEL_SDK_DISABLED is set")
    exporter = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_a_step_continues_the_trace_of_the_claim_and_links_to_the_run(dunning, spans):
    dunning.clock.set(date(2026, 3, 20))
    with trace.get_tracer("test").start_as_current_span("municipality posts a claim") as posted:
        claim = await dunning.register(due=date(2026, 3, 20))
    claim_trace = trace.format_trace_id(posted.get_span_context().trace_id)
    spans.clear()

    await dunning.run(date(2026, 3, 23))

    [notice] = await dunning.events("notices.requested.v2", await dunning.case_of(claim))
    assert notice["traceparent"].split("-")[1] == claim_trace
    [step] = [s for s in spans.get_finished_spans() if s.name == "dunning step purring"]
    [run] = [s for s in spans.get_finished_spans() if s.name == "dunning daily run"]
    assert trace.format_trace_id(step.context.trace_id) == claim_trace
    assert [link.context.span_id for link in step.links] == [run.context.span_id]
    assert run.attributes["kravflyt.run_date"] == "2026-03-23"


async def test_each_run_is_recorded_with_its_report(dunning):
    dunning.clock.set(date(2026, 3, 20))
    for _ in range(3):
        await dunning.register(due=date(2026, 3, 20))

    await dunning.run(date(2026, 3, 23))
    await dunning.run(date(2026, 3, 23), shard=(1, 2))

    rows = await dunning.rows(
        "SELECT run_date, shard, status, report->>'taken' AS taken, finished_at IS NOT NULL AS done"
        " FROM daily_run ORDER BY started_at"
    )
    assert [tuple(r) for r in rows] == [
        (date(2026, 3, 23), "0/1", "succeeded", "3", True),
        (date(2026, 3, 23), "1/2", "succeeded", "0", True),
    ]


async def test_metrics_show_the_last_run_of_each_shard(dunning):
    dunning.clock.set(date(2026, 3, 20))
    for _ in range(2):
        await dunning.register(due=date(2026, 3, 20))
    await dunning.run(date(2026, 3, 23))

    text = (await dunning.client.get("/metrics")).text

    assert 'kravflyt_dunning_run_steps{shard="0/1",step="purring"} 2.0' in text
    assert 'kravflyt_dunning_run_duration_seconds{shard="0/1",status="succeeded"}' in text
    last = next(
        line
        for line in text.splitlines()
        if line.startswith('kravflyt_dunning_run_last_success_timestamp_seconds{shard="0/1"}')
    )
    assert float(last.split()[-1]) == pytest.approx(dunning.clock().timestamp(), abs=5)
