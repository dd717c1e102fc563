"""Fixtures: the fakes as real processes, keys, issuers, a migrated database, a running app."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import nats
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from contracts.dunning import NoticeRequestedV1
from fakes_fixture import Fakes
from notification.bootstrap import create_app
from notification.config import NotificationSettings
from notification_factories import envelope, sealed_request
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys

MIGRATIONS = Path(__import__("notification").__file__).with_name("migrations")
STAFF_ISSUER = "http://localhost/office-idp-local"
STAFF_AUDIENCE = "kravflyt-staff"
SENDER_ID = "100001"

__all__ = [
    "NotificationUnderTest",
    "notification",
    "notification_db",
    "personal_keys",
    "provider_keys",
]


def _rsa_pem(directory: Path, name: str) -> tuple[Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = directory / f"{name}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, public.decode()


@pytest.fixture(scope="module")
def provider_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Our Maskinporten and Digipost keys (private key files, public PEMs)."""
    directory = tmp_path_factory.mktemp("provider-keys")
    maskinporten, maskinporten_public = _rsa_pem(directory, "maskinporten")
    digipost, digipost_public = _rsa_pem(directory, "digipost")
    return {
        "maskinporten": maskinporten,
        "maskinporten_public": maskinporten_public,
        "digipost": digipost,
        "digipost_public": digipost_public,
        "dir": directory,
    }


@pytest.fixture(scope="module")
def personal_keys() -> PersonalDataKeys:
    return PersonalDataKeys.generate()


@pytest.fixture(scope="module")
async def notification_db(fresh_database: Callable[[str], str]) -> str:
    url = fresh_database("notification")
    await upgrade_async(MIGRATIONS, url)
    return url


@dataclass
class NotificationUnderTest:
    """A running notification with what a test needs to drive and inspect it."""

    client: httpx.AsyncClient
    app: Any
    settings: NotificationSettings
    issuer: LocalIssuer
    staff_issuer: LocalIssuer
    keys: PersonalDataKeys
    fakes: Fakes
    nats_url: str

    @property
    def container(self) -> Any:
        return self.app.state.container

    async def publish(
        self, payload: NoticeRequestedV1, event_id: UUID | None = None, *, sealed: bool = True
    ) -> UUID:
        """Publish a request on NATS as dunning's relay would (``notices.requested.v2``, name
        and address sealed; ``sealed=False``: a v1 left in the topic); returns the event id."""
        env = envelope(sealed_request(self.keys, payload) if sealed else payload, event_id)
        nc = await nats.connect(self.nats_url)
        try:
            headers = {"Nats-Msg-Id": f"{env.id}-{time.monotonic_ns()}"}
            await nc.jetstream().publish(
                f"kravflyt.{env.type}", env.model_dump_json().encode(), headers=headers
            )
        finally:
            await nc.close()
        return env.id

    async def notice(self, notice_id: UUID) -> Any:
        async with self.container.runtime.engine.connect() as conn:
            return (
                await conn.execute(sa.text("SELECT * FROM notice WHERE id = :i"), {"i": notice_id})
            ).first()

    async def wait_status(self, notice_id: UUID, *statuses: str, within: float = 20) -> Any:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            row = await self.notice(notice_id)
            if row is not None and row.status in statuses:
                return row
            await asyncio.sleep(0.05)
        raise AssertionError(f"notice {notice_id} never reached {statuses}: {row and row.status}")

    async def wait_postponed(self, notice_id: UUID, within: float = 20) -> Any:
        """The notice once a transient failure has put off its dispatch."""
        deadline = asyncio.get_running_loop().time() + within
        row = None
        while asyncio.get_running_loop().time() < deadline:
            row = await self.notice(notice_id)
            if row is not None and row.next_attempt_at is not None:
                return row
            await asyncio.sleep(0.05)
        raise AssertionError(f"notice {notice_id} was never postponed")

    async def events(self, event_type: str, notice_id: UUID) -> list[dict[str, Any]]:
        """Outbox rows of one type about one notice, as envelopes."""
        async with self.container.runtime.engine.connect() as conn:
            rows = await conn.execute(
                sa.text("SELECT body FROM outbox WHERE event_type = :t ORDER BY id"),
                {"t": event_type},
            )
            bodies = [json.loads(r.body) for r in rows]
        return [b for b in bodies if b["payload"]["notice_id"] == str(notice_id)]

    async def deliveries(self, notice_id: UUID) -> list[Any]:
        async with self.container.runtime.engine.connect() as conn:
            query = sa.text("SELECT * FROM delivery WHERE notice_id = :i ORDER BY id")
            return list((await conn.execute(query, {"i": notice_id})).all())

    def staff(
        self,
        roles: tuple[str, ...] = ("caseworker",),
        municipalities: tuple[str, ...] = ("3301",),
        subject: str = "kari.saksbehandler",
    ) -> dict[str, str]:
        token = self.staff_issuer.issue_staff_token(
            subject=subject, name="Kari Saksbehandler", roles=roles, municipalities=municipalities
        )
        return {"Authorization": f"Bearer {token}"}

    def minside(
        self,
        debtor_ref: str,
        scopes: tuple[str, ...] = ("kravflyt:documents.citizen",),
        client_id: str = "minside",
    ) -> dict[str, str]:
        token = self.issuer.issue_token(orgnr="921234554", scopes=scopes, client_id=client_id)
        return {"Authorization": f"Bearer {token}", "Kravflyt-Debtor-Ref": debtor_ref}


