"""Fixtures for intake's tests: a migrated database, keys, tokens and a running app."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from intake.bootstrap import create_app
from intake.config import IntakeSettings
from intake.office import DEMO_OFFICE, load_office
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys

# Test helpers live beside this file; importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

DRAMMEN = "921234554"
KONGSBERG = "942402465"
NOT_SERVED = "964338531"
MIGRATIONS = Path(__import__("intake").__file__).with_name("migrations")


@dataclass
class IntakeUnderTest:
    """A running intake app with everything a test needs to talk to it."""

    client: httpx.AsyncClient
    app: Any
    settings: IntakeSettings
    issuer: LocalIssuer

    def token(
        self,
        orgnr: str = DRAMMEN,
        scopes: tuple[str, ...] = ("kravflyt:claims.write", "kravflyt:claims.read"),
    ) -> dict[str, str]:
        """Authorization header for a municipality."""
        return {"Authorization": "Bearer " + self.issuer.issue_token(orgnr=orgnr, scopes=scopes)}


@pytest.fixture(scope="module")
def local_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment-style key settings for one module."""
    directory = tmp_path_factory.mktemp("keys")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem_path = directory / "submission.pem"
    pem_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pseudonym, sealing, active = PersonalDataKeys.generate().to_strings()
    return {
        "pseudonym_key": pseudonym,
        "sealing_keys": sealing,
        "sealing_active_key_id": active,
        "submission_key_path": str(pem_path),
        "issuer_dir": str(directory / "issuer"),
    }


@pytest.fixture(scope="module")
async def intake_db(fresh_database: Callable[[str], str]) -> str:
    """A migrated intake database holding the demo office."""
    url = fresh_database("intake")
    await upgrade_async(MIGRATIONS, url)
    await load_office(url, DEMO_OFFICE)
    return url


def intake_settings(
    database_url: str, bus_url: str, keys: dict[str, str], issuer: LocalIssuer, **extra: Any
) -> IntakeSettings:
    """Settings for an intake under test."""
    return IntakeSettings(
        service="intake",
        database_url=database_url,
        bus_url=bus_url,
        pseudonym_key=keys["pseudonym_key"],
        sealing_keys=keys["sealing_keys"],
        sealing_active_key_id=keys["sealing_active_key_id"],
        submission_key_path=keys["submission_key_path"],
        auth_issuer=issuer.issuer,
        auth_audience=issuer.audience,
        auth_jwks_url=issuer.jwks_url,
        relay_poll_seconds=0.05,
        consumer_retry_base_seconds=0.01,
        **extra,
    )


@pytest.fixture(scope="module")
async def intake(
    intake_db: str, nats_url: str, local_keys: dict[str, str]
) -> AsyncIterator[IntakeUnderTest]:
    """Intake running in this process against the real database and NATS."""
    issuer = LocalIssuer.load_or_create(Path(local_keys["issuer_dir"]))
    settings = intake_settings(intake_db, nats_url, local_keys, issuer)
    app = create_app(settings)
    runtime = app.state.container.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield IntakeUnderTest(client, app, settings, issuer)
    await runtime.stop()
