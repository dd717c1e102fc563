"""The caseworkers' and administrators' API: explain, scoping, policies, the dry run."""

from __future__ import annotations

from datetime import date

import pytest

from dunning_factories import policy_document, with_step

pytestmark = pytest.mark.integration


async def test_explain_names_the_rule_and_the_legal_basis_of_every_step(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 23), date(2026, 4, 23))
    case_id = await dunning.case_of(claim)

    answer = await dunning.client.get(f"/v1/cases/{case_id}/explain", headers=dunning.staff())

    assert answer.status_code == 200, answer.text
    steps = answer.json()["steps"]
    assert [(s["step_kind"], s["rule"], s["legal_basis"]) for s in steps] == [
        ("purring", "default-private v1 trinn 1 «purring»", "inkassoforskriften § 1-2"),
        ("inkassovarsel", "default-private v1 trinn 2 «inkassovarsel»", "inkassoloven § 9"),
        (
            "betalingsoppfordring",
            "default-private v1 trinn 3 «betalingsoppfordring»",
            "inkassoloven § 10",
        ),
    ]
    purring, varsel, _ = (s["text"] for s in steps)
    assert purring.startswith("23.03.2026: purring (default-private v1 trinn 1 «purring»")
    assert "Regelen sier 3 dager etter forfallsdatoen (20.03.2026), altså 23.03.2026." in purring
    assert "Hjemmel: inkassoforskriften § 1-2." in purring
    assert "06.04.2026 er ikke en virkedag" in purring and "Betalingsfrist 07.04.2026" in purring
    assert "Gebyr: ingen." in purring
    assert "Gebyr 37,50\xa0kr (1/20 av inkassosatsen på 750,00\xa0kr" in varsel
    sentences = answer.json()["sentences"]
    assert sentences[0].startswith(
        "20.03.2026: Saken ble opprettet etter retningslinje default-private"
    )


async def test_a_caseworker_cannot_see_or_act_on_another_municipalitys_cases(dunning):
    dunning.clock.set(date(2026, 3, 20))
    kongsberg = await dunning.register(due=date(2026, 3, 20), municipality="3303")
    await dunning.citizen_disputes(kongsberg)
    case_id = await dunning.case_of(kongsberg)
    drammen_only = dunning.staff(municipalities=("3301",))
    [item] = await dunning.work_items(kind="dispute")

    seen = await dunning.client.get(f"/v1/cases/{case_id}", headers=drammen_only)
    explained = await dunning.client.get(f"/v1/cases/{case_id}/explain", headers=drammen_only)
    listed = await dunning.work_items(headers=drammen_only)
    filtered = await dunning.work_items(headers=drammen_only, municipality="3303")
    acted = await dunning.client.post(
        f"/v1/cases/{case_id}/dispute", json={"reason": "x"}, headers=drammen_only
    )
    decided = await dunning.client.post(
        f"/v1/worklist/{item['id']}/decision",
        json={"decision": "close", "reason": "x"},
        headers=drammen_only,
    )
    assigned = await dunning.client.post(
        f"/v1/worklist/{item['id']}/assign", json={}, headers=drammen_only
    )

    assert [seen.status_code, explained.status_code, acted.status_code] == [404, 404, 404]
    assert [decided.status_code, assigned.status_code] == [404, 404]
    assert listed == [] and filtered == []
    assert await dunning.case_status(kongsberg) == "paused"
    own = await dunning.client.get(
        f"/v1/cases/{case_id}", headers=dunning.staff(municipalities=("3303",))
    )
    assert own.status_code == 200
    assert "debtor_sealed" not in own.json()


async def test_staff_endpoints_need_a_staff_token_with_the_role(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    case_id = await dunning.case_of(claim)

    anonymous = await dunning.client.get(f"/v1/cases/{case_id}")
    no_role = await dunning.client.get(
        f"/v1/cases/{case_id}", headers=dunning.staff(roles=("reader",))
    )
    not_admin = await dunning.client.post("/v1/runs", json={}, headers=dunning.staff())

    assert [anonymous.status_code, no_role.status_code, not_admin.status_code] == [401, 403, 403]


async def test_the_work_list_filters_by_kind_and_age_and_records_assignment(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.citizen_disputes(claim)
    [item] = await dunning.work_items(kind="dispute")

    assigned = await dunning.client.post(
        f"/v1/worklist/{item['id']}/assign",
        json={"to": "cw-2", "to_name": "Per"},
        headers=dunning.staff(),
    )
    dunning.clock.set(date(2026, 3, 30))
    old = await dunning.work_items(kind="dispute", older_than_days=7)
    too_old = await dunning.work_items(kind="dispute", older_than_days=30)

    assert assigned.status_code == 204
    assert [(i["assigned_to"], i["age_days"]) for i in old] == [("cw-2", 10)]
    assert too_old == []


async def test_the_work_list_warns_of_limitation_and_lists_steps_planned_in_14_days(dunning):
    dunning.clock.set(date(2026, 3, 20))
    await dunning.register(due=date(2023, 6, 1))
    soon = await dunning.register(due=date(2026, 3, 25))

    limitation = await dunning.work_items(kind="limitation")
    planned = await dunning.work_items(kind="planned_step")

    [warning] = limitation
    assert warning["details"]["limitation_date"] == "2026-06-01"
    assert "foreldes 01.06.2026" in warning["summary"]
    assert {(p["case_id"], p["details"]["step"]) for p in planned} >= {
        (str(await dunning.case_of(soon)), "purring")
    }


async def test_an_admin_loads_a_new_policy_version_that_new_cases_follow(dunning):
    document = with_step(
        policy_document(version=2), "purring", when={"days": 7, "after": "due_date"}
    )

    loaded = await dunning.client.put(
        "/v1/policies/default-private", json=document, headers=dunning.admin()
    )
    again = await dunning.client.put(
        "/v1/policies/default-private", json=document, headers=dunning.admin()
    )
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 20), date(2026, 3, 31))

    assert loaded.status_code == 201, loaded.text
    assert again.status_code == 409
    assert await dunning.steps(claim) == [("purring", date(2026, 3, 27))]
    [opened] = await dunning.events("cases.opened.v1")
    assert opened["payload"]["policy_version"] == 2


