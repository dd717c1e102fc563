"""All of payments' wiring: settings → container → FastAPI app with its subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI

from payments.config import PaymentsSettings
from payments.domain.accrual import InterestAccrual
from payments.handlers.common import Office
from payments.vipps import VippsClient, VippsConfig
from rules.calendar import roll_forward
from rules.kid import KidAlgorithm
from rules.municipalities import register_from
from rules.rates import rates_from
from runtime.auth import TokenVerifier
from runtime.service import Runtime, service_app


@dataclass
class Container:
    """What payments' entrypoints need, built once per process."""

    settings: PaymentsSettings
    runtime: Runtime
    office: Office
    # Caseworkers' tokens (the office's identity provider); None until it is configured.
    staff: TokenVerifier | None
    # Service tokens (Maskinporten; the local issuer in make run): Min side calling as itself.
    services: TokenVerifier
    vipps: VippsClient
    vipps_webhook_secret: str


# No JWKS configured: every service token is refused (an unknown key), none is trusted.
_NO_KEYS = "file:///nonexistent/kravflyt-no-service-keys.json"


def office_from(settings: PaymentsSettings) -> Office:
    """The office's ledger settings: account, KID scheme, interest rates."""
    rates = rates_from(settings.rates_file)
    return Office(
        collection_account=settings.collection_account,
        kid_algorithm=KidAlgorithm(settings.kid_algorithm.lower()),
        kid_prefix=settings.kid_prefix,
        kid_length=settings.kid_length,
        office_tenant=settings.office_tenant,
        accrual=InterestAccrual(rates),
        source=settings.service or "payments",
        register=register_from(settings.municipalities_file),
    )


def build(settings: PaymentsSettings, **overrides: Any) -> Container:
    """Wire payments from its settings; ``overrides`` replace parts (e.g. ``office``) in tests."""
    staff = None
    if settings.staff_auth_jwks_url:
        staff = TokenVerifier(
            settings.staff_auth_issuer,
            settings.staff_auth_audience,
            settings.staff_auth_jwks_url,
            max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
        )
    vipps = settings.vipps_secrets()  # refuses to start without them outside local mode
    parts: dict[str, Any] = {
        "settings": settings,
        "runtime": Runtime(settings),
        "office": office_from(settings),
        "staff": staff,
        "services": TokenVerifier(
            settings.auth_issuer, settings.auth_audience, settings.auth_jwks_url or _NO_KEYS
        ),
        "vipps": VippsClient(
            VippsConfig(
                settings.vipps_base_url,
                vipps["vipps_client_id"],
                vipps["vipps_client_secret"],
                vipps["vipps_subscription_key"],
                vipps["vipps_msn"],
            )
        ),
        "vipps_webhook_secret": vipps["vipps_webhook_secret"],
    }
    parts.update(overrides)
    return Container(**parts)


def create_app(settings: PaymentsSettings, **overrides: Any) -> FastAPI:
    """The payments process: HTTP API, subscribers for claims, fees and plans, outbox relay."""
    from payments.api import build_routers, install_error_handlers
    from payments.consumers import subscribe

    container = build(settings, **overrides)
    # Loading the public-holiday tables takes a second: at start, not in the first request.
    roll_forward(date.today())
    subscribe(container)
    app = service_app(
        container.runtime,
        title="Kravflyt payments",
        description="The sub-ledger: accounts and KIDs, payment files, matching, allocation,"
        " the unmatched queue, instalment plans and settlements.",
        routers=build_routers(container),
        body_limits={"/v1/payment-files": settings.max_file_bytes},
    )
    install_error_handlers(app)
    app.state.container = container
    return app
