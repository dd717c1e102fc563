from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from runtime.telemetry import (
    add_span_processor,
    attach_trace_headers,
    build_tracer_provider,
    configure_telemetry,
    consumer_span,
    extract_context,
    inject_trace_headers,
    instrument_fastapi,
    producer_span,
)

MESSAGE = {
    "messaging.system": "nats",
    "messaging.destination.name": "kravflyt.claims.registered.v1",
    "messaging.message.id": "e-1",
}


@pytest.fixture(scope="module")
def recorded() -> Iterator[InMemorySpanExporter]:
    # The global provider can be set once per process: configure it (or adopt the one set
    # earlier) and attach one in-memory exporter for this module.
    exporter = InMemorySpanExporter()
    if configure_telemetry("runtime-tests") is None:
        pytest.skip("OTEL_SDK_DISABLED is set")
    add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


@pytest.fixture
def spans(recorded: InMemorySpanExporter) -> InMemorySpanExporter:
    recorded.clear()
    return recorded


def test_trace_id_survives_a_hop_through_message_headers(spans: InMemorySpanExporter) -> None:
    with producer_span("kravflyt.claims.registered.v1 publish", MESSAGE) as producer:
        headers = inject_trace_headers()

    context = trace.get_current_span(extract_context(headers)).get_span_context()
    assert headers["traceparent"].split("-")[1] == trace.format_trace_id(
        producer.get_span_context().trace_id
    )
    assert context.trace_id == producer.get_span_context().trace_id
    assert context.span_id == producer.get_span_context().span_id
    assert context.is_remote


def test_consumer_span_is_a_child_of_the_producer_span(spans: InMemorySpanExporter) -> None:
    with producer_span("kravflyt.claims.registered.v1 publish", MESSAGE):
        headers = inject_trace_headers()

    with consumer_span("kravflyt.claims.registered.v1 process", headers, MESSAGE):
        pass

    producer, consumer = spans.get_finished_spans()
    assert producer.kind is SpanKind.PRODUCER
    assert consumer.kind is SpanKind.CONSUMER
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.context.trace_id == producer.context.trace_id
    assert consumer.attributes == MESSAGE


def test_header_names_are_matched_case_insensitively(spans: InMemorySpanExporter) -> None:
    with producer_span("publish"):
        headers = {k.title(): v for k, v in inject_trace_headers().items()}

    context = trace.get_current_span(extract_context(headers)).get_span_context()

    assert context.is_valid


def test_no_headers_outside_a_span_and_no_parent_without_headers(
    spans: InMemorySpanExporter,
) -> None:
    assert inject_trace_headers() == {}

    with consumer_span("process", {}, MESSAGE):
        pass

    [consumer] = spans.get_finished_spans()
    assert consumer.parent is None


def test_stored_headers_make_the_producer_span_continue_that_trace(
    spans: InMemorySpanExporter,
) -> None:
    with producer_span("handler"):
        stored = inject_trace_headers()

    with attach_trace_headers(stored), producer_span("relay publish"):
        pass

    handler, relay = spans.get_finished_spans()
    assert relay.context.trace_id == handler.context.trace_id
    assert trace.get_current_span() is trace.INVALID_SPAN


def test_failing_consumer_marks_the_span_without_recording_the_message(
    spans: InMemorySpanExporter,
) -> None:
    with pytest.raises(ValueError), consumer_span("process", {}, MESSAGE):
        raise ValueError("debtor 01017012345 is unknown")

    [consumer] = spans.get_finished_spans()
    assert consumer.status.status_code is StatusCode.ERROR
    assert consumer.attributes is not None
    assert consumer.attributes["error.type"] == "builtins.ValueError"
    assert "01017012345" not in str(consumer.to_json())


def test_configure_telemetry_is_idempotent(recorded: InMemorySpanExporter) -> None:
    assert configure_telemetry("other") is configure_telemetry("runtime-tests")
    assert configure_telemetry("other") is trace.get_tracer_provider()


def test_disabled_sdk_configures_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")

    assert configure_telemetry("intake") is None


def test_service_name_is_prefixed_unless_the_environment_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
    default = build_tracer_provider("intake").resource.attributes

    monkeypatch.setenv("OTEL_SERVICE_NAME", "intake-canary")
    named = build_tracer_provider("intake").resource.attributes

    assert default["service.name"] == "kravflyt-intake"
    assert default["deployment.environment"] == "test"
    assert named["service.name"] == "intake-canary"


def test_trace_file_gets_one_json_line_per_span_from_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spans.jsonl"
    monkeypatch.setenv("KRAVFLYT_TRACE_FILE", str(path))
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    intake = build_tracer_provider("intake")
    dunning = build_tracer_provider("dunning")

    with intake.get_tracer("t").start_as_current_span("publish", attributes=MESSAGE):
        headers = inject_trace_headers()
    with dunning.get_tracer("t").start_as_current_span("process", extract_context(headers)):
        pass
    intake.shutdown()
    dunning.shutdown()

    publish, process = (json.loads(line) for line in path.read_text().splitlines())
    assert publish["service"] == "kravflyt-intake"
    assert process["service"] == "kravflyt-dunning"
    assert process["trace_id"] == publish["trace_id"]
    assert process["parent_id"] == publish["span_id"]
    assert publish["parent_id"] is None
    assert publish["attributes"] == MESSAGE
    assert len(publish["trace_id"]) == 32
    assert len(publish["span_id"]) == 16


def test_fastapi_requests_get_server_spans_except_health(spans: InMemorySpanExporter) -> None:
    app = FastAPI()

    @app.get("/health/live")
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/claims")
    def claims() -> list[str]:
        return []

    instrument_fastapi(app)
    client = TestClient(app)

    client.get("/health/live")
    client.get("/claims")

    server = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["GET /claims"]
