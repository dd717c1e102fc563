"""Personal data: identity numbers (keyed lookup hash, sealing, masking, JWE) and the sealed
name and address of a debtor on the bus."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe as jose_jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from pydantic import ValidationError

from contracts.claims import DebtorDetails, SubmittedDebtor

__all__ = [
    "DEFAULT_CONTEXT",
    "DETAILS_CONTEXT",
    "PersonalDataKeys",
    "SealError",
    "debtor_ref",
    "decrypt_debtor_from_municipality",
    "decrypt_from_municipality",
    "encrypt_debtor_for_office",
    "encrypt_for_office",
    "mask_identity_numbers",
    "normalise_identity_number",
    "open_details",
    "open_sealed",
    "seal",
    "seal_details",
]

DEFAULT_CONTEXT = b"kravflyt-debtor"
# A sealed name and address cannot pass for a sealed identity number, nor the other way round.
DETAILS_CONTEXT = b"kravflyt-debtor-details"
MASK = "*" * 11

_REF_PREFIX = "ref1_"
_SEAL_VERSION = "v1"
_NONCE_BYTES = 12
_JWE_ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_IDENTITY_NUMBER = re.compile(r"[0-9]{11}|[0-9]{9}")
# Letters count as part of the token too, so hex runs inside UUIDs and other ids stay intact.
_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{6} ?[0-9]{5}(?![0-9A-Za-z])")


class SealError(ValueError):
    """A sealed or encrypted value could not be opened; never carries the plaintext."""


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    stripped = text.strip()
    padded = stripped + "=" * (-len(stripped) % 4)
    return base64.b64decode(padded, altchars=b"-_", validate=True)


@dataclass(frozen=True, repr=False)
class PersonalDataKeys:
    """Pseudonym key for `debtor_ref` and AES-256 sealing keys by key id."""

    pseudonym_key: bytes
    sealing_keys: dict[str, bytes]
    active_key_id: str
    # One cipher object per key: setting one up costs twice the sealing of a number.
    _ciphers: dict[str, AESGCM] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.pseudonym_key) < 32:
            raise ValueError("pseudonym_key must be at least 32 bytes")
        if not self.sealing_keys:
            raise ValueError("at least one sealing key is required")
        for kid, key in self.sealing_keys.items():
            if not _KEY_ID.fullmatch(kid):
                raise ValueError(f"sealing key id {kid!r} must match [A-Za-z0-9_-]{{1,64}}")
            if len(key) != 32:
                raise ValueError(f"sealing key {kid!r} must be 32 bytes")
        if self.active_key_id not in self.sealing_keys:
            raise ValueError(f"active key id {self.active_key_id!r} has no sealing key")
        object.__setattr__(self, "sealing_keys", dict(self.sealing_keys))
        ciphers = {kid: AESGCM(key) for kid, key in self.sealing_keys.items()}
        object.__setattr__(self, "_ciphers", ciphers)

    def __repr__(self) -> str:
        # Keys must never end up in logs or tracebacks.
        return (
            f"PersonalDataKeys(key_ids={sorted(self.sealing_keys)!r}, "
            f"active_key_id={self.active_key_id!r})"
        )

    @classmethod
    def from_strings(
        cls, pseudonym_key: str, sealing_keys: str, active_key_id: str
    ) -> PersonalDataKeys:
        """Parse base64url keys; `sealing_keys` is "kid1:base64url,kid2:base64url"."""
        try:
            pseudonym = _b64url_decode(pseudonym_key)
        except (binascii.Error, ValueError):
            raise ValueError("pseudonym_key is not valid base64url") from None
        parsed: dict[str, bytes] = {}
        for item in sealing_keys.split(","):
            if not item.strip():
                continue
            kid, sep, encoded = item.strip().partition(":")
            if not sep:
                raise ValueError("sealing_keys must be 'kid:base64url' pairs separated by ','")
            if kid in parsed:
                raise ValueError(f"sealing key id {kid!r} appears twice")
            try:
                parsed[kid] = _b64url_decode(encoded)
            except (binascii.Error, ValueError):
                raise ValueError(f"sealing key {kid!r} is not valid base64url") from None
        return cls(pseudonym, parsed, active_key_id.strip())

    @classmethod
    def generate(cls, key_id: str = "local1") -> PersonalDataKeys:
        """Fresh random keys, for local runs and tests."""
        return cls(secrets.token_bytes(32), {key_id: AESGCM.generate_key(256)}, key_id)

    def to_strings(self) -> tuple[str, str, str]:
        """Inverse of `from_strings`: (pseudonym_key, sealing_keys, active_key_id)."""
        sealing = ",".join(f"{kid}:{_b64url_encode(k)}" for kid, k in self.sealing_keys.items())
        return _b64url_encode(self.pseudonym_key), sealing, self.active_key_id


def normalise_identity_number(identity_number: str) -> str:
    """Strip whitespace; raise ValueError unless 11 (person) or 9 (organisation) digits remain."""
    compact = "".join(identity_number.split())
    if not _IDENTITY_NUMBER.fullmatch(compact):
        # Deliberately does not echo the value: it may be a mistyped identity number.
        raise ValueError("identity number must be 11 or 9 digits")
    return compact


def debtor_ref(keys: PersonalDataKeys, identity_number: str) -> str:
    """Stable pseudonym: "ref1_" + base64url(HMAC-SHA256(pseudonym_key, number))."""
    number = normalise_identity_number(identity_number).encode("ascii")
    digest = hmac.new(keys.pseudonym_key, number, hashlib.sha256).digest()
    return _REF_PREFIX + _b64url_encode(digest)


def _seal_bytes(keys: PersonalDataKeys, plaintext: bytes, context: bytes) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = keys._ciphers[keys.active_key_id].encrypt(nonce, plaintext, context)
    return f"{_SEAL_VERSION}.{keys.active_key_id}.{_b64url_encode(nonce + ciphertext)}"


def _open_bytes(keys: PersonalDataKeys, sealed: str, context: bytes) -> bytes:
    parts = sealed.split(".")
    if len(parts) != 3 or parts[0] != _SEAL_VERSION:
        raise SealError("sealed value has an unknown format")
    _, kid, payload = parts
    cipher = keys._ciphers.get(kid)
    if cipher is None:
        # The key id comes from untrusted input: bound it and mask it before echoing.
        raise SealError(f"sealed value uses unknown key id {mask_identity_numbers(kid[:64])!r}")
    try:
        raw = _b64url_decode(payload)
    except (binascii.Error, ValueError):
        raise SealError("sealed value is not valid base64url") from None
    if len(raw) <= _NONCE_BYTES:
        raise SealError("sealed value is too short")
    try:
        return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context)
    except InvalidTag:
        raise SealError("sealed value failed authentication") from None


def seal(keys: PersonalDataKeys, identity_number: str, *, context: bytes = DEFAULT_CONTEXT) -> str:
    """AES-256-GCM under the active key: "v1.<kid>.<base64url(nonce + ciphertext)>"."""
    number = normalise_identity_number(identity_number).encode("ascii")
    return _seal_bytes(keys, number, context)


def open_sealed(keys: PersonalDataKeys, sealed: str, *, context: bytes = DEFAULT_CONTEXT) -> str:
    """Open a value from `seal` with whichever key sealed it; SealError if not possible."""
    try:
        return _open_bytes(keys, sealed, context).decode("ascii")
    except UnicodeDecodeError:
        raise SealError("sealed value failed authentication") from None


def seal_details(keys: PersonalDataKeys, details: DebtorDetails) -> str:
    """A debtor's name and address as JSON, sealed like `seal` under `DETAILS_CONTEXT`."""
    return _seal_bytes(keys, details.model_dump_json().encode("utf-8"), DETAILS_CONTEXT)


