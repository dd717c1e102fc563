"""Security headers on every response, and the CSRF check every form post passes."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minside.web.forms import clean_form


class CsrfRefused(Exception):
    """A form post without this session's token (or from another site)."""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL ('' if it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(form_targets: list[str]) -> str:
    """No inline script or style, no framing; forms may lead only to us and ``form_targets``."""
    targets = " ".join(["'self'", *sorted({t for t in form_targets if t})])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            # Designsystemet draws its icons as data: SVGs in the stylesheet.
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            f"form-action {targets}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: strict headers everywhere; pages with personal data are not cached."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
            (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [h for h in self.headers if h[0] not in present]
                if not static and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


async def checked_form(request: Request, csrf_token: str) -> FormData:
    """The posted form (its texts checked by ``rules.text``, in NFC), if it carries the
    session's CSRF token and came from this site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused("cross-site form post")
    form = clean_form(await request.form())
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), csrf_token.encode()):
        raise CsrfRefused("missing or wrong CSRF token")
    return form
