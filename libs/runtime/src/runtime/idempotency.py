"""What an Idempotency-Key is bound to: the method, the path and the body's meaning.

A JSON body is compared as canonical JSON (keys sorted, no insignificant whitespace), so a
retry that re-serialises the same request is the same request; any other body (a payment
file) is compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import msgspec

__all__ = ["canonical_json", "request_fingerprint"]

_UNPARSED: Any = object()
_ENCODER = msgspec.json.Encoder(
    order="sorted"
)  # compact, keys sorted, UTF-8: a tenth of json's time


def canonical_json(data: Any) -> bytes:
    """One byte string per JSON value, whatever whitespace or key order it was sent with."""
    try:
        return _ENCODER.encode(data)
    except UnicodeEncodeError:  # a lone surrogate: valid as a JSON escape, not as UTF-8
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8", "surrogatepass")


def request_fingerprint(method: str, path: str, body: bytes, parsed: Any = _UNPARSED) -> str:
    """The fingerprint of a request; ``parsed``: the body already parsed as JSON, if it was."""
    if parsed is _UNPARSED:
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            parsed = _UNPARSED
    content = body if parsed is _UNPARSED else canonical_json(parsed)
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + content).hexdigest()
