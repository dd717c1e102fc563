"""All of notification's wiring: settings → container → FastAPI app with subscriber and sweeper."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from notification.adapters.altinn import AltinnNotificationsClient
from notification.adapters.digipost import DigipostClient
from notification.adapters.krr import KrrClient
from notification.adapters.maskinporten import MaskinportenClient
from notification.adapters.svarut import SvarUtClient
from notification.background import BackgroundDispatch
from notification.config import NotificationSettings
from notification.handlers.dispatch import deliver_notice
from notification.handlers.receipts import poll_receipts
from notification.handlers.sending import Dispatcher, Providers, RetryPolicy
from notification.letters.catalogue import PACKAGE_TEMPLATES, Catalogue
from notification.letters.render import Renderer
from notification.storage import DocumentStore, PostgresDocumentStore
from notification.sweeper import Sweeper
from rules.municipalities import register_from
from runtime.auth import TokenVerifier
from runtime.personal_data import PersonalDataKeys
from runtime.service import Runtime, service_app

log = logging.getLogger(__name__)
# Without a configured JWKS nobody can be verified: every token is refused with 503.
_NO_KEYS = "file:///nonexistent/kravflyt-jwks.json"


@dataclass
class Container:
    """What notification's entrypoints need, built once per process."""

    settings: NotificationSettings
    runtime: Runtime
    keys: PersonalDataKeys
    verifier: TokenVerifier
    staff_verifier: TokenVerifier
    renderer: Renderer
    store: DocumentStore
    http: httpx.AsyncClient
    dispatcher: Dispatcher
    sweeper: Sweeper
    background: BackgroundDispatch

    async def start(self) -> None:
        """Bus, relay and the sweeper."""
        await self.runtime.start()
        self.sweeper.start()

    async def stop(self) -> None:
        """The reverse of :meth:`start`, then the HTTP client and the render threads."""
        await self.sweeper.stop()
        await self.runtime.bus.stop()
        await self.background.drain()
        await self.runtime.stop()
        await self.http.aclose()
        self.renderer.close()


def build(settings: NotificationSettings, **overrides: Any) -> Container:
    """Wire notification from its settings; ``overrides`` replace parts in tests."""
    s = settings
    runtime = overrides.pop("runtime", None) or Runtime(s)
    http = httpx.AsyncClient(timeout=s.provider_timeout_seconds)
    directories = [PACKAGE_TEMPLATES] + ([Path(s.templates_dir)] if s.templates_dir else [])
    catalogue = Catalogue(directories, register_from(s.municipalities_file))
    keys = PersonalDataKeys.from_strings(s.pseudonym_key, s.sealing_keys, s.sealing_active_key_id)
    store: DocumentStore = overrides.pop("store", None) or PostgresDocumentStore()
    providers = overrides.pop("providers", None) or build_providers(s, http)
    dispatcher = Dispatcher(
        uow=runtime.uow,
        providers=providers,
        keys=keys,
        catalogue=catalogue,
        store=store,
        retry=RetryPolicy(s.delivery_attempts, s.delivery_backoff_seconds),
        max_dispatch_attempts=s.max_dispatch_attempts,
        redispatch_seconds=s.redispatch_seconds,
    )
    parts: dict[str, Any] = {
        "settings": s,
        "runtime": runtime,
        "keys": keys,
        "verifier": TokenVerifier(
            s.auth_issuer,
            s.auth_audience,
            s.auth_jwks_url or _NO_KEYS,
            max_lifetime_seconds=s.auth_max_token_lifetime_seconds,
        ),
        "staff_verifier": TokenVerifier(
            s.staff_auth_issuer,
            s.staff_auth_audience,
            s.staff_auth_jwks_url or _NO_KEYS,
            max_lifetime_seconds=s.auth_max_token_lifetime_seconds,
        ),
        "renderer": Renderer(catalogue, workers=s.render_workers),
        "store": store,
        "http": http,
        "dispatcher": dispatcher,
        "sweeper": Sweeper(
            runtime.uow,
            lambda notice_id: deliver_notice(dispatcher, notice_id),
            interval=s.sweep_interval_seconds,
            grace=s.sweep_grace_seconds,
            receipts=lambda: poll_receipts(dispatcher),
        ),
        "background": BackgroundDispatch(
            lambda notice_id: deliver_notice(dispatcher, notice_id), s.dispatch_concurrency
        ),
    }
    parts.update(overrides)
    return Container(**parts)


def build_providers(s: NotificationSettings, http: httpx.AsyncClient) -> Providers:
    """The adapters to KRR, Digipost, SvarUt and Altinn, with their keys."""
    tokens = MaskinportenClient(
        http,
        token_url=s.maskinporten_token_url,
        audience=s.maskinporten_audience,
        client_id=s.maskinporten_client_id,
        private_key_pem=_private_key(s.maskinporten_key_path, "Maskinporten"),
    )
    return Providers(
        krr=KrrClient(http, s.krr_url, tokens),
        digipost=DigipostClient(
            http,
            s.digipost_url,
            s.digipost_sender_id,
            _private_key(s.digipost_key_path, "Digipost"),
        ),
        svarut=SvarUtClient(http, s.svarut_url, s.svarut_username, s.svarut_password),
        altinn=AltinnNotificationsClient(http, s.altinn_url, tokens),
    )


def _private_key(path: str, purpose: str) -> bytes:
    if path:
        return Path(path).read_bytes()
    log.warning("no %s key configured: using an ephemeral key (local fakes only)", purpose)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def create_app(settings: NotificationSettings) -> FastAPI:
    """The notification process: HTTP API, ``notices.requested`` subscriber, relay, sweeper."""
    from notification.api import build_router, install_error_handler
    from notification.consumers import subscribe

    container = build(settings)
    subscribe(container)
    app = service_app(
        container.runtime,
        title="Kravflyt notification",
        description="Letters: lawful PDFs, delivered digitally first, with receipts.",
        routers=[build_router(container)],
    )
    install_error_handler(app)
    runtime_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(a):
            container.sweeper.start()
            try:
                yield
            finally:
                await container.sweeper.stop()
                await container.runtime.bus.stop()
                await container.background.drain()
                await container.http.aclose()
                container.renderer.close()

    app.router.lifespan_context = lifespan
    app.state.container = container
    return app
