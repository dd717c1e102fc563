"""Verify Maskinporten-style JWT bearer tokens; FastAPI dependencies for principal and scope.

Keys come from a JWKS URL: `http(s)://` is fetched with PyJWKClient (cached, refetched on an
unknown kid after a cooldown), `file://` is read from disk and re-read on an unknown kid.
`TokenVerifier.verify` is synchronous and may do blocking HTTP when keys are (re)fetched; the
FastAPI dependencies below are plain `def`s, so FastAPI runs them in its thread pool.
"""

# No `from __future__ import annotations`: FastAPI must resolve the closures' annotations.
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt import PyJWK, PyJWKClient, PyJWKSet
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError

__all__ = [
    "ALGORITHMS",
    "AuthError",
    "BearerToken",
    "ForbiddenError",
    "JwksUnavailableError",
    "Principal",
    "StaffPrincipal",
    "TokenVerifier",
    "bearer_principal",
    "bearer_token",
    "require_client",
    "require_scope",
    "requires_client",
    "requires_role",
    "requires_scope",
    "staff_principal",
]

ALGORITHMS = ("RS256", "RS384", "RS512", "ES256")
ORG_AUTHORITY = "iso6523-actorid-upis"
ORGNR_PREFIX = "0192:"

TOKEN_MISSING = "auth.token_missing"  # noqa: S105 (an error code)
TOKEN_INVALID = "auth.token_invalid"  # noqa: S105 (an error code)
TOKEN_EXPIRED = "auth.token_expired"  # noqa: S105 (an error code)
TOKEN_LIFETIME_TOO_LONG = "auth.token_lifetime_too_long"  # noqa: S105 (an error code)
WRONG_AUDIENCE = "auth.wrong_audience"
WRONG_ISSUER = "auth.wrong_issuer"
SCOPE_MISSING = "auth.scope_missing"
ROLE_MISSING = "auth.role_missing"
CLIENT_NOT_ALLOWED = "auth.client_not_allowed"
JWKS_UNAVAILABLE = "auth.jwks_unavailable"

# A stolen token is useful only as long as it lives; clocks need seconds, not minutes, of slack.
DEFAULT_MAX_LIFETIME_SECONDS = 3600
MAX_LEEWAY_SECONDS = 30

_ORGNR = re.compile(r"[0-9]{9}")
_KOMMUNENUMMER = re.compile(r"[0-9]{4}")


class AuthError(Exception):
    """The caller is not authenticated (HTTP 401)."""

    status: ClassVar[int] = 401

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        # RFC 6750 §3.1: no error code when the request carried no token at all.
        challenge = "Bearer" if code == TOKEN_MISSING else 'Bearer error="invalid_token"'
        self.headers: dict[str, str] = {"WWW-Authenticate": challenge}


