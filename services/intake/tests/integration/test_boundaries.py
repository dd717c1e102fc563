"""Hostile and careless input at intake's HTTP boundary: a 4xx with a reason, never a 500.

Each test is a finding of issue 13 (nesting, size, idempotency across whitespace, dates,
text, batch isolation, parameters in logs).
"""

from __future__ import annotations

import json

import pytest

from intake_factories import claim_body

pytestmark = pytest.mark.integration

JSON = {"content-type": "application/json"}


async def test_the_same_json_with_other_whitespace_under_one_key_is_the_same_request(intake):
    headers = {**intake.token(), **JSON, "Idempotency-Key": "whitespace-1"}
    body = claim_body()

    first = await intake.client.post("/v1/claims", content=json.dumps(body), headers=headers)
    again = await intake.client.post(
        "/v1/claims", content=json.dumps(body, indent=4, sort_keys=True), headers=headers
    )

    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())


async def test_a_body_nested_a_thousand_deep_is_refused_with_a_reason(intake):
    body = "[" * 1000 + "]" * 1000

    response = await intake.client.post(
        "/v1/claims", content=body, headers={**intake.token(), **JSON}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "request.json_too_deep"


async def test_a_body_over_ten_megabytes_is_refused_before_it_is_parsed(intake):
    body = json.dumps([claim_body(description="x" * 500) for _ in range(20_000)])
    assert len(body) > 10 * 1024 * 1024

    response = await intake.client.post(
        "/v1/claims", content=body, headers={**intake.token(), **JSON}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request.body_too_large"
