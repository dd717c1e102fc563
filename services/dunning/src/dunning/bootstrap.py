"""All of dunning's wiring: settings → container → FastAPI app with its subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from dunning.config import DunningSettings
from dunning.metrics import run_metrics_hook
from rules.rates import Rates, rates_from
from runtime.auth import JwksUnavailableError, TokenVerifier
from runtime.personal_data import PersonalDataKeys
from runtime.service import Runtime, service_app


class _StaffSignInMissing(TokenVerifier):
    """Staff endpoints answer 503 until the office's identity provider is configured."""

    def __init__(self) -> None:
        super().__init__("", "", "file:///dev/null")

    def verify_claims(self, token: str) -> dict[str, Any]:
        raise JwksUnavailableError("staff sign-in is not configured (STAFF_AUTH_JWKS_URL)")


@dataclass
class Container:
    """What dunning's entrypoints need, built once per process."""

    settings: DunningSettings
    runtime: Runtime
    staff: TokenVerifier
    # Interest in plans' totals (the daily run's letters read the same setting).
    rates: Rates
    # Opens the debtor's sealed name and address (never the identity number, which dunning
    # passes on sealed); the daily run seals them again into the letter requests.
    keys: PersonalDataKeys


def build(settings: DunningSettings, **overrides: Any) -> Container:
    """Wire dunning from its settings; ``overrides`` replace parts (e.g. ``runtime``) in tests."""
    staff: TokenVerifier = _StaffSignInMissing()
    if settings.staff_auth_jwks_url:
        staff = TokenVerifier(
            settings.staff_auth_issuer,
            settings.staff_auth_audience,
            settings.staff_auth_jwks_url,
            max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
        )
    parts: dict[str, Any] = {
        "settings": settings,
        "runtime": Runtime(settings),
        "staff": staff,
        "rates": rates_from(settings.rates_file),
        "keys": settings.personal_data_keys(),
    }
    parts.update(overrides)
    return Container(**parts)


def create_app(settings: DunningSettings, **overrides: Any) -> FastAPI:
    """The dunning process: HTTP API, subscribers, outbox relay."""
    from dunning.api import build_router, install_error_handlers
    from dunning.consumers import subscribe

    container = build(settings, **overrides)
    subscribe(container)
    app = service_app(
        container.runtime,
        title="Kravflyt dunning",
        description="Case flows as lawful, versioned policy; the daily run; the work list.",
        routers=[build_router(container)],
        on_scrape=[run_metrics_hook(container.runtime.engine)],
    )
    install_error_handlers(app)
    app.state.container = container
    return app
