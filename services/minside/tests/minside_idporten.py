"""A real OpenID Connect provider (pytest-iam's Canaille, served over HTTP on a free port)
configured the way ID-porten speaks: the person is the ``pid`` claim, the level of assurance
is ``acr``, PKCE is required, tokens are signed with RS512. The ID-porten behaviour is the
local fake's (``fakes.oidc``), so tests and ``make run`` log in the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakes.oidc import CLIENT_ID, SUBSTANTIAL, idporten_claims, register_client, use_pid_claim

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "PASSWORD", "SUBSTANTIAL", "IdPorten", "idporten_claims"]

CLIENT_SECRET = "minside-test-secret-0123456789"
PASSWORD = "Correct-horse-battery-staple-1"


@dataclass
class IdPorten:
    """The provider, its client registration, and the people who can log in."""

    server: Any
    acr_by_user: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.server.url.rstrip("/")

    def person(self, pid: str, acr: str = SUBSTANTIAL) -> Any:
        """A citizen who logs in with ``pid`` at assurance level ``acr``."""
        user = self.server.random_user(
            user_name=f"p{pid}", employee_number=pid, password=PASSWORD, preferred_language="nb"
        )
        self.acr_by_user[user.user_name] = acr
        return user

    def register_redirects(self, *base_urls: str) -> None:
        """Allow these Min side base URLs as redirect and post-logout targets."""
        register_client(CLIENT_SECRET, base_urls)


def start(server: Any) -> IdPorten:
    """Register Min side as a confidential client with PKCE on the provider."""
    use_pid_claim(server.app)
    register_client(CLIENT_SECRET, ["https://minside.test"])
    return IdPorten(server)
