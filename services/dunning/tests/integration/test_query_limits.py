"""Query parameters out of range or with control characters are 4xx problems, never a 500."""

from __future__ import annotations

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
