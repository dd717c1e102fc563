"""Dunning's OpenAPI documents the fields of every answer, and the answers are what it says."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest

from dunning_factories import policy_document
from runtime.testing import answer_schema, schemaless_answers

pytestmark = pytest.mark.integration


async def test_every_success_answer_is_documented_with_its_fields(dunning):
    document = (await dunning.client.get("/openapi.json")).json()

    assert schemaless_answers(document) == []


async def test_the_case_and_policy_answers_match_their_documented_schemas(dunning):
    document = (await dunning.client.get("/openapi.json")).json()
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 23), date(2026, 4, 23))
    case_id = await dunning.case_of(claim)
    staff, admin = dunning.staff(), dunning.admin()

    answers = {
        ("/v1/cases/{case_id}", "get"): await dunning.client.get(
            f"/v1/cases/{case_id}", headers=staff
        ),
        ("/v1/cases/{case_id}/explain", "get"): await dunning.client.get(
            f"/v1/cases/{case_id}/explain", headers=staff
        ),
        ("/v1/policies", "get"): await dunning.client.get("/v1/policies", headers=staff),
        ("/v1/policies/simulate", "post"): await dunning.client.post(
            "/v1/policies/simulate",
            json={"policy": policy_document(version=9), "days": 60},
            headers=admin,
        ),
        ("/v1/policies/{policy_id}", "put"): await dunning.client.put(
            "/v1/policies/default-private", json=policy_document(version=2), headers=admin
        ),
        ("/v1/policies/{policy_id}", "get"): await dunning.client.get(
            "/v1/policies/default-private", headers=staff
        ),
    }

    for (path, method), answer in answers.items():
        assert answer.status_code < 300, (path, answer.text)
        schema = answer_schema(document, path, method, answer.status_code)
        jsonschema.validate(answer.json(), schema, format_checker=jsonschema.FormatChecker())
    assert answers[("/v1/cases/{case_id}", "get")].json()["steps"]