class ForbiddenError(Exception):
    """The caller is authenticated but lacks a scope (HTTP 403)."""

    status: ClassVar[int] = 403

    def __init__(self, code: str, message: str, *, scope: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        challenge = 'Bearer error="insufficient_scope"'
        if scope is not None:
            challenge += f', scope="{scope}"'
        self.headers: dict[str, str] = {"WWW-Authenticate": challenge}


class JwksUnavailableError(Exception):
    """Signing keys could not be loaded: our problem, not the caller's (HTTP 503)."""

    status: ClassVar[int] = 503

    def __init__(self, message: str) -> None:
        super().__init__(f"{JWKS_UNAVAILABLE}: {message}")
        self.code = JWKS_UNAVAILABLE
        self.message = message
        self.headers: dict[str, str] = {}


@dataclass(frozen=True)
class Principal:
    """An authenticated municipal integration: client, organisation number, granted scopes."""

    client_id: str
    orgnr: str
    scopes: frozenset[str]


class _KeySource(Protocol):
    def get_signing_key(self, kid: str) -> PyJWK: ...


class _FileKeySource:
    """JWKS from a local file, re-read whenever an unknown kid shows up."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._keys: dict[str, PyJWK] = {}

    def get_signing_key(self, kid: str) -> PyJWK:
        key = self._keys.get(kid)
        if key is None:
            self._keys = self._load()
            key = self._keys.get(kid)
        if key is None:
            raise PyJWKClientError(f"no signing key with kid {kid!r}")
        return key

    def _load(self) -> dict[str, PyJWK]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PyJWKClientConnectionError(f"cannot read JWKS file {self._path}") from error
        if not isinstance(data, dict):
            raise PyJWKSetError(f"JWKS file {self._path} is not a JSON object")
        keys = PyJWKSet.from_dict(data).keys
        return {k.key_id: k for k in keys if k.key_id and k.public_key_use in ("sig", None)}


def _key_source(jwks_url: str) -> _KeySource:
    parts = urlsplit(jwks_url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file JWKS URL must be local: {jwks_url}")
        return _FileKeySource(Path(url2pathname(parts.path)))
    if parts.scheme in ("http", "https"):
        return PyJWKClient(jwks_url, lifespan=300, timeout=10)
    raise ValueError(f"unsupported JWKS URL scheme: {jwks_url}")


class TokenVerifier:
    """Checks signature, issuer, audience and lifetime, then reads the Maskinporten claims.

    A token must carry ``iat`` and ``exp`` at most ``max_lifetime_seconds`` apart;
    ``leeway_seconds`` (at most 30) absorbs clock skew.
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str,
        leeway_seconds: int = MAX_LEEWAY_SECONDS,
        max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS,
    ) -> None:
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway_seconds must be 0..{MAX_LEEWAY_SECONDS}")
        if max_lifetime_seconds <= 0:
            raise ValueError("max_lifetime_seconds must be positive")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.leeway_seconds = leeway_seconds
        self.max_lifetime_seconds = max_lifetime_seconds
        self._keys = _key_source(jwks_url)
        self._dependency: Callable[..., Principal] | None = None

    def verify(self, token: str) -> Principal:
        """Return the token's principal or raise AuthError (JwksUnavailableError if no keys)."""
        return _principal(self.verify_claims(token))

    def verify_claims(self, token: str) -> dict[str, Any]:
        """The token's claims after checking signature, issuer, audience and lifetime."""
        if not token:
            raise AuthError(TOKEN_MISSING, "No bearer token was given.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise AuthError(TOKEN_INVALID, "The token is not a well-formed JWT.") from None
        if header.get("alg") not in ALGORITHMS:
            raise AuthError(TOKEN_INVALID, "The token's signing algorithm is not accepted.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError(TOKEN_INVALID, "The token header has no key id.")
        key = self._signing_key(kid)
        try:
            # With a PyJWK, PyJWT also insists that the header alg equals the key's alg.
            claims = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError(TOKEN_EXPIRED, "The token has expired.") from None
        except jwt.InvalidAudienceError:
            raise AuthError(WRONG_AUDIENCE, "The token is not meant for this service.") from None
        except jwt.InvalidIssuerError:
            raise AuthError(WRONG_ISSUER, "The token comes from an unknown issuer.") from None
        except jwt.InvalidTokenError as error:
            raise AuthError(TOKEN_INVALID, f"The token is not valid: {error}") from None
        self._check_lifetime(claims)
        return claims

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        # PyJWT has refused an iat in the future, so this also bounds how long from now.
        if claims["exp"] - claims["iat"] > self.max_lifetime_seconds:
            raise AuthError(
                TOKEN_LIFETIME_TOO_LONG,
                f"The token lives longer than {self.max_lifetime_seconds} seconds.",
            )

    def _signing_key(self, kid: str) -> PyJWK:
        try:
            return self._keys.get_signing_key(kid)
        except PyJWKClientConnectionError as error:
            raise JwksUnavailableError(f"Signing keys could not be fetched: {error}") from error
        except PyJWKSetError as error:
            raise JwksUnavailableError(f"Signing keys are unusable: {error}") from error
        except PyJWKClientError:
            raise AuthError(TOKEN_INVALID, "The token was signed with an unknown key.") from None


def _principal(claims: dict[str, Any]) -> Principal:
    client_id = claims.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise AuthError(TOKEN_INVALID, "The token has no client_id claim.")
    consumer = claims.get("consumer")
    if not isinstance(consumer, dict) or consumer.get("authority") != ORG_AUTHORITY:
        raise AuthError(TOKEN_INVALID, "The token has no consumer organisation.")
    org_id = consumer.get("ID")
    orgnr = ""
    if isinstance(org_id, str) and org_id.startswith(ORGNR_PREFIX):
        orgnr = org_id[len(ORGNR_PREFIX) :]
    if not _ORGNR.fullmatch(orgnr):
        raise AuthError(TOKEN_INVALID, "The token's consumer is not a Norwegian organisation.")
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise AuthError(TOKEN_INVALID, "The token's scope claim is not a string.")
    return Principal(client_id=client_id, orgnr=orgnr, scopes=frozenset(scope.split()))


@dataclass(frozen=True)
class StaffPrincipal:
    """A caseworker from the office's identity provider: roles and the municipalities served."""

    subject: str
    name: str
    roles: frozenset[str]
    municipalities: frozenset[str]

    def serves(self, kommunenummer: str) -> bool:
        """Whether this caseworker may see and act on the municipality's cases."""
        return kommunenummer in self.municipalities


def staff_principal(claims: dict[str, Any]) -> StaffPrincipal:
    """Read a staff token's `sub`, `name`, `roles` and `municipalities` claims."""
    subject = claims.get("sub")
    roles = claims.get("roles", [])
    municipalities = claims.get("municipalities", [])
    if not isinstance(subject, str) or not subject:
        raise AuthError(TOKEN_INVALID, "The staff token has no subject.")
    if not isinstance(roles, list) or not isinstance(municipalities, list):
        raise AuthError(TOKEN_INVALID, "The staff token's roles or municipalities are not lists.")
    if not all(isinstance(m, str) and _KOMMUNENUMMER.fullmatch(m) for m in municipalities):
        raise AuthError(TOKEN_INVALID, "The staff token names an invalid municipality.")
    return StaffPrincipal(
        subject=subject,
        name=str(claims.get("name", subject)),
        roles=frozenset(str(r) for r in roles),
        municipalities=frozenset(municipalities),
    )


def requires_role(verifier: TokenVerifier, role: str) -> Callable[..., StaffPrincipal]:
    """FastAPI dependency yielding the caseworker after checking the role."""

    def staff(token: BearerToken) -> StaffPrincipal:
        principal = staff_principal(verifier.verify_claims(token))
        if role not in principal.roles:
            raise ForbiddenError(ROLE_MISSING, f"The caseworker lacks the role {role!r}.")
        return principal

    return staff


def require_scope(principal: Principal, scope: str) -> None:
    """Raise ForbiddenError unless the principal was granted `scope`."""
    if scope not in principal.scopes:
        raise ForbiddenError(SCOPE_MISSING, f"The token lacks the scope {scope!r}.", scope=scope)


def require_client(principal: Principal, scope: str, clients: Collection[str]) -> None:
    """Service identity: the calling service is one of ``clients`` and was granted ``scope``.

    The token's issuer and audience were checked by the verifier; an internal callee names the
    client ids it answers (Min side, say) so a municipality's token with the same scope cannot
    act for a citizen.
    """
    require_scope(principal, scope)
    if principal.client_id not in clients:
        raise ForbiddenError(
            CLIENT_NOT_ALLOWED, "This client may not call this service.", scope=scope
        )


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer …` header value, or AuthError token_missing."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthError(TOKEN_MISSING, "Send the access token as 'Authorization: Bearer <token>'.")
    return token


# Declares the bearer scheme in each service's OpenAPI, so its docs page can try calls with a
# token; the header itself is read (and refused with our own codes) by `bearer_token`.
_BEARER_SCHEME = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An access token: Maskinporten for municipalities, the office's IdP for staff.",
)


def _request_token(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER_SCHEME)],
) -> str:
    return bearer_token(request.headers.get("authorization"))


BearerToken = Annotated[str, Depends(_request_token)]
"""FastAPI dependency: the request's bearer token (AuthError token_missing without one)."""


def bearer_principal(verifier: TokenVerifier) -> Callable[..., Principal]:
    """FastAPI dependency yielding the request's verified Principal (one per verifier)."""
    if verifier._dependency is None:

        def principal(token: BearerToken) -> Principal:
            return verifier.verify(token)

        # Reusing one callable lets FastAPI verify the token once per request.
        verifier._dependency = principal
    return verifier._dependency


def requires_scope(verifier: TokenVerifier, scope: str) -> Callable[..., Principal]:
    """FastAPI dependency yielding the Principal after checking it has `scope`."""
    principal_dependency = bearer_principal(verifier)

    def scoped(principal: Annotated[Principal, Depends(principal_dependency)]) -> Principal:
        require_scope(principal, scope)
        return principal

    return scoped


def requires_client(
    verifier: TokenVerifier, scope: str, clients: Collection[str]
) -> Callable[..., Principal]:
    """FastAPI dependency yielding the calling service after :func:`require_client`."""
    principal_dependency = bearer_principal(verifier)
    allowed = frozenset(clients)

    def client(principal: Annotated[Principal, Depends(principal_dependency)]) -> Principal:
        require_client(principal, scope, allowed)
        return principal

    return client
