"""JSON logs: one line per record, carrying the service and the current trace, masked."""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

from opentelemetry import trace
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from runtime.personal_data import mask_identity_numbers

__all__ = ["RedactPersonalData", "configure_logging"]

_HANDLER_NAME = "kravflyt-json"
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class RedactPersonalData(logging.Filter):
    """Masks national identity numbers in the message, string extras and the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):
            record.msg = {key: _masked(value) for key, value in record.msg.items()}
        else:
            record.msg = mask_identity_numbers(_message(record))
            record.args = ()
        for key, value in list(vars(record).items()):
            if key not in _RECORD_ATTRS:
                setattr(record, key, _masked(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Exception messages often quote the offending value (a unique-key violation does).
            # Plain formatters prefer exc_text to exc_info, so other handlers get it masked too.
            record.exc_text = mask_identity_numbers(record.exc_text)
        return True


class _JsonFormatter(JsonFormatter):
    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        if isinstance(log_data.get("exc_info"), str):
            # The JSON formatter renders exc_info afresh instead of using the masked exc_text.
            log_data["exc_info"] = mask_identity_numbers(log_data["exc_info"])
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            log_data["trace_id"] = trace.format_trace_id(context.trace_id)
            log_data["span_id"] = trace.format_span_id(context.span_id)


def configure_logging(service: str, level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Send root and uvicorn logs to `stream` (stderr) as JSON lines; safe to call again."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        _JsonFormatter(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            static_fields={"service": service},
            # uvicorn adds an ANSI-coloured copy of every message.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
            timestamp=True,
        )
    )
    handler.addFilter(RedactPersonalData())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not break the caller; keep what is there
        return f"{record.msg} {record.args!r}"


def _masked(value: object) -> object:
    return mask_identity_numbers(value) if isinstance(value, str) else value
