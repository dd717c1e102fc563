"""All of intake's wiring: settings → container → FastAPI app with its subscriber."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from joserfc.jwk import RSAKey

from intake.config import IntakeSettings
from intake.domain.claims import ClaimRules
from intake.handlers import Limits
from rules.letter_fonts import printable_text
from rules.municipalities import Register, register_from
from runtime.auth import TokenVerifier
from runtime.personal_data import PersonalDataKeys
from runtime.service import Runtime, service_app


@dataclass
class Container:
    """What intake's entrypoints need, built once per process."""

    settings: IntakeSettings
    runtime: Runtime
    keys: PersonalDataKeys
    verifier: TokenVerifier
    limits: Limits
    register: Register
    submission_key_pem: bytes
    submission_public_jwk: dict[str, Any]


def build(settings: IntakeSettings, **overrides: Any) -> Container:
    """Wire intake from its settings; ``overrides`` replace parts (e.g. ``runtime``) in tests."""
    pem = Path(settings.submission_key_path).read_bytes() if settings.submission_key_path else b""
    public_jwk: dict[str, Any] = {}
    if pem:
        private = serialization.load_pem_private_key(pem, password=None)
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        public_jwk = RSAKey.import_key(public_pem).as_dict(private=False)
        public_jwk |= {"use": "enc", "alg": "RSA-OAEP-256", "kid": "intake-submission"}
    parts: dict[str, Any] = {
        "settings": settings,
        "runtime": Runtime(settings),
        "keys": PersonalDataKeys.from_strings(
            settings.pseudonym_key, settings.sealing_keys, settings.sealing_active_key_id
        ),
        "verifier": TokenVerifier(
            settings.auth_issuer,
            settings.auth_audience,
            settings.auth_jwks_url,
            max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
        ),
        "limits": Limits(
            ClaimRules(
                max_principal_ore=settings.max_principal_ore,
                earliest_issue_date=settings.earliest_issue_date,
                max_due_years_after_issue=settings.max_due_years_after_issue,
                text=printable_text(),
            ),
            settings.max_batch,
        ),
        "register": register_from(settings.municipalities_file),
        "submission_key_pem": pem,
        "submission_public_jwk": public_jwk,
    }
    parts.update(overrides)
    return Container(**parts)


def create_app(settings: IntakeSettings) -> FastAPI:
    """The intake process: HTTP API, ``claims.submitted`` subscriber, outbox relay."""
    from intake.api import build_router, install_error_handler
    from intake.consumers import subscribe

    container = build(settings)
    subscribe(container)
    app = service_app(
        container.runtime,
        title="Kravflyt intake",
        description="The claim register: municipalities submit, adjust and read their claims.",
        routers=[build_router(container)],
    )
    install_error_handler(app)
    app.state.container = container
    return app
