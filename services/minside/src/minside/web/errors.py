"""Errors as pages a citizen can act on; one table from error to status and message."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from minside.clients import ServiceUnavailable
from minside.handlers.pages import NotFound
from minside.handlers.pay import AttemptConflict
from minside.handlers.requests import RequestConflict
from minside.oidc import LoginError
from minside.web.forms import BadFormText, BadFormToken
from minside.web.i18n import Translator
from minside.web.render import Renderer, language_of
from minside.web.security import CsrfRefused
from runtime.problems import problem_response

log = logging.getLogger(__name__)


class LoginRequired(Exception):
    """The page needs a logged-in citizen; ``next`` is where to return afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


LOGIN_STATUS = {
    "login.acr_too_low": 401,
    "login.provider_unavailable": 503,
    "login.rate_limited": 429,
}

# error → (status, heading key, text key)
PAGES: dict[type[Exception], tuple[int, str, str]] = {
    NotFound: (404, "error.not_found.heading", "error.not_found.text"),
    RequestConflict: (409, "error.conflict.heading", "error.conflict.text"),
    AttemptConflict: (409, "error.conflict.heading", "error.conflict.text"),
    CsrfRefused: (403, "error.csrf.heading", "error.csrf.text"),
    ServiceUnavailable: (503, "error.unavailable.heading", "error.unavailable.text"),
    BadFormToken: (400, "error.form.heading", "error.form.text"),
}


def install_error_pages(app: FastAPI, renderer: Renderer) -> None:
    """Answer the errors above as HTML pages, and a missing login with a redirect to it."""

    async def on_login_required(_: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        return RedirectResponse("/login?next=" + quote(error.next_path, safe="/"), 303)

    async def on_login_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginError)
        log.info("login refused: %s", error.code)
        text = f"error.{error.code}"
        return renderer.page(
            request,
            "message.html",
            "error.login.heading",
            status_code=LOGIN_STATUS.get(error.code, 400),
            heading="error.login.heading",
            text=text,
            link="/login",
            link_text="error.login.retry",
        )

    async def on_page_error(request: Request, error: Exception) -> Response:
        status, heading, text = PAGES[type(error)]
        if isinstance(error, ServiceUnavailable):
            log.warning("another service failed: %s", error)
        return renderer.page(
            request,
            "message.html",
            heading,
            status_code=status,
            heading=heading,
            text=text,
            link="/",
            link_text="nav.back_to_overview",
        )

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if request.url.path.startswith(("/health", "/metrics")) or error.status_code != 404:
            return problem_response(f"request.http_{error.status_code}", error.status_code)
        return await on_page_error(request, NotFound(request.url.path))

    async def on_bad_text(request: Request, error: Exception) -> Response:
        assert isinstance(error, BadFormText)
        problem = error.problem
        t = Translator(language_of(request))
        label = f"form.field.{problem.field}"
        params = {"field": t(label if t.has(label) else "form.field.other")}
        if problem.code_point is not None:
            params["character"] = f"U+{problem.code_point:04X}"
        return renderer.page(
            request,
            "message.html",
            "error.form.heading",
            status_code=400,
            heading="error.form.heading",
            text=f"error.{problem.code}",
            params=params,
            reason=problem.code,
            link="/",
            link_text="nav.back_to_overview",
        )

    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(BadFormText, on_bad_text)
    app.add_exception_handler(LoginError, on_login_error)
    app.add_exception_handler(HTTPException, on_http_error)
    for error_type in PAGES:
        app.add_exception_handler(error_type, on_page_error)
