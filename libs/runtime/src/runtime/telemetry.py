"""OpenTelemetry tracing: the process tracer provider, FastAPI and W3C context for the bus.

Span names and attributes leave the process for whoever runs the trace backend: never put
personal data (identity numbers, names, addresses) in them; claim and event ids are fine.
Attribute names follow the OTel messaging conventions (messaging.system,
messaging.destination.name, messaging.message.id).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

__all__ = [
    "JsonLinesSpanExporter",
    "add_span_processor",
    "attach_trace_headers",
    "build_tracer_provider",
    "configure_telemetry",
    "consumer_span",
    "extract_context",
    "inject_trace_headers",
    "instrument_fastapi",
    "producer_span",
    "resumed_span",
    "shutdown_telemetry",
]

TRACE_FILE_ENV = "KRAVFLYT_TRACE_FILE"
_HEALTH_URLS = r"/health(/|$|\?)"
_propagator = TraceContextTextMapPropagator()
_lock = threading.Lock()
_provider: TracerProvider | None = None
# A proxy until a provider is set, then that provider's tracer: looked up once, not per span.
_tracer = trace.get_tracer(__name__)


def configure_telemetry(service: str) -> TracerProvider | None:
    """Install the global SDK tracer provider once per process; None if OTEL_SDK_DISABLED."""
    global _provider
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    with _lock:
        if _provider is None:
            current = trace.get_tracer_provider()
            if isinstance(current, TracerProvider):
                # Someone set one first (a test, zero-code instrumentation); OTel allows one.
                _provider = current
            else:
                _provider = build_tracer_provider(service)
                trace.set_tracer_provider(_provider)
        return _provider


def build_tracer_provider(service: str) -> TracerProvider:
    """A provider for service "kravflyt-<service>" with exporters chosen by the environment."""
    resource = Resource.create({SERVICE_NAME: f"kravflyt-{service}"})
    # Resource.create lets its argument win; OTEL_SERVICE_NAME and friends should win instead.
    provider = TracerProvider(resource=resource.merge(OTELResourceDetector().detect()))
    if _otlp_configured():
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if path := os.environ.get(TRACE_FILE_ENV):
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))
    return provider


def shutdown_telemetry() -> None:
    """Export what is buffered and stop the exporters (a command's last act before exit)."""
    with _lock:
        if _provider is not None:
            _provider.shutdown()


def add_span_processor(processor: SpanProcessor) -> None:
    """Attach a processor to the provider from `configure_telemetry` (tests use this)."""
    if _provider is None:
        raise RuntimeError("configure_telemetry has not run, or OTEL_SDK_DISABLED is set")
    _provider.add_span_processor(processor)


def instrument_fastapi(app: FastAPI) -> None:
    """Server spans for every request except the health probes."""
    FastAPIInstrumentor.instrument_app(app, excluded_urls=_HEALTH_URLS)


def inject_trace_headers() -> dict[str, str]:
    """The current context as W3C headers (traceparent, tracestate); empty without a span."""
    headers: dict[str, str] = {}
    _propagator.inject(headers)
    return headers


def extract_context(headers: Mapping[str, str]) -> Context:
    """The context carried by W3C headers; header names are matched case-insensitively."""
    return _propagator.extract({key.lower(): value for key, value in headers.items()})


@contextmanager
def attach_trace_headers(headers: Mapping[str, str] | None) -> Iterator[None]:
    """Make the context in `headers` current for the block (e.g. headers stored in the outbox)."""
    token = otel_context.attach(extract_context(headers or {}))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextmanager
def consumer_span(
    name: str, headers: Mapping[str, str], attributes: Attributes = None
) -> Iterator[Span]:
    """A CONSUMER span, child of the context in the message headers."""
    with _span(name, SpanKind.CONSUMER, extract_context(headers), attributes) as span:
        yield span


@contextmanager
def producer_span(name: str, attributes: Attributes = None) -> Iterator[Span]:
    """A PRODUCER span under the current context; inject headers inside it."""
    with _span(name, SpanKind.PRODUCER, None, attributes) as span:
        yield span


@contextmanager
def resumed_span(
    name: str, headers: Mapping[str, str] | None, attributes: Attributes = None
) -> Iterator[Span]:
    """An INTERNAL span in the trace stored in ``headers``, linked to the current span.

    For batch work that acts on items which each have their own trace: the daily run takes a
    case's step in the trace of the claim that opened it, and links back to the run. Without
    stored headers the span is simply a child of the current one.
    """
    if not headers:
        with _span(name, SpanKind.INTERNAL, None, attributes) as span:
            yield span
        return
    current = trace.get_current_span().get_span_context()
    links = [trace.Link(current)] if current.is_valid else None
    with _span(name, SpanKind.INTERNAL, extract_context(headers), attributes, links) as span:
        yield span


@contextmanager
def _span(
    name: str,
    kind: SpanKind,
    parent: Context | None,
    attributes: Attributes,
    links: Sequence[trace.Link] | None = None,
) -> Iterator[Span]:
    tracer = _tracer
    # Exception messages are not recorded: they may quote personal data. The type is enough
    # to find the (masked) log line through the trace id.
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=kind,
        attributes=attributes,
        links=links,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as exc:
            error_type = f"{type(exc).__module__}.{type(exc).__qualname__}"
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR, error_type))
            raise


class JsonLinesSpanExporter(SpanExporter):
    """Appends each finished span as one JSON line; several processes may share the file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(_span_record(span), default=str) + "\n" for span in spans)
        with self._lock:
            if self._fd < 0:
                return SpanExportResult.FAILURE
            # One write per batch under O_APPEND keeps lines from different processes whole.
            os.write(self._fd, lines.encode())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def _span_record(span: ReadableSpan) -> dict[str, Any]:
    context = span.get_span_context()
    return {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": trace.format_trace_id(context.trace_id) if context else None,
        "span_id": trace.format_span_id(context.span_id) if context else None,
        "parent_id": trace.format_span_id(span.parent.span_id) if span.parent else None,
        "links": [
            {
                "trace_id": trace.format_trace_id(link.context.trace_id),
                "span_id": trace.format_span_id(link.context.span_id),
            }
            for link in span.links
        ],
        "attributes": dict(span.attributes or {}),
        "service": span.resource.attributes.get(SERVICE_NAME),
    }


def _otlp_configured() -> bool:
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    wanted = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() != "none"
    return wanted and any(os.environ.get(name) for name in endpoints)
