"""Local stand-in for Maskinporten: an RSA key on disk, its JWKS, and real signed tokens.

Tokens it issues go through the same `TokenVerifier` as production tokens; it is not a bypass.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from runtime.auth import ORG_AUTHORITY, ORGNR_PREFIX, TokenVerifier

__all__ = ["DEFAULT_AUDIENCE", "DEFAULT_ISSUER", "LocalIssuer"]

DEFAULT_ISSUER = "http://localhost/maskinporten-local"
DEFAULT_AUDIENCE = "kravflyt"
KEY_FILE = "signing-key.pem"
JWKS_FILE = "jwks.json"

_ORGNR = re.compile(r"[0-9]{9}")


def _new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_jwk(private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    key = RSAKey.import_key(private_key.public_key())
    jwk: dict[str, Any] = dict(key.as_dict(private=False))
    jwk.update(kid=key.thumbprint(), use="sig", alg="RS256")
    return jwk


def _write_file(path: Path, data: bytes, mode: int, *, replace: bool) -> bool:
    """Write via a temp file so readers never see half a file; False if `path` won the race."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        if replace:
            os.replace(tmp, path)
            return True
        try:
            # link() refuses to overwrite, so concurrent `make run` services agree on one key.
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class LocalIssuer:
    """Issues RS256 access tokens shaped like Maskinporten's, for local runs and tests."""

    def __init__(
        self, directory: Path, private_key: rsa.RSAPrivateKey, issuer: str, audience: str
    ) -> None:
        self._directory = directory
        self._private_key = private_key
        self._jwk = _public_jwk(private_key)
        self._issuer = issuer
        self._audience = audience

    @classmethod
    def load_or_create(
        cls,
        directory: Path,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
    ) -> LocalIssuer:
        """Load the key in `directory`, creating key (0600) and `jwks.json` on first use."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_path = directory / KEY_FILE
        if not key_path.exists():
            _write_file(key_path, _pem(_new_private_key()), 0o600, replace=False)
        private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError(f"{key_path} does not hold an RSA private key")
        local = cls(directory, private_key, issuer, audience)
        if local.kid not in local._published_kids():
            local._publish([local._jwk])
        return local

    @property
    def directory(self) -> Path:
        return self._directory

    @property
    def issuer(self) -> str:
        return self._issuer

    @property
    def audience(self) -> str:
        return self._audience

    @property
    def kid(self) -> str:
        return str(self._jwk["kid"])

    @property
    def public_jwk(self) -> dict[str, Any]:
        return dict(self._jwk)

    @property
    def jwks_path(self) -> Path:
        return self._directory / JWKS_FILE

    @property
    def jwks_url(self) -> str:
        return self.jwks_path.resolve().as_uri()

    def verifier(self, leeway_seconds: int = 30) -> TokenVerifier:
        """A TokenVerifier trusting this issuer, as a service would configure it."""
        return TokenVerifier(self._issuer, self._audience, self.jwks_url, leeway_seconds)

    def issue_token(
        self,
        *,
        orgnr: str,
        scopes: Sequence[str],
        client_id: str | None = None,
        lifetime_seconds: int = 3600,
        now: datetime | None = None,
    ) -> str:
        """A signed access token for organisation `orgnr` with the given scopes."""
        if not _ORGNR.fullmatch(orgnr):
            raise ValueError("orgnr must be 9 digits")
        if isinstance(scopes, str):
            raise TypeError("scopes must be a sequence of scope names, not one string")
        if any(not scope or any(c.isspace() for c in scope) for scope in scopes):
            raise ValueError("scope names must be non-empty and contain no whitespace")
        if lifetime_seconds <= 0:
            raise ValueError("lifetime_seconds must be positive")
        issued = now if now is not None else datetime.now(UTC)
        if issued.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        iat = int(issued.timestamp())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "client_id": client_id or f"local-{orgnr}",
            "client_amr": "private_key_jwt",
            "token_type": "Bearer",
            "consumer": {"authority": ORG_AUTHORITY, "ID": f"{ORGNR_PREFIX}{orgnr}"},
            "scope": " ".join(scopes),
            "iat": iat,
            "exp": iat + lifetime_seconds,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid})

    def issue_staff_token(
        self,
        *,
        subject: str,
        name: str,
        roles: Sequence[str],
        municipalities: Sequence[str],
        lifetime_seconds: int = 3600,
        now: datetime | None = None,
    ) -> str:
        """A caseworker's access token as the office's identity provider would issue it."""
        issued = now if now is not None else datetime.now(UTC)
        iat = int(issued.timestamp())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "name": name,
            "roles": list(roles),
            "municipalities": list(municipalities),
            "iat": iat,
            "exp": iat + lifetime_seconds,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid})

    def rotate_key(self) -> None:
        """Switch to a new key; the JWKS keeps the previous public key for tokens in flight."""
        previous = self._jwk
        self._private_key = _new_private_key()
        self._jwk = _public_jwk(self._private_key)
        _write_file(self._directory / KEY_FILE, _pem(self._private_key), 0o600, replace=True)
        self._publish([self._jwk, previous])

    def _published_kids(self) -> set[str]:
        try:
            data = json.loads(self.jwks_path.read_text(encoding="utf-8"))
            return {str(key.get("kid")) for key in data["keys"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return set()

    def _publish(self, keys: list[dict[str, Any]]) -> None:
        data = json.dumps({"keys": keys}, indent=2).encode("utf-8")
        _write_file(self.jwks_path, data, 0o644, replace=True)
