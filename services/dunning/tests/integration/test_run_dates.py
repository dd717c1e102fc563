"""The daily run through its API: today only, audited catch-up, the office's role, bounded input."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.integration

TODAY = date(2026, 3, 20)


async def _daily_runs(dunning):
    return await dunning.scalar("SELECT count(*) FROM daily_run")


@pytest.mark.parametrize(
    ("day", "code"),
    [
        ("2316-10-08", "run.date_in_future"),
        ("2026-04-14", "run.date_in_future"),
        ("2026-03-10", "run.date_in_past"),
    ],
)
async def test_a_run_for_a_date_other_than_today_is_refused_and_touches_no_case(dunning, day, code):
    dunning.clock.set(TODAY)
    claim = await dunning.register(due=date(2026, 3, 6))

    answer = await dunning.client.post(
        "/v1/runs", json={"date": day}, headers=dunning.office_admin()
    )

    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert await dunning.case_status(claim) == "active"
    assert await dunning.steps(claim) == []
    assert await _daily_runs(dunning) == 0


async def test_an_oversized_shard_is_refused_without_recording_a_failed_run(dunning):
    dunning.clock.set(TODAY)

    answer = await dunning.client.post(
        "/v1/runs", json={"shard": "5773/156847149337395"}, headers=dunning.office_admin()
    )
    too_many = await dunning.client.post(
        "/v1/runs", json={"shard": "5/2000"}, headers=dunning.office_admin()
    )

    assert (answer.status_code, too_many.status_code) == (422, 422)
    assert too_many.json()["code"] == "run.shard_invalid"
    assert await _daily_runs(dunning) == 0


async def test_only_the_office_admin_role_starts_the_office_wide_run(dunning):
    dunning.clock.set(TODAY)

    admin_of_nothing = await dunning.client.post(
        "/v1/runs", json={}, headers=dunning.admin(municipalities=())
    )
    admin_of_some = await dunning.client.post("/v1/runs", json={}, headers=dunning.admin())
    office = await dunning.client.post("/v1/runs", json={}, headers=dunning.office_admin())

    assert [admin_of_nothing.status_code, admin_of_some.status_code] == [403, 403]
    assert admin_of_nothing.json()["code"] == "auth.role_missing"
    assert office.status_code == 200, office.text
    assert await _daily_runs(dunning) == 1


async def test_a_catch_up_runs_the_missed_days_in_order_and_records_who_and_why(dunning):
    dunning.clock.set(date(2026, 3, 1))
    claim = await dunning.register(due=date(2026, 3, 13))
    dunning.clock.set(TODAY)

    answer = await dunning.client.post(
        "/v1/runs/catch-up",
        json={"first_date": "2026-03-16", "reason": "CronJob stod stille"},
        headers=dunning.office_admin(),
    )

    assert answer.status_code == 200, answer.text
    assert [r["run_date"] for r in answer.json()["runs"]] == [
        "2026-03-16",
        "2026-03-17",
        "2026-03-18",
        "2026-03-19",
    ]
    assert await dunning.steps(claim) == [("purring", date(2026, 3, 16))]
    assert await dunning.rows(
        "SELECT first_date, last_date, requested_by, reason FROM run_catch_up"
    ) == [(date(2026, 3, 16), date(2026, 3, 19), "ops-1", "CronJob stod stille")]
    assert await dunning.rows("SELECT run_date FROM daily_run ORDER BY started_at") == [
        (date(2026, 3, 16),),
        (date(2026, 3, 17),),
        (date(2026, 3, 18),),
        (date(2026, 3, 19),),
    ]


@pytest.mark.parametrize(
    ("first", "code"),
    [
        ("2026-03-12", "run.catch_up_too_far"),
        ("2026-03-20", "run.catch_up_not_past"),
        ("2316-10-08", "run.catch_up_not_past"),
    ],
)
async def test_a_catch_up_beyond_seven_days_or_not_in_the_past_is_refused_unrecorded(
    dunning, first, code
):
    dunning.clock.set(TODAY)

    answer = await dunning.client.post(
        "/v1/runs/catch-up",
        json={"first_date": first, "reason": "Glemt"},
        headers=dunning.office_admin(),
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == code
    assert await dunning.scalar("SELECT count(*) FROM run_catch_up") == 0
    assert await _daily_runs(dunning) == 0


async def test_a_catch_up_needs_the_office_admin_role_and_a_reason(dunning):
    dunning.clock.set(TODAY)
    body = {"first_date": "2026-03-18", "reason": "Glemt"}

    admin = await dunning.client.post("/v1/runs/catch-up", json=body, headers=dunning.admin())
    no_reason = await dunning.client.post(
        "/v1/runs/catch-up", json={**body, "reason": ""}, headers=dunning.office_admin()
    )
    nul = await dunning.client.post(
        "/v1/runs/catch-up", json={**body, "reason": "a\u0000b"}, headers=dunning.office_admin()
    )

    assert [admin.status_code, no_reason.status_code, nul.status_code] == [403, 422, 422]


@pytest.mark.parametrize(
    "params",
    [{"older_than_days": "8135950"}, {"kind": "\u0000"}, {"kind": "x" * 41}],
)
async def test_the_work_list_refuses_out_of_range_or_unprintable_filters_as_a_problem(
    dunning, params
):
    answer = await dunning.client.get("/v1/worklist", params=params, headers=dunning.staff())

    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_work_list_answers_as_its_openapi_document_says(dunning):
    import jsonschema

    dunning.clock.set(TODAY)
    claim = await dunning.register(due=date(2023, 6, 1))
    await dunning.citizen_disputes(claim)
    document = (await dunning.client.get("/openapi.json")).json()
    media = document["paths"]["/v1/worklist"]["get"]["responses"]["200"]["content"]

    answer = await dunning.client.get("/v1/worklist", headers=dunning.staff())

    assert {i["kind"] for i in answer.json()["items"]} >= {"dispute", "limitation"}
    schema = {**media["application/json"]["schema"], "components": document["components"]}
    jsonschema.validate(answer.json(), schema)
    assert media["application/json"]["schema"] == {"$ref": "#/components/schemas/WorkListOut"}
