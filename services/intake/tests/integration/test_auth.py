"""Who may do what: bearer tokens, scopes, served organisations and tenant isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa

from intake_factories import (
    DRAMMEN_ORGNR,
    KONGSBERG_ORGNR,
    NOT_SERVED_ORGNR,
    claim_body,
)
from runtime.local_issuer import LocalIssuer

PROBLEM_JSON = "application/problem+json"
WRITE = "kravflyt:claims.write"
READ = "kravflyt:claims.read"


async def claims_with_invoice_number(intake: Any, invoice_number: str) -> int:
    async with intake.app.state.container.runtime.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM claim WHERE invoice_number = :n")
        return (await conn.execute(query, {"n": invoice_number})).scalar_one()


async def drammen_claim(intake: Any) -> dict[str, Any]:
    response = await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())
    assert response.status_code == 201, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_submission_without_a_token_is_refused_with_a_bearer_challenge(intake):
    body = claim_body()

    response = await intake.client.post("/v1/claims", json=body)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "auth.token_missing"
    assert await claims_with_invoice_number(intake, body["invoice_number"]) == 0


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v1/claims", id="the-list"),
        pytest.param(f"/v1/claims/{uuid4()}", id="one-claim"),
    ],
)
async def test_reading_without_a_token_is_refused(intake, path: str):
    response = await intake.client.get(path)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "auth.token_missing"


async def test_an_authorization_header_of_another_scheme_counts_as_no_token(intake):
    basic = {"Authorization": "Basic ZHJhbW1lbjpoZW1tZWxpZw=="}

    response = await intake.client.get("/v1/claims", headers=basic)

    assert response.status_code == 401
    assert response.json()["code"] == "auth.token_missing"


def garbage(_: LocalIssuer, __: Path) -> str:
    return "not-a-jwt-at-all"


def expired(issuer: LocalIssuer, _: Path) -> str:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    return issuer.issue_token(
        orgnr=DRAMMEN_ORGNR, scopes=[WRITE, READ], now=two_hours_ago, lifetime_seconds=600
    )


def signed_by_another_key(issuer: LocalIssuer, tmp_path: Path) -> str:
    impostor = LocalIssuer.load_or_create(tmp_path / "impostor", issuer.issuer, issuer.audience)
    return impostor.issue_token(orgnr=DRAMMEN_ORGNR, scopes=[WRITE, READ])


def forged_under_the_real_key_id(issuer: LocalIssuer, _: Path) -> str:
    genuine = issuer.issue_token(orgnr=DRAMMEN_ORGNR, scopes=[WRITE, READ])
    claims = jwt.decode(genuine, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": issuer.kid})


def for_another_audience(issuer: LocalIssuer, _: Path) -> str:
    same_key = LocalIssuer.load_or_create(issuer.directory, issuer.issuer, "another-service")
    return same_key.issue_token(orgnr=DRAMMEN_ORGNR, scopes=[WRITE, READ])


def from_another_issuer(issuer: LocalIssuer, _: Path) -> str:
    same_key = LocalIssuer.load_or_create(issuer.directory, "https://elsewhere", issuer.audience)
    return same_key.issue_token(orgnr=DRAMMEN_ORGNR, scopes=[WRITE, READ])


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        pytest.param(garbage, "auth.token_invalid", id="garbage"),
        pytest.param(expired, "auth.token_expired", id="expired"),
        pytest.param(signed_by_another_key, "auth.token_invalid", id="signed-by-another-key"),
        pytest.param(
            forged_under_the_real_key_id, "auth.token_invalid", id="forged-under-the-real-key-id"
        ),
        pytest.param(for_another_audience, "auth.wrong_audience", id="for-another-audience"),
        pytest.param(from_another_issuer, "auth.wrong_issuer", id="from-another-issuer"),
    ],
)
async def test_a_token_that_fails_verification_is_refused_and_books_nothing(
    intake, tmp_path: Path, make_token: Callable[[LocalIssuer, Path], str], code: str
):
    token = make_token(intake.issuer, tmp_path)
    body = claim_body()

    response = await intake.client.post("/v1/claims", json=body, headers=bearer(token))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == code
    assert await claims_with_invoice_number(intake, body["invoice_number"]) == 0


async def test_a_read_only_token_may_not_submit_claims(intake):
    body = claim_body()

    response = await intake.client.post(
        "/v1/claims", json=body, headers=intake.token(scopes=(READ,))
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "auth.scope_missing"
    assert f'scope="{WRITE}"' in response.headers["www-authenticate"]
    assert await claims_with_invoice_number(intake, body["invoice_number"]) == 0


async def test_a_write_only_token_may_not_read_claims(intake):
    headers = intake.token(scopes=(WRITE,))

    response = await intake.client.get("/v1/claims", headers=headers)

    assert response.status_code == 403
    assert response.json()["code"] == "auth.scope_missing"


async def test_a_read_only_token_may_not_adjust_a_claim(intake):
    claim = await drammen_claim(intake)
    adjustment = {"kind": "cancellation", "reason_code": "x", "reason": "Feil"}

    response = await intake.client.post(
        f"/v1/claims/{claim['id']}/adjustments",
        json=adjustment,
        headers=intake.token(scopes=(READ,)),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "auth.scope_missing"
    after = await intake.client.get(f"/v1/claims/{claim['id']}", headers=intake.token())
    assert after.json()["status"] == "open"


async def test_another_municipality_gets_not_found_for_a_claim_it_does_not_own(intake):
    claim = await drammen_claim(intake)
    kongsberg = intake.token(KONGSBERG_ORGNR)

    theirs = await intake.client.get(f"/v1/claims/{claim['id']}", headers=kongsberg)
    nobodys = await intake.client.get(f"/v1/claims/{uuid4()}", headers=kongsberg)

    assert theirs.status_code == 404
    assert theirs.headers["content-type"] == PROBLEM_JSON
    assert theirs.json()["code"] == "claim.not_found"
    # Existence must not leak: someone else's claim looks exactly like no claim at all.
    assert theirs.json() == nobodys.json()
    owner = await intake.client.get(f"/v1/claims/{claim['id']}", headers=intake.token())
    assert owner.status_code == 200


async def test_another_municipalitys_claims_are_absent_from_the_list(intake):
    claim = await drammen_claim(intake)

    kongsberg = await intake.client.get(
        "/v1/claims?limit=500", headers=intake.token(KONGSBERG_ORGNR)
    )
    drammen = await intake.client.get("/v1/claims?limit=500", headers=intake.token())

    assert kongsberg.status_code == 200
    assert claim["id"] not in {c["id"] for c in kongsberg.json()["items"]}
    assert {c["municipality"] for c in kongsberg.json()["items"]} <= {"3303"}
    assert claim["id"] in {c["id"] for c in drammen.json()["items"]}


async def test_another_municipality_cannot_adjust_a_claim_it_does_not_own(intake):
    claim = await drammen_claim(intake)
    adjustment = {"kind": "write_off", "reason_code": "x", "reason": "Ikke vår"}

    response = await intake.client.post(
        f"/v1/claims/{claim['id']}/adjustments",
        json=adjustment,
        headers=intake.token(KONGSBERG_ORGNR),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "claim.not_found"
    after = await intake.client.get(f"/v1/claims/{claim['id']}", headers=intake.token())
    assert (after.json()["status"], after.json()["principal_ore"]) == (
        "open",
        claim["principal_ore"],
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/v1/claims", id="submitting"),
        pytest.param("GET", "/v1/claims", id="listing"),
    ],
)
async def test_an_organisation_the_office_does_not_serve_is_forbidden(
    intake, method: str, path: str
):
    body = claim_body()
    headers = intake.token(NOT_SERVED_ORGNR)

    response = await intake.client.request(
        method, path, json=body if method == "POST" else None, headers=headers
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "auth.municipality_not_served"
    assert await claims_with_invoice_number(intake, body["invoice_number"]) == 0
