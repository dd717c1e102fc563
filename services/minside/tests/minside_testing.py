"""Min side under test: its settings, and a handle with ways to log people in and feed events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

import minside_idporten
from minside.config import MinsideSettings
from minside_fakes import FakeNotification, FakePayments
from runtime.personal_data import debtor_ref

BASE_URL = "https://minside.test"
SESSION_SECRET = "minside-session-secret-for-tests-only-0123456789"


def minside_settings(
    database_url: str, bus_url: str, keys: dict[str, str], issuer: str, **extra: Any
) -> MinsideSettings:
    """Settings for a Min side under test."""
    values: dict[str, Any] = {
        "service": "minside",
        "database_url": database_url,
        "bus_url": bus_url,
        "public_base_url": BASE_URL,
        "oidc_issuer": issuer,
        "oidc_client_id": minside_idporten.CLIENT_ID,
        "oidc_client_secret": minside_idporten.CLIENT_SECRET,
        "session_secret": SESSION_SECRET,
        "vipps_base_url": "https://vipps.fake",
        "relay_poll_seconds": 0.05,
        # Every test logs in from one address; test_login_guards.py checks the real limit.
        "login_rate_limit": "10000/minute",
        "consumer_retry_base_seconds": 0.01,
        **keys,
    }
    return MinsideSettings(**(values | extra))


@dataclass
class MinsideUnderTest:
    """A running Min side, its fakes, and ways to log people in."""

    app: Any
    client: httpx.AsyncClient
    settings: MinsideSettings
    idporten: minside_idporten.IdPorten
    payments: FakePayments
    notification: FakeNotification

    @property
    def container(self) -> Any:
        return self.app.state.container

    def ref(self, pid: str) -> str:
        return debtor_ref(self.container.keys, pid)

    async def apply(self, *envelopes: Any) -> None:
        """Apply events to the read models as the subscribers do."""
        from minside.handlers.projections import apply_event

        for envelope in envelopes:
            async with self.container.runtime.uow() as uow:
                await apply_event(uow, envelope)
                await uow.commit()

    def browser(self) -> httpx.AsyncClient:
        """A fresh client with its own cookie jar (another browser)."""
        return httpx.AsyncClient(transport=self.client._transport, base_url=BASE_URL)

    async def authorize(
        self, client: httpx.AsyncClient, user: Any, next_path: str = "/"
    ) -> httpx.URL:
        """Start a login and let the provider answer it for ``user``; the callback URL."""
        start = await client.get("/login", params={"next": next_path})
        assert start.status_code == 303, start.text
        return await self.provider_answer(start.headers["location"], user)

    async def provider_answer(self, authorize_url: str, user: Any) -> httpx.URL:
        server = self.idporten.server
        server.login(user)
        server.consent(user)
        try:
            async with httpx.AsyncClient() as http:
                answer = await http.get(authorize_url)
        finally:
            server.logout()
        assert answer.status_code == 302, answer.text
        return httpx.URL(answer.headers["location"])

    async def login(self, user: Any, client: httpx.AsyncClient | None = None) -> httpx.AsyncClient:
        """A client logged in as ``user`` through the provider."""
        client = client or self.browser()
        callback = await self.authorize(client, user)
        done = await client.get(callback.path, params=dict(callback.params))
        assert done.status_code == 303, done.text
        return client