def open_details(keys: PersonalDataKeys, sealed: str) -> DebtorDetails:
    """Open a value from `seal_details`; SealError (never echoing the content) if not possible."""
    plaintext = _open_bytes(keys, sealed, DETAILS_CONTEXT)
    try:
        return DebtorDetails.model_validate_json(plaintext)
    except ValidationError:
        # The error would quote the input, which is the person's name and address.
        raise SealError("sealed details are not a name and address") from None


def mask_identity_numbers(text: str) -> str:
    """Replace 11-digit runs ("DDMMYYNNNNN" or "DDMMYY NNNNN") with asterisks."""
    return _IN_TEXT.sub(MASK, text)


def _encrypt_for_office(public_jwk: Mapping[str, Any], plaintext: str) -> str:
    key = RSAKey.import_key(dict(public_jwk))
    header: dict[str, Any] = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
    if isinstance(public_jwk.get("kid"), str):
        header["kid"] = public_jwk["kid"]
    return jose_jwe.encrypt_compact(header, plaintext, key, algorithms=_JWE_ALGORITHMS)


def _decrypt_from_municipality(private_key_pem: bytes, jwe: str) -> bytes:
    try:
        key = RSAKey.import_key(private_key_pem)
        result = jose_jwe.decrypt_compact(jwe, key, algorithms=_JWE_ALGORITHMS)
    except (JoseError, ValueError, TypeError):
        raise SealError("JWE could not be decrypted") from None
    if result.plaintext is None:
        raise SealError("JWE has no payload")
    return result.plaintext


def encrypt_for_office(public_jwk: Mapping[str, Any], identity_number: str) -> str:
    """Compact JWE (RSA-OAEP-256 + A256GCM) of an identity number for the office's key."""
    return _encrypt_for_office(public_jwk, normalise_identity_number(identity_number))


def decrypt_from_municipality(private_key_pem: bytes, jwe: str) -> str:
    """Decrypt an `encrypt_for_office` JWE with the office's private key; SealError on failure."""
    plaintext = _decrypt_from_municipality(private_key_pem, jwe)
    try:
        return normalise_identity_number(plaintext.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise SealError("JWE payload is not an identity number") from None


def encrypt_debtor_for_office(public_jwk: Mapping[str, Any], debtor: SubmittedDebtor) -> str:
    """Compact JWE of a whole debtor (`SubmittedDebtor` as JSON), as in `claims.submitted.v2`."""
    normalise_identity_number(debtor.identity_number)
    return _encrypt_for_office(public_jwk, debtor.model_dump_json())


def decrypt_debtor_from_municipality(private_key_pem: bytes, jwe: str) -> SubmittedDebtor:
    """Decrypt an `encrypt_debtor_for_office` JWE; SealError (never quoting it) on failure."""
    plaintext = _decrypt_from_municipality(private_key_pem, jwe)
    try:
        debtor = SubmittedDebtor.model_validate_json(plaintext)
        number = normalise_identity_number(debtor.identity_number)
    except ValueError:
        # pydantic's ValidationError is a ValueError; neither message may quote the person.
        raise SealError("JWE payload is not a debtor with an identity number") from None
    return debtor.model_copy(update={"identity_number": number})
