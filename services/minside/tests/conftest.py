"""Fixtures for Min side's tests: a migrated database, an ID-porten-like provider, the app."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from minside.bootstrap import create_app
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys

# Test helpers live beside this file; importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

import minside_idporten
from minside_fakes import FakeNotification, FakePayments
from minside_testing import BASE_URL, MinsideUnderTest, minside_settings

MIGRATIONS = Path(__import__("minside").__file__).with_name("migrations")


@pytest.fixture(scope="session")
def idporten(iam_server: Any) -> Iterator[minside_idporten.IdPorten]:
    """The ID-porten-like provider every login test goes through."""
    provider = minside_idporten.start(iam_server)
    with minside_idporten.idporten_claims(provider.acr_by_user):
        yield provider


@pytest.fixture(scope="module")
def personal_keys() -> dict[str, str]:
    """Pseudonym and sealing keys (as settings strings) for one module."""
    pseudonym, sealing, active = PersonalDataKeys.generate().to_strings()
    return {"pseudonym_key": pseudonym, "sealing_keys": sealing, "sealing_active_key_id": active}


@pytest.fixture(scope="module")
async def minside_db(fresh_database: Callable[[str], str]) -> str:
    """A migrated, empty Min side database."""
    url = fresh_database("minside")
    await upgrade_async(MIGRATIONS, url)
    return url


@pytest.fixture(scope="module")
async def minside(
    minside_db: str,
    nats_url: str,
    personal_keys: dict[str, str],
    idporten: minside_idporten.IdPorten,
) -> AsyncIterator[MinsideUnderTest]:
    """Min side running in this process against real PostgreSQL, NATS and the OIDC provider."""
    settings = minside_settings(minside_db, nats_url, personal_keys, idporten.issuer)
    payments, notification = FakePayments(), FakeNotification()
    app = create_app(settings, payments=payments.client(), documents=notification.client())
    runtime = app.state.container.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield MinsideUnderTest(app, client, settings, idporten, payments, notification)
    await runtime.stop()
