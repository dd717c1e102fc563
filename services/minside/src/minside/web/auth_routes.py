"""Login, logout and the language switch."""

# No `from __future__ import annotations`: FastAPI must resolve the routes' annotations.
from typing import TYPE_CHECKING, Annotated

import limits
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from minside.oidc import LoginError
from minside.web.render import LANG_COOKIE, language_of
from minside.web.security import checked_form
from minside.web.session import LOGIN_COOKIE, SESSION_COOKIE, Session

if TYPE_CHECKING:
    from minside.bootstrap import Container


MAX_STATE = 200
MAX_CODE = 2000
MAX_NEXT = 500


def safe_next(value: str | None) -> str:
    """A local path to return to; anything else (another site, ``//host``) becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value if len(value) <= MAX_NEXT else "/"


class LoginRateLimit:
    """How many logins one client address may start (an anonymous ``/login`` costs the
    provider a round trip and us a signed cookie)."""

    def __init__(self, rate: str, storage: str) -> None:
        self._rate = limits.parse(rate)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage))

    async def check(self, request: Request) -> None:
        address = request.client.host if request.client else "unknown"
        if not await self._limiter.hit(self._rate, "minside-login", address):
            raise LoginError("login.rate_limited")


def _cookie(response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="lax"
    )


def build_auth_router(c: "Container") -> APIRouter:
    """``/login``, ``/login/callback``, ``/logout``, ``/logged-out`` and ``/language``."""
    router = APIRouter(include_in_schema=False)
    Citizen = Annotated[Session, Depends(c.citizen)]
    rate_limit = LoginRateLimit(c.settings.login_rate_limit, c.settings.login_rate_limit_storage)

    @router.get("/login")
    async def login(request: Request, next: str | None = None) -> Response:
        await rate_limit.check(request)
        start = await c.oidc.start(language_of(request))
        cookie = c.sessions.start_login(start, safe_next(next))
        response = RedirectResponse(start.url, 303)
        _cookie(response, LOGIN_COOKIE, cookie, max_age=600)
        return response

    @router.get("/login/callback")
    async def callback(
        request: Request,
        state: str = "",
        code: str = "",
        error: str | None = None,
    ) -> Response:
        # Checked here, not by FastAPI, so a bad callback shows the login error page.
        if error or len(code) > MAX_CODE:
            raise LoginError("login.provider_error")
        if len(state) > MAX_STATE:
            raise LoginError("login.state_mismatch")
        attempt = c.sessions.take_login(state, request.cookies.get(LOGIN_COOKIE))
        if attempt is None:
            raise LoginError("login.state_mismatch")
        identity = await c.oidc.finish(
            code, nonce=attempt.nonce, code_verifier=attempt.code_verifier
        )
        earlier = await c.sessions.load(request.cookies.get(SESSION_COOKIE))
        if earlier is not None:
            await c.sessions.end(earlier)  # a login never continues an older session
        token, _ = await c.sessions.create(c.debtor_ref(identity.pid), identity.id_token)
        response = RedirectResponse(attempt.return_to, 303)
        _cookie(response, SESSION_COOKIE, token)
        response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True)
        return response

    @router.post("/logout")
    async def logout(request: Request, session: Citizen) -> Response:
        await checked_form(request, session.csrf_token)
        id_token = await c.sessions.end(session)
        target = None
        if id_token:
            target = await c.oidc.logout_url(id_token, c.base_url + "/logged-out")
        response = RedirectResponse(target or "/logged-out", 303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
        return response

    @router.get("/logged-out")
    async def logged_out(request: Request) -> Response:
        return c.renderer.page(
            request,
            "message.html",
            "logout.heading",
            heading="logout.heading",
            text="logout.text",
            color="success",
            link="/",
            link_text="logout.again",
        )

    @router.get("/language")
    async def language(lang: str = "nb", next: str | None = None) -> Response:
        response = RedirectResponse(safe_next(next), 303)
        if lang in ("nb", "nn", "en"):
            _cookie(response, LANG_COOKIE, lang, max_age=365 * 24 * 3600)
        return response

    return router
