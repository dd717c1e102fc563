"""Request limits every service shares: body size, query strings, JSON nesting depth.

- a body larger than the route's limit (``max_body_bytes``, or the route's own in
  ``body_limits``, as for payment files) is 413, refused when the route reads it, before more
  than the limit has been read;
- a query string longer than ``max_query_bytes`` is 414, one with a control character (NUL
  included, percent-encoded or not) is 400, before any route sees it;
- a JSON body nested deeper than ``max_json_depth`` is 400 when the route reads it, instead of
  a ``RecursionError`` from the parser. The depth is found with C-level byte operations (strings
  cut out by one compiled regex, then innermost bracket pairs removed once per level), so a
  10 MB batch costs milliseconds.

Each refusal is an RFC 9457 problem with its own code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.problems import problem_response

__all__ = ["RequestLimitError", "RequestLimits", "json_depth_exceeds"]

_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]*\+)?json\s*(;.*)?$", re.IGNORECASE)
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_CURLY_AS_SQUARE = bytes.maketrans(b"{}", b"[]")
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]|\xc2[\x80-\x9f]")


class RequestLimitError(HTTPException):
    """A request over one of the limits; an HTTPException so FastAPI's body parsing lets it by."""

    def __init__(self, code: str, status: int, detail: str) -> None:
        super().__init__(status_code=status, detail=detail)
        self.code = code


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects more than ``limit`` deep.

    Unbalanced brackets count as deep: such a body is refused here rather than by the parser.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    skeleton = _JSON_STRING.sub(b"", body).translate(_CURLY_AS_SQUARE, _NOT_BRACKETS)
    for _ in range(limit):
        if not skeleton:
            return False
        skeleton = skeleton.replace(b"[]", b"")
    return bool(skeleton)


class RequestLimits:
    """ASGI middleware enforcing one service's request limits.

    ``body_limits``: routes (exact paths) that take larger bodies than ``max_body_bytes``, such
    as payment files.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_query_bytes: int,
        max_json_depth: int,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_bytes = max_query_bytes
        self.max_json_depth = max_json_depth
        self.body_limits = dict(body_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if len(query) > self.max_query_bytes:
            response = problem_response(
                "request.query_too_long",
                414,
                detail=f"The query string is longer than {self.max_query_bytes} bytes.",
            )
            await response(scope, receive, send)
            return
        if query and _CONTROL.search(unquote_to_bytes(query.replace(b"+", b" "))):
            response = problem_response(
                "request.query_invalid",
                400,
                detail="A query parameter holds a control character.",
            )
            await response(scope, receive, send)
            return
        limit = self.body_limits.get(scope["path"], self.max_body_bytes)
        headers = Headers(scope=scope)
        is_json = bool(_JSON_TYPE.match(headers.get("content-type", "")))
        declared = headers.get("content-length", "")
        await self.app(scope, _Body(receive, limit, declared, is_json, self.max_json_depth), send)


class _Body:
    """``receive`` that counts the body against its limit and checks a JSON body's depth.

    It raises when the route reads the body, so the refusal is answered like any other error
    of the route (as a problem, or by a service's own error pages).
    """

    def __init__(
        self, receive: Receive, limit: int, declared: str, is_json: bool, max_depth: int
    ) -> None:
        self._receive = receive
        self._limit = limit
        self._declared = declared
        self._is_json = is_json
        self._max_depth = max_depth
        self._size = 0

    async def __call__(self) -> Message:
        if self._declared.isdigit() and int(self._declared) > self._limit:
            raise self._too_large()
        if not self._is_json:
            return self._counted(await self._receive())
        self._is_json = False  # the whole body goes out in this one message
        chunks: list[bytes] = []
        while True:
            message = self._counted(await self._receive())
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_depth_exceeds(body, self._max_depth):
            raise RequestLimitError(
                "request.json_too_deep",
                400,
                f"The JSON body nests more than {self._max_depth} levels deep.",
            )
        return {"type": "http.request", "body": body, "more_body": False}

    def _counted(self, message: Message) -> Message:
        if message["type"] == "http.request":
            self._size += len(message.get("body", b""))
            if self._size > self._limit:
                raise self._too_large()
        return message

    def _too_large(self) -> RequestLimitError:
        return RequestLimitError(
            "request.body_too_large", 413, f"The body is larger than {self._limit} bytes."
        )
