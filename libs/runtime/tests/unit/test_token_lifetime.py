"""Municipal and staff tokens live at most an hour (configurable); clocks get 30 s of slack."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest

from runtime.auth import AuthError, TokenVerifier
from runtime.local_issuer import LocalIssuer

ORGNR = "974760673"
TEN_YEARS = 10 * 365 * 24 * 3600


@pytest.fixture
def issuer(tmp_path: Path) -> LocalIssuer:
    return LocalIssuer.load_or_create(tmp_path / "issuer")


def signed(issuer: LocalIssuer, **times: int) -> str:
    claims: dict[str, Any] = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "client_id": "client-1",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORGNR}"},
        "scope": "kravflyt:claims.write",
        **times,
    }
    pem = (issuer.directory / "signing-key.pem").read_bytes()
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": issuer.kid})


def refusal(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    return caught.value.code


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def test_a_municipal_token_with_a_ten_year_lifetime_is_refused(issuer: LocalIssuer) -> None:
    token = signed(issuer, iat=now(), exp=now() + TEN_YEARS)

    assert refusal(issuer.verifier(), token) == "auth.token_lifetime_too_long"


def test_a_token_issued_in_the_future_to_expire_in_a_day_is_refused(issuer: LocalIssuer) -> None:
    token = signed(issuer, iat=now() + 86_000, exp=now() + 86_400)

    assert refusal(issuer.verifier(), token) == "auth.token_invalid"


def test_a_token_without_an_issue_time_is_refused(issuer: LocalIssuer) -> None:
    token = signed(issuer, exp=now() + 60)

    assert refusal(issuer.verifier(), token) == "auth.token_invalid"


def test_a_token_of_one_hour_is_accepted_and_the_limit_is_configurable(
    issuer: LocalIssuer,
) -> None:
    token = signed(issuer, iat=now(), exp=now() + 3600)
    strict = TokenVerifier(
        issuer.issuer, issuer.audience, issuer.jwks_url, max_lifetime_seconds=600
    )

    assert issuer.verifier().verify(token).orgnr == ORGNR
    assert refusal(strict, token) == "auth.token_lifetime_too_long"


def test_a_token_expired_for_more_than_thirty_seconds_is_refused(issuer: LocalIssuer) -> None:
    token = signed(issuer, iat=now() - 600, exp=now() - 31)

    assert refusal(issuer.verifier(), token) == "auth.token_expired"


def test_a_clock_leeway_of_more_than_thirty_seconds_cannot_be_configured(
    issuer: LocalIssuer,
) -> None:
    with pytest.raises(ValueError, match="leeway"):
        TokenVerifier(issuer.issuer, issuer.audience, issuer.jwks_url, leeway_seconds=300)
