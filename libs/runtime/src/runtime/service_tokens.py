"""A service calling another as itself: Maskinporten-style access tokens for its scopes.

Production: the JWT grant (RFC 7523) against Maskinporten's token endpoint, signed with the
service's own key (the issuer the callee's ``TokenVerifier`` trusts). ``make run``: the same
shape of token from the local issuer's key on disk (:mod:`runtime.local_issuer`). Either way
the callee checks issuer, audience, scope and client id (:func:`runtime.auth.require_client`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import httpx
import jwt

from runtime.local_issuer import LocalIssuer

__all__ = [
    "GRANT_TYPE",
    "JwtGrantTokens",
    "TokenSource",
    "TokenUnavailable",
    "jwt_grant",
    "local_tokens",
]

# scopes → a bearer token for the service as a client.
TokenSource = Callable[[Sequence[str]], Awaitable[str]]
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_EARLY_SECONDS = 30
_LOCAL_LIFETIME = 300


class TokenUnavailable(Exception):
    """The token endpoint refused or did not answer; the call that needed it cannot be made."""


def local_tokens(directory: Path, *, client_id: str, orgnr: str) -> TokenSource:
    """Tokens from the local Maskinporten stand-in of ``make run`` (its key in ``directory``),
    each kept until shortly before it expires, as a token from Maskinporten is."""
    issuer = LocalIssuer.load_or_create(directory)
    cache: dict[str, tuple[str, float]] = {}

    async def issue(scopes: Sequence[str]) -> str:
        scope = " ".join(sorted(scopes))
        cached = cache.get(scope)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        token = issuer.issue_token(
            orgnr=orgnr,
            scopes=sorted(scopes),
            client_id=client_id,
            lifetime_seconds=_LOCAL_LIFETIME,
        )
        cache[scope] = (token, time.monotonic() + _LOCAL_LIFETIME - _EARLY_SECONDS)
        return token

    return issue


class JwtGrantTokens:
    """Signs a grant with the service's key and trades it for an access token (cached).

    ``resource`` asks for a token whose ``aud`` is the audience our services verify.
    """

    def __init__(
        self,
        *,
        token_url: str,
        audience: str,
        client_id: str,
        private_key_pem: bytes,
        key_id: str = "",
        resource: str = "",
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._token_url = token_url
        self._audience = audience
        self._client_id = client_id
        self._key = private_key_pem
        self._key_id = key_id
        self._resource = resource
        self._http = http or httpx.AsyncClient(timeout=10.0)
        self._cache: dict[str, tuple[str, float]] = {}

    async def __call__(self, scopes: Sequence[str]) -> str:
        scope = " ".join(sorted(scopes))
        cached = self._cache.get(scope)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            response = await self._http.post(
                self._token_url, data={"grant_type": GRANT_TYPE, "assertion": self._grant(scope)}
            )
        except httpx.HTTPError as error:
            raise TokenUnavailable(f"token endpoint unreachable: {type(error).__name__}") from error
        if response.status_code != 200:
            raise TokenUnavailable(f"token endpoint answered {response.status_code}")
        body = response.json()
        token = str(body["access_token"])
        self._cache[scope] = (
            token,
            time.monotonic() + int(body.get("expires_in", 120)) - _EARLY_SECONDS,
        )
        return token

    def _grant(self, scope: str) -> str:
        return jwt_grant(
            audience=self._audience,
            client_id=self._client_id,
            private_key_pem=self._key,
            key_id=self._key_id,
            scope=scope,
            resource=self._resource,
        )


def jwt_grant(
    *,
    audience: str,
    client_id: str,
    private_key_pem: bytes,
    scope: str,
    key_id: str = "",
    resource: str = "",
) -> str:
    """The signed JWT grant (RFC 7523) a Maskinporten-style token endpoint trades for a token."""
    now = int(time.time())
    claims = {
        "aud": audience,
        "iss": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + 120,
        "jti": str(uuid.uuid4()),
    }
    if resource:
        # Maskinporten's audience-restricted tokens: ``aud`` of the token is the callee's.
        claims["resource"] = resource
    headers = {"kid": key_id} if key_id else None
    return jwt.encode(claims, private_key_pem, algorithm="RS256", headers=headers)
