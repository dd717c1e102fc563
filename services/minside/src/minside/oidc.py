"""Login as ID-porten does it: authorization code flow with PKCE, state, nonce and an acr check.

Authlib builds the authorization request and exchanges the code; the ID token is verified here
(signature against the provider's JWKS, issuer, audience, expiry, nonce, acr), so every rule
a test names is one line below. The person is the ``pid`` claim.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc6749.errors import OAuth2Error
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

# ID-porten's levels; only these two are enough to see what a person owes.
ACCEPTED_ACR = ("idporten-loa-substantial", "idporten-loa-high")
ALGORITHMS = ["RS256", "RS384", "RS512"]
LEEWAY_SECONDS = 30


class LoginError(Exception):
    """The login cannot be completed; ``code`` says why (never the token itself)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class LoginStart:
    """What the callback needs to finish a login, and where to send the browser."""

    state: str
    nonce: str
    code_verifier: str
    url: str


@dataclass(frozen=True)
class Identity:
    """The person who logged in."""

    pid: str
    acr: str
    id_token: str


class OidcClient:
    """The relying party: one provider, one client registration."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        *,
        scopes: str = "openid profile",
        acr_values: str = "idporten-loa-substantial",
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        self.acr_values = acr_values
        self._http = http or httpx.AsyncClient(timeout=10.0)
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once)."""
        if self._metadata is None:
            url = self.issuer + "/.well-known/openid-configuration"
            try:
                response = await self._http.get(url)
                response.raise_for_status()
            except httpx.HTTPError:
                raise LoginError("login.provider_unavailable") from None
            self._metadata = response.json()
        return self._metadata

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scopes,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 (a method name)
            timeout=10.0,
        )

    async def start(self, ui_locale: str) -> LoginStart:
        """A fresh state, nonce and PKCE verifier, and the authorization URL using them."""
        meta = await self.metadata()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                meta["authorization_endpoint"],
                state=state,
                code_verifier=verifier,
                nonce=nonce,
                acr_values=self.acr_values,
                ui_locales=ui_locale,
            )
        return LoginStart(state, nonce, verifier, url)

    async def finish(self, code: str, *, nonce: str, code_verifier: str) -> Identity:
        """Exchange ``code`` (with the PKCE verifier) and verify the ID token it brings."""
        meta = await self.metadata()
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    meta["token_endpoint"], code=code, code_verifier=code_verifier
                )
        except (OAuthError, OAuth2Error, httpx.HTTPError):
            raise LoginError("login.code_refused") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise LoginError("login.no_id_token")
        claims = await self.verify_id_token(id_token, nonce=nonce)
        return Identity(pid=claims["pid"], acr=claims["acr"], id_token=id_token)

    async def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """The claims of a valid ID token for this client and login; LoginError otherwise."""
        decoded = await self._decode(id_token)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except ExpiredTokenError:
            raise LoginError("login.id_token_expired") from None
        except JoseError:
            raise LoginError("login.id_token_invalid") from None
        return _check_person(decoded.claims, nonce)

    async def _decode(self, id_token: str) -> jwt.Token:
        for refresh in (False, True):
            keys = await self._key_set(refresh=refresh)
            try:
                return jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            except JoseError:
                continue
            except ValueError:
                break
        raise LoginError("login.id_token_invalid")

    async def _key_set(self, *, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            meta = await self.metadata()
            try:
                response = await self._http.get(meta["jwks_uri"])
                response.raise_for_status()
            except httpx.HTTPError:
                raise LoginError("login.provider_unavailable") from None
            self._keys = KeySet.import_key_set(response.json())
        return self._keys

    async def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """The provider's end-session URL that also ends the login there (None: no support)."""
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "client_id": self.client_id,
                "state": secrets.token_urlsafe(16),
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()


def _check_person(claims: dict[str, Any], nonce: str) -> dict[str, Any]:
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise LoginError("login.nonce_mismatch")
    if claims.get("acr") not in ACCEPTED_ACR:
        raise LoginError("login.acr_too_low")
    pid = claims.get("pid")
    if not isinstance(pid, str) or not pid.isdigit() or len(pid) != 11:
        raise LoginError("login.pid_missing")
    return claims
