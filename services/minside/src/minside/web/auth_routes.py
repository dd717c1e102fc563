"""Login, logout and the language switch."""

# No `from __future__ import annotations`: FastAPI must resolve the routes' annotations.
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from minside.oidc import LoginError
from minside.web.render import LANG_COOKIE, language_of
from minside.web.security import checked_form
from minside.web.session import LOGIN_COOKIE, SESSION_COOKIE, Session

if TYPE_CHECKING:
    from minside.bootstrap import Container


def safe_next(value: str | None) -> str:
    """A local path to return to; anything else (another site, ``//host``) becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _cookie(response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="lax"
    )


def build_auth_router(c: "Container") -> APIRouter:
    """``/login``, ``/login/callback``, ``/logout``, ``/logged-out`` and ``/language``."""
    router = APIRouter(include_in_schema=False)
    Citizen = Annotated[Session, Depends(c.citizen)]

    @router.get("/login")
    async def login(request: Request, next: str | None = None) -> Response:
        start = await c.oidc.start(language_of(request))
        cookie = await c.sessions.start_login(start, safe_next(next))
        response = RedirectResponse(start.url, 303)
        _cookie(response, LOGIN_COOKIE, cookie, max_age=600)
        return response

    @router.get("/login/callback")
    async def callback(
        request: Request,
        state: Annotated[str, Query(max_length=200)] = "",
        code: Annotated[str, Query(max_length=2000)] = "",
        error: str | None = None,
    ) -> Response:
        if error:
            raise LoginError("login.provider_error")
        attempt = await c.sessions.take_login(state, request.cookies.get(LOGIN_COOKIE))
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