def notification_settings(
    database_url: str,
    nats_url: str,
    fakes: Fakes,
    keys: PersonalDataKeys,
    provider_keys: dict[str, Any],
    issuer: LocalIssuer,
    staff: LocalIssuer,
    **extra: Any,
) -> NotificationSettings:
    pseudonym, sealing, active = keys.to_strings()
    values: dict[str, Any] = {
        "service": "notification",
        "database_url": database_url,
        "bus_url": nats_url,
        "pseudonym_key": pseudonym,
        "sealing_keys": sealing,
        "sealing_active_key_id": active,
        "auth_issuer": issuer.issuer,
        "auth_audience": issuer.audience,
        "auth_jwks_url": issuer.jwks_url,
        "staff_auth_issuer": staff.issuer,
        "staff_auth_audience": staff.audience,
        "staff_auth_jwks_url": staff.jwks_url,
        "relay_poll_seconds": 0.05,
        "consumer_retry_base_seconds": 0.01,
        "maskinporten_token_url": fakes.url("krr") + "/token",
        "maskinporten_audience": fakes.url("krr") + "/",
        "maskinporten_key_path": str(provider_keys["maskinporten"]),
        "krr_url": fakes.url("krr"),
        "digipost_url": fakes.url("digipost"),
        "digipost_sender_id": SENDER_ID,
        "digipost_key_path": str(provider_keys["digipost"]),
        "svarut_url": fakes.url("svarut"),
        "altinn_url": fakes.url("altinn"),
        "provider_timeout_seconds": 1.0,
        "delivery_attempts": 3,
        "delivery_backoff_seconds": 0.01,
        "redispatch_seconds": 0.2,
        "sweep_interval_seconds": 3600,
        "sweep_grace_seconds": 0,
    }
    values.update(extra)
    return NotificationSettings(**values)


async def register_keys(
    fakes: Fakes, provider_keys: dict[str, Any], client_id: str = "kravflyt-notification"
) -> None:
    """Register our public keys with the fakes, as an office does with Digdir and Digipost."""
    await fakes.admin(
        "digipost",
        "PUT",
        f"/senders/{SENDER_ID}",
        json={"public_key_pem": provider_keys["digipost_public"]},
    )
    await fakes.admin(
        "krr",
        "PUT",
        f"/clients/{client_id}",
        json={"public_key_pem": provider_keys["maskinporten_public"]},
    )


async def start_notification(
    settings: NotificationSettings, **parts: Any
) -> tuple[Any, httpx.AsyncClient]:
    app = create_app(settings)
    await app.state.container.start()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://notification"
    )
    return app, client


async def stop_notification(app: Any, client: httpx.AsyncClient) -> None:
    await client.aclose()
    await app.state.container.stop()


@pytest.fixture(scope="module")
async def notification(
    notification_db: str,
    nats_url: str,
    fakes: Fakes,
    personal_keys: PersonalDataKeys,
    provider_keys: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[NotificationUnderTest]:
    """Notification running in this process against PostgreSQL, NATS and the fakes."""
    issuer = LocalIssuer.load_or_create(tmp_path_factory.mktemp("issuer"))
    staff = LocalIssuer.load_or_create(
        tmp_path_factory.mktemp("staff-issuer"), STAFF_ISSUER, STAFF_AUDIENCE
    )
    await register_keys(fakes, provider_keys)
    settings = notification_settings(
        notification_db, nats_url, fakes, personal_keys, provider_keys, issuer, staff
    )
    app, client = await start_notification(settings)
    yield NotificationUnderTest(
        client, app, settings, issuer, staff, personal_keys, fakes, nats_url
    )
    await stop_notification(app, client)
