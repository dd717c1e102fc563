"""All of Min side's wiring: settings → container → FastAPI app with its subscribers."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from minside.clients import DocumentsClient, PaymentsClient, service_tokens
from minside.config import MinsideSettings
from minside.oidc import OidcClient
from minside.web.errors import LoginRequired
from minside.web.render import Renderer
from minside.web.session import SESSION_COOKIE, Session, SessionStore
from rules.calendar import oslo_today
from rules.municipalities import register_from
from rules.rates import Rates, rates_from
from runtime.personal_data import PersonalDataKeys, debtor_ref
from runtime.service import Runtime, service_app

STATIC = Path(__file__).parent / "web" / "static"


@dataclass
class Container:
    """What Min side's entrypoints need, built once per process."""

    settings: MinsideSettings
    runtime: Runtime
    keys: PersonalDataKeys
    base_url: str
    oidc: OidcClient
    sessions: SessionStore
    payments: PaymentsClient
    documents: DocumentsClient
    renderer: Renderer
    # The interest rates "to pay today" is worked out with (the shared rates_file setting).
    rates: Rates
    # Pages only read, statement by statement (READ COMMITTED gives each its own snapshot
    # anyway), so they skip the BEGIN and ROLLBACK round trips a transaction costs.
    reads: AsyncEngine

    def today(self) -> date:
        """Today in Europe/Oslo, by the runtime's clock."""
        return oslo_today(self.runtime.clock())

    def debtor_ref(self, pid: str) -> str:
        """The keyed hash every event uses for this person."""
        return debtor_ref(self.keys, pid)

    async def visitor(self, request: Request) -> Session | None:
        """The logged-in citizen, if any (a dependency)."""
        return await self.visitor_on(None, request)

    async def visitor_on(self, conn: AsyncConnection | None, request: Request) -> Session | None:
        """The logged-in citizen, if any, checked on ``conn`` (one of ``reads``) if given."""
        session = await self.sessions.load(request.cookies.get(SESSION_COOKIE), conn)
        request.state.session = session
        return session

    async def citizen(self, request: Request) -> Session:
        """The logged-in citizen; a page that needs one sends everyone else to log in."""
        session = await self.visitor(request)
        if session is None:
            query = f"?{request.url.query}" if request.url.query else ""
            raise LoginRequired(request.url.path + query)
        return session


def session_secret(settings: MinsideSettings) -> str:
    """The configured secret, else one derived from the pseudonym key (stable across restarts
    and replicas, different from the key itself), so a local stack needs no extra setting."""
    if settings.session_secret:
        return settings.session_secret
    if not settings.pseudonym_key:
        raise ValueError("set KRAVFLYT_MINSIDE_SESSION_SECRET (or the pseudonym key)")
    digest = hmac.new(settings.pseudonym_key.encode(), b"minside-session-secret", hashlib.sha256)
    return digest.hexdigest()


def municipality_names(settings: MinsideSettings) -> dict[str, str]:
    """The names Min side shows: the register's, then the office's own."""
    register = register_from(settings.municipalities_file)
    return {m.number: f"{m.name} kommune" for m in register} | settings.municipality_names


def build(settings: MinsideSettings, **overrides: Any) -> Container:
    """Wire Min side from its settings; ``overrides`` replace parts (e.g. ``runtime``) in tests."""
    runtime = overrides.pop("runtime", None) or Runtime(settings)
    tokens = service_tokens(settings)
    if tokens is None and not {"payments", "documents"} <= overrides.keys():
        raise ValueError(
            "set KRAVFLYT_MINSIDE_SERVICE_TOKEN_URL and _SERVICE_KEY_PATH (Min side's identity"
            " towards payments and notification), or run it locally (KRAVFLYT_LOCAL_DIR)"
        )
    rates = rates_from(settings.rates_file)
    base_url = (settings.public_base_url or f"http://localhost:{settings.http_port}").rstrip("/")
    parts: dict[str, Any] = {
        "settings": settings,
        "runtime": runtime,
        "keys": PersonalDataKeys.from_strings(
            settings.pseudonym_key, settings.sealing_keys, settings.sealing_active_key_id
        ),
        "base_url": base_url,
        "oidc": OidcClient(
            settings.oidc_issuer,
            settings.oidc_client_id,
            settings.oidc_client_secret,
            base_url + "/login/callback",
            scopes=settings.oidc_scopes,
            acr_values=settings.oidc_acr_values,
        ),
        "sessions": SessionStore(
            runtime.engine,
            session_secret(settings),
            idle=timedelta(minutes=settings.session_idle_minutes),
            longest=timedelta(minutes=settings.session_max_minutes),
            clock=runtime.clock,
        ),
        "payments": PaymentsClient(settings.payments_base_url, tokens=tokens),
        "documents": DocumentsClient(settings.notification_base_url, tokens=tokens),
        "renderer": Renderer(municipality_names(settings), runtime.clock, rates),
        "rates": rates,
        "reads": runtime.engine.execution_options(isolation_level="AUTOCOMMIT"),
    }
    parts.update(overrides)
    return Container(**parts)


def create_app(settings: MinsideSettings, **overrides: Any) -> FastAPI:
    """The Min side process: pages, event subscribers, outbox relay."""
    from minside.consumers import subscribe
    from minside.web.auth_routes import build_auth_router
    from minside.web.errors import install_error_pages
    from minside.web.page_routes import build_page_router
    from minside.web.pay_routes import build_pay_router
    from minside.web.request_routes import build_request_router
    from minside.web.security import SecurityHeaders, content_security_policy, origin_of

    c = build(settings, **overrides)
    subscribe(c)
    routers = [
        build_auth_router(c),
        build_page_router(c),
        build_pay_router(c),
        build_request_router(c),
    ]
    app = service_app(
        c.runtime,
        title="Kravflyt Min side",
        description="The citizen portal: claims, letters, payments and requests.",
        routers=routers,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app, c.renderer)
    targets = [
        origin_of(settings.oidc_issuer),
        origin_of(settings.vipps_base_url),
        *settings.form_action_origins.split(),
    ]
    app.add_middleware(SecurityHeaders, csp=content_security_policy(targets))
    app.state.container = c
    return app
