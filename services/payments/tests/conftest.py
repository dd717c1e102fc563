"""Fixtures for payments' tests: a migrated database, a caseworker's token, a running app."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from payments.bootstrap import create_app
from payments.config import PaymentsSettings
from payments.consumers import HANDLERS
from payments.handlers.common import Office
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async

# Test helpers live beside this file (and the file builders beside the parsers' tests);
# importlib mode does not put them on sys.path.
HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE / "unit" / "files")]

MIGRATIONS = Path(__import__("payments").__file__).with_name("migrations")
STAFF_ISSUER = "http://localhost/office-idp-local"
STAFF_AUDIENCE = "kravflyt-staff"
ALL_MUNICIPALITIES = ("3301", "3303", "3312")


@dataclass
class PaymentsUnderTest:
    """A running payments app with what a test needs to drive it."""

    client: httpx.AsyncClient
    app: Any
    settings: PaymentsSettings
    staff: LocalIssuer

    @property
    def runtime(self) -> Any:
        return self.app.state.container.runtime

    @property
    def office(self) -> Office:
        office: Office = self.app.state.container.office
        return office

    def token(
        self,
        municipalities: tuple[str, ...] = ALL_MUNICIPALITIES,
        roles: tuple[str, ...] = ("payments",),
        subject: str = "kari.saksbehandler",
    ) -> dict[str, str]:
        """Authorization header of a caseworker."""
        token = self.staff.issue_staff_token(
            subject=subject, name="Kari Saksbehandler", roles=roles, municipalities=municipalities
        )
        return {"Authorization": f"Bearer {token}"}

    async def apply(self, envelope: Any) -> bool:
        """Deliver one event to its handler as the subscriber does (own transaction)."""
        async with self.runtime.uow() as uow:
            applied = await HANDLERS[envelope.type](uow, envelope, office=self.office)
            await uow.commit()
        return bool(applied)

    async def scalar(self, sql: str, **params: Any) -> Any:
        """One value from payments' database."""
        import sqlalchemy as sa

        async with self.runtime.engine.connect() as conn:
            return (await conn.execute(sa.text(sql), params)).scalar_one()

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        """Rows from payments' database."""
        import sqlalchemy as sa

        async with self.runtime.engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())


@pytest.fixture(scope="module")
async def payments_db(fresh_database: Callable[[str], str]) -> str:
    """A migrated, empty payments database."""
    url = fresh_database("payments")
    await upgrade_async(MIGRATIONS, url)
    return url


@pytest.fixture(scope="module")
def staff_issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    """The office's identity provider stand-in (caseworkers' tokens)."""
    directory = tmp_path_factory.mktemp("office-idp")
    return LocalIssuer.load_or_create(directory, issuer=STAFF_ISSUER, audience=STAFF_AUDIENCE)


@pytest.fixture(scope="module")
def office_override() -> dict[str, Any]:
    """Parts of the container a test module replaces (none by default)."""
    return {}


@pytest.fixture(scope="module")
async def payments(
    payments_db: str, nats_url: str, staff_issuer: LocalIssuer, office_override: dict[str, Any]
) -> AsyncIterator[PaymentsUnderTest]:
    """Payments running in this process against the real database and NATS."""
    from payments_factories import payments_settings

    settings = payments_settings(payments_db, nats_url, staff_issuer)
    app = create_app(settings, **office_override)
    runtime = app.state.container.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://payments") as client:
        yield PaymentsUnderTest(client, app, settings, staff_issuer)
    await runtime.stop()
