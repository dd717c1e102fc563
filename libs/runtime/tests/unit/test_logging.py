from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from runtime.logging import configure_logging

NATIONAL_ID = "01017012345"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    configure_logging("intake", stream=buffer)

    yield buffer

    for handler in [h for h in root.handlers if h.get_name() == "kravflyt-json"]:
        root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_service_level_and_logger(stream: io.StringIO) -> None:
    logging.getLogger("intake.handlers").info("claim %s registered", "c-1", extra={"n": 2})

    [line] = lines(stream)
    assert line["message"] == "claim c-1 registered"
    assert line["level"] == "INFO"
    assert line["logger"] == "intake.handlers"
    assert line["service"] == "intake"
    assert line["n"] == 2
    assert line["timestamp"].endswith("+00:00")
    assert "trace_id" not in line


def test_a_record_inside_a_span_carries_its_trace_and_span_id(stream: io.StringIO) -> None:
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("work") as span:
        logging.getLogger("intake").warning("inside")

    [line] = lines(stream)
    context = span.get_span_context()
    assert line["trace_id"] == trace.format_trace_id(context.trace_id)
    assert line["span_id"] == trace.format_span_id(context.span_id)
    assert len(line["trace_id"]) == 32
    assert len(line["span_id"]) == 16


def test_identity_numbers_are_masked_in_message_args_and_extras(stream: io.StringIO) -> None:
    log = logging.getLogger("intake")

    log.info("fnr %s", NATIONAL_ID)
    log.info(f"debtor {NATIONAL_ID} registered", extra={"debtor": NATIONAL_ID})

    first, second = lines(stream)
    assert first["message"] == "fnr ***********"
    assert second["message"] == "debtor *********** registered"
    assert second["debtor"] == "***********"
    assert NATIONAL_ID not in stream.getvalue()


def test_identity_numbers_are_masked_in_tracebacks(stream: io.StringIO) -> None:
    try:
        raise ValueError(f"duplicate key {NATIONAL_ID}")
    except ValueError:
        logging.getLogger("intake").exception("insert failed")

    [line] = lines(stream)
    assert "ValueError: duplicate key ***********" in line["exc_info"]
    assert NATIONAL_ID not in stream.getvalue()


def test_uvicorn_logs_come_out_as_json(stream: io.StringIO) -> None:
    access = logging.getLogger("uvicorn.access")
    access.addHandler(logging.StreamHandler(io.StringIO()))

    configure_logging("intake", stream=stream)
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/claims", "1.1", 200)

    [line] = lines(stream)
    assert line["logger"] == "uvicorn.access"
    assert line["message"] == '127.0.0.1:5000 - "GET /claims HTTP/1.1" 200'
    assert access.handlers == []


def test_configuring_twice_keeps_one_handler(stream: io.StringIO) -> None:
    configure_logging("intake", level="debug", stream=stream)
    logging.getLogger("intake").debug("once")

    ours = [h for h in logging.getLogger().handlers if h.get_name() == "kravflyt-json"]
    assert len(ours) == 1
    assert len(lines(stream)) == 1