async def test_an_unlawful_policy_is_refused_through_the_api_with_its_reasons(dunning):
    document = with_step(policy_document(version=2), "purring", fee="inkassosats")

    answer = await dunning.client.put(
        "/v1/policies/default-private", json=document, headers=dunning.admin()
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [(e["code"], e["step"]) for e in answer.json()["errors"]] == [
        ("policy.fee_too_early", "purring")
    ]


async def test_the_dry_run_reports_the_letters_the_real_run_then_produces_and_writes_nothing(
    dunning,
):
    dunning.clock.set(date(2026, 3, 20))
    for due in (
        date(2026, 3, 20),
        date(2026, 3, 20),
        date(2026, 3, 5),
        date(2026, 2, 20),
        date(2026, 4, 1),
    ):
        await dunning.register(due=due)
    await dunning.run_days(date(2026, 3, 20), date(2026, 3, 22))
    before = await _row_counts(dunning)

    simulated = await dunning.client.post(
        "/v1/policies/simulate",
        json={"policy": policy_document(), "days": 1, "date": "2026-03-23"},
        headers=dunning.admin(),
    )
    after = await _row_counts(dunning)
    report = await dunning.run(date(2026, 3, 23))

    assert simulated.status_code == 200, simulated.text
    assert after == before
    body = simulated.json()
    real = await dunning.events("notices.requested.v2")
    real_letters = sorted(
        (n["payload"]["case_id"], n["payload"]["step_kind"])
        for n in real
        if n["payload"]["sent_date"] == "2026-03-23"
    )
    assert sorted((s["case_id"], s["step_kind"]) for s in body["steps"]) == real_letters
    assert body["letters"] == [dict(entry) for entry in report.as_json()["letters"]]
    assert body["fees_ore"] == report.fees_ore


async def test_the_dry_run_of_a_draft_reports_letters_fees_and_cases_reaching_enforcement(dunning):
    dunning.clock.set(date(2026, 3, 20))
    for _ in range(3):
        await dunning.register(due=date(2026, 3, 20))

    answer = await dunning.client.post(
        "/v1/policies/simulate",
        json={"policy": policy_document(version=9), "days": 60},
        headers=dunning.admin(),
    )

    body = answer.json()
    assert body["letters"] == [
        {"step_kind": "betalingsoppfordring", "channel": "digital", "count": 3},
        {"step_kind": "inkassovarsel", "channel": "digital", "count": 3},
        {"step_kind": "purring", "channel": "digital", "count": 3},
    ]
    assert body["fees_ore"] == 3 * (3750 + 11250)
    assert body["cases_reaching_enforcement"] == 3


async def test_the_run_can_be_started_through_the_api_by_the_office_admin(dunning):
    dunning.clock.set(date(2026, 3, 20))
    await dunning.register(due=date(2026, 3, 6))

    answer = await dunning.client.post(
        "/v1/runs", json={"shard": "0/1"}, headers=dunning.office_admin()
    )
    bad = await dunning.client.post(
        "/v1/runs", json={"shard": "3/2"}, headers=dunning.office_admin()
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["run_date"] == "2026-03-20"
    assert answer.json()["letters"] == [{"step_kind": "purring", "channel": "digital", "count": 1}]
    assert bad.status_code == 422


async def _row_counts(dunning):
    tables = ("dunning_case", "step", "fee", "outbox", "work_item", "case_log", "plan")
    counts = {t: await dunning.scalar(f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608
    counts["next"] = await dunning.scalar(
        "SELECT string_agg(next_action_date::text, ',' ORDER BY id) FROM dunning_case"
    )
    return counts


async def test_a_new_version_for_running_cases_applies_from_their_next_step(dunning):
    dunning.clock.set(date(2026, 3, 20))
    running = await dunning.register(due=date(2026, 3, 20))
    await dunning.run(date(2026, 3, 23))
    document = with_step(
        policy_document(version=2, applies_to_running=True),
        "inkassovarsel",
        when={"days": 8, "after": "previous_deadline"},
    )

    loaded = await dunning.client.put(
        "/v1/policies/default-private", json=document, headers=dunning.admin()
    )
    await dunning.run_days(date(2026, 3, 24), date(2026, 4, 15))

    assert loaded.status_code == 201, loaded.text
    # Purring under v1 (deadline 7 April); the inkassovarsel under v2, 8 days after it.
    assert await dunning.steps(running) == [
        ("purring", date(2026, 3, 23)),
        ("inkassovarsel", date(2026, 4, 15)),
    ]
    [_, varsel] = await dunning.events("cases.step_taken.v1")
    assert varsel["payload"]["rule"] == "default-private v2 trinn 2 «inkassovarsel»"


async def test_an_admin_cannot_load_a_policy_for_a_municipality_they_do_not_serve(dunning):
    document = policy_document("drammen-barnehage", version=2)

    answer = await dunning.client.put(
        "/v1/policies/drammen-barnehage",
        json=document,
        headers=dunning.admin(municipalities=("3303",)),
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "policy.municipality_not_served"
