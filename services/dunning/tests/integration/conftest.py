"""Dunning over a real PostgreSQL: a fresh migrated database per test, a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from dunning.bootstrap import create_app
from dunning.config import DunningSettings
from dunning_harness import DunningUnderTest, FrozenClock
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys
from runtime.service import Runtime

MIGRATIONS = Path(__import__("dunning").__file__).with_name("migrations")


@pytest.fixture(scope="module")
def staff_issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    """The office's identity provider, standing in for the real one."""
    directory = tmp_path_factory.mktemp("office-idp")
    return LocalIssuer.load_or_create(
        directory, issuer="http://office-idp.test", audience="kravflyt-staff"
    )


@pytest.fixture(scope="module")
def migrated_template(fresh_database: Callable[[str], str]) -> Callable[[], object]:
    """A factory of fresh migrated dunning databases."""

    async def make() -> str:
        url = fresh_database("dunning")
        await upgrade_async(MIGRATIONS, url)
        return url

    return make


@pytest.fixture
async def dunning(migrated_template, staff_issuer: LocalIssuer) -> AsyncIterator[DunningUnderTest]:
    """Dunning in this process on its own database, bus not started, clock frozen."""
    url = await migrated_template()
    pseudonym, sealing, active = PersonalDataKeys.generate().to_strings()
    settings = DunningSettings(
        service="dunning",
        database_url=url,
        bus_url="nats://127.0.0.1:1",
        staff_auth_issuer=staff_issuer.issuer,
        staff_auth_audience=staff_issuer.audience,
        staff_auth_jwks_url=staff_issuer.jwks_url,
        relay_enabled=False,
        run_chunk_size=50,
        pseudonym_key=pseudonym,
        sealing_keys=sealing,
        sealing_active_key_id=active,
    )
    clock = FrozenClock()
    app = create_app(settings, runtime=Runtime(settings, clock=clock))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dunning") as client:
        yield DunningUnderTest(client, app.state.container, clock, staff_issuer)
    await app.state.container.runtime.engine.dispose()
