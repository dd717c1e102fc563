"""Query parameters and staff text out of range or with control characters are 4xx problems
with a reason code naming the field, never a 500."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "query",
    ["older_than_days=8135950", "kind=%00", "kind=a%00b", "kind=" + "x" * 5000],
    ids=["age-of-22-thousand-years", "nul", "nul-inside", "query-of-5000-bytes"],
)
async def test_a_work_list_query_out_of_range_is_a_client_error_with_a_reason(dunning, query):
    response = await dunning.client.get(f"/v1/worklist?{query}", headers=dunning.staff())

    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in {
        "request.invalid",
        "request.query_invalid",
        "request.query_too_long",
    }


@pytest.mark.parametrize(
    ("reason", "code"),
    [("Avslått\u0000", "text.control_character"), ("\u200b\u200b", "text.empty")],
    ids=["nul", "only-zero-width-spaces"],
)
async def test_a_staff_decision_with_bad_text_is_refused_naming_the_field(dunning, reason, code):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    case_id = await dunning.case_of(claim)

    response = await dunning.client.post(
        f"/v1/cases/{case_id}/dispute", json={"reason": reason}, headers=dunning.staff()
    )

    assert response.status_code == 422, response.text
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [(code, "body.reason")]
