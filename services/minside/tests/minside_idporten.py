"""A real OpenID Connect provider (pytest-iam's Canaille, served over HTTP on a free port)
configured the way ID-porten speaks: the person is the ``pid`` claim, the level of assurance
is ``acr``, PKCE is required, tokens are signed with RS512."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from canaille.oidc import provider as canaille_provider
from canaille.oidc import userinfo as canaille_userinfo

CLIENT_ID = "kravflyt-minside"
CLIENT_SECRET = "minside-test-secret-0123456789"
PASSWORD = "Correct-horse-battery-staple-1"
SUBSTANTIAL = "idporten-loa-substantial"


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
        client = self.server.backend.get(self.server.models.Client, client_id=CLIENT_ID)
        client.redirect_uris = sorted(
            {*client.redirect_uris, *(b + "/login/callback" for b in base_urls)}
        )
        client.post_logout_redirect_uris = sorted(
            {*client.post_logout_redirect_uris, *(b + "/logged-out" for b in base_urls)}
        )
        self.server.backend.save(client)


@contextlib.contextmanager
def idporten_claims(acr_by_user: dict[str, str]) -> Iterator[None]:
    """Canaille patched to issue ``pid`` with the openid scope and the login's ``acr``."""
    original_save = canaille_provider.save_authorization_code

    def save_with_acr(code: Any, request: Any) -> Any:
        saved = original_save(code, request)
        backend = canaille_provider.Backend.instance
        [item] = backend.query(canaille_provider.models.AuthorizationCode, code=saved)
        item.acr = acr_by_user.get(request.user.user_name)
        backend.save(item)
        return saved

    def query_code(_: Any, code: str, client: Any) -> Any:
        # Canaille 0.3.6's memory backend ORs query filters, so its own lookup by code AND
        # client can return another login's code; ID-porten matches the code exactly.
        backend = canaille_provider.Backend.instance
        found = backend.query(canaille_provider.models.AuthorizationCode, code=code)
        found = [i for i in found if i.code == code and i.client.client_id == client.client_id]
        return found[0] if found and not found[0].is_expired() else None

    info = canaille_userinfo.UserInfo
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(info, "REGISTERED_CLAIMS", [*info.REGISTERED_CLAIMS, "pid"])
        mapping = dict(info.SCOPES_CLAIMS_MAPPING)
        mapping["openid"] = ["sub", "pid"]
        mp.setattr(info, "SCOPES_CLAIMS_MAPPING", mapping)
        mp.setattr(canaille_provider, "save_authorization_code", save_with_acr)
        mp.setattr(canaille_provider.AuthorizationCodeGrant, "query_authorization_code", query_code)
        yield


def start(server: Any) -> IdPorten:
    """Register Min side as a confidential client with PKCE on the provider."""
    server.app.config["CANAILLE_OIDC"]["USERINFO_MAPPING"]["PID"] = "{{ user.employee_number }}"
    models = server.models
    if server.backend.get(models.Client, client_id=CLIENT_ID) is not None:
        return IdPorten(server)
    client = models.Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_name="Kravflyt Min side",
        client_uri="https://minside.test",
        redirect_uris=["https://minside.test/login/callback"],
        post_logout_redirect_uris=["https://minside.test/logged-out"],
        grant_types=["authorization_code"],
        response_types=["code"],
        token_endpoint_auth_method="client_secret_post",
        scope=["openid", "profile"],
        id_token_signed_response_alg="RS512",
    )
    server.backend.save(client)
    client.audience = [client]
    server.backend.save(client)
    return IdPorten(server)
