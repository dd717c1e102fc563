import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from runtime.auth import Principal
from runtime.local_issuer import DEFAULT_AUDIENCE, DEFAULT_ISSUER, LocalIssuer


def test_load_or_create_writes_a_private_key_only_the_owner_can_read(tmp_path: Path) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path / "keys")

    key_file = tmp_path / "keys" / "signing-key.pem"
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert issuer.issuer == DEFAULT_ISSUER
    assert issuer.audience == DEFAULT_AUDIENCE


def test_jwks_holds_only_the_public_key_with_its_kid(tmp_path: Path) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path)

    jwks = json.loads(issuer.jwks_path.read_text())

    assert [key["kid"] for key in jwks["keys"]] == [issuer.kid]
    (key,) = jwks["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert "d" not in key
    assert issuer.jwks_url == issuer.jwks_path.resolve().as_uri()
    assert issuer.jwks_url.startswith("file:///")


def test_load_or_create_reuses_the_existing_key(tmp_path: Path) -> None:
    first = LocalIssuer.load_or_create(tmp_path)

    second = LocalIssuer.load_or_create(tmp_path, issuer="http://other", audience="other")

    assert second.kid == first.kid
    assert second.issuer == "http://other"
    assert second.audience == "other"


def test_load_or_create_republishes_a_lost_jwks_file(tmp_path: Path) -> None:
    first = LocalIssuer.load_or_create(tmp_path)
    first.jwks_path.unlink()

    second = LocalIssuer.load_or_create(tmp_path)

    assert json.loads(second.jwks_path.read_text())["keys"][0]["kid"] == first.kid


def test_issued_token_has_maskinporten_claim_shape(tmp_path: Path) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path)
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    token = issuer.issue_token(
        orgnr="974760673", scopes=["kravflyt:krav.write", "kravflyt:krav.read"], now=now
    )

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256"
    assert header["kid"] == issuer.kid
    assert claims["iss"] == DEFAULT_ISSUER
    assert claims["aud"] == DEFAULT_AUDIENCE
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": "0192:974760673"}
    assert claims["scope"] == "kravflyt:krav.write kravflyt:krav.read"
    assert claims["client_id"] == "local-974760673"
    assert claims["iat"] == int(now.timestamp())
    assert claims["exp"] == int(now.timestamp()) + 3600
    assert claims["jti"]


def test_issued_token_verifies_with_the_issuers_own_verifier(tmp_path: Path) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path)
    token = issuer.issue_token(orgnr="974760673", scopes=["s1"], client_id="c1")

    principal = issuer.verifier().verify(token)

    assert principal == Principal(client_id="c1", orgnr="974760673", scopes=frozenset({"s1"}))


def test_rotated_key_keeps_tokens_in_flight_valid(tmp_path: Path) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path)
    verifier = issuer.verifier()
    old_token = issuer.issue_token(orgnr="974760673", scopes=["s1"])
    old_kid = issuer.kid

    issuer.rotate_key()
    new_token = issuer.issue_token(orgnr="974760673", scopes=["s1"])

    assert issuer.kid != old_kid
    assert LocalIssuer.load_or_create(tmp_path).kid == issuer.kid
    assert verifier.verify(old_token).orgnr == "974760673"
    assert verifier.verify(new_token).orgnr == "974760673"


@pytest.mark.parametrize(
    ("orgnr", "scopes", "lifetime", "error"),
    [
        ("97476067", ["s1"], 3600, ValueError),
        ("974760673", "s1 s2", 3600, TypeError),
        ("974760673", ["has space"], 3600, ValueError),
        ("974760673", ["s1"], 0, ValueError),
    ],
)
def test_issue_token_rejects_bad_arguments(
    tmp_path: Path, orgnr: str, scopes: list[str], lifetime: int, error: type[Exception]
) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path)

    with pytest.raises(error):
        issuer.issue_token(orgnr=orgnr, scopes=scopes, lifetime_seconds=lifetime)


def test_issue_token_rejects_a_naive_now(tmp_path: Path) -> None:
    issuer = LocalIssuer.load_or_create(tmp_path)

    with pytest.raises(ValueError):
        issuer.issue_token(orgnr="974760673", scopes=["s1"], now=datetime(2025, 1, 1))
