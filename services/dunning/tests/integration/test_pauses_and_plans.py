"""Disputes, plans, deferrals, missed instalments, concern reports and failed letters."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

pytestmark = pytest.mark.integration


async def decide(dunning, item, decision, reason="Vurdert", headers=None):
    answer = await dunning.client.post(
        f"/v1/worklist/{item['id']}/decision",
        json={"decision": decision, "reason": reason},
        headers=headers or dunning.staff(),
    )
    assert answer.status_code == 204, answer.text


async def registered_with_purring(dunning, **kwargs):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20), **kwargs)
    await dunning.run(date(2026, 3, 23))
    return claim


async def test_a_dispute_pauses_the_case_until_a_caseworker_resumes_it(dunning):
    claim = await registered_with_purring(dunning)
    await dunning.citizen_disputes(claim)

    await dunning.run_days(date(2026, 3, 24), date(2026, 4, 20))
    assert await dunning.steps(claim) == [("purring", date(2026, 3, 23))]
    [item] = await dunning.work_items(kind="dispute")
    dunning.clock.set(date(2026, 4, 20))
    await decide(dunning, item, "resume", "Kravet er riktig; barnet gikk i barnehagen i mars")
    await dunning.run(date(2026, 4, 21))

    assert item["details"]["text"] == "Barnet sluttet i januar"
    assert await dunning.steps(claim) == [
        ("purring", date(2026, 3, 23)),
        ("inkassovarsel", date(2026, 4, 21)),
    ]
    assert [e["payload"]["reason"] for e in await dunning.events("cases.paused.v1")] == ["dispute"]
    assert len(await dunning.events("cases.resumed.v1")) == 1
    decided = await dunning.scalar("SELECT decided_by || ':' || decision_reason FROM work_item")
    assert decided == "cw-1:Kravet er riktig; barnet gikk i barnehagen i mars"


async def test_a_dispute_upheld_by_the_caseworker_closes_the_case(dunning):
    claim = await registered_with_purring(dunning)
    await dunning.citizen_disputes(claim)

    [item] = await dunning.work_items(kind="dispute")
    await decide(dunning, item, "close", "Innsigelsen er berettiget")
    await dunning.run_days(date(2026, 3, 24), date(2026, 5, 1))

    assert await dunning.case_status(claim) == "closed"
    assert len(await dunning.steps(claim)) == 1


async def test_a_plan_within_the_policy_limits_is_agreed_at_once(dunning):
    claim = await registered_with_purring(dunning)

    dunning.clock.set(date(2026, 3, 25))
    await dunning.citizen_asks_for_plan(claim, monthly_ore=60_000, first_due=date(2026, 4, 15))
    await dunning.run_days(date(2026, 3, 26), date(2026, 5, 30))

    [agreed] = await dunning.events("cases.plan_agreed.v1")
    instalments = agreed["payload"]["instalments"]
    # 3 250 kr + 5 days of interest (534 øre) over 60 000 øre a month: 6 instalments.
    assert [i["amount_ore"] for i in instalments] == [60_000] * 5 + [25_534]
    assert instalments[0]["due_date"] == "2026-04-15"
    assert instalments[-1]["due_date"] == "2026-09-15"
    assert await dunning.case_status(claim) == "paused"
    assert len(await dunning.steps(claim)) == 1


async def test_a_plan_outside_the_policy_limits_goes_to_the_queue(dunning):
    claim = await registered_with_purring(dunning)

    await dunning.citizen_asks_for_plan(claim, monthly_ore=10_000, first_due=date(2026, 4, 15))

    [item] = await dunning.work_items(kind="plan_outside_policy")
    assert await dunning.events("cases.plan_agreed.v1") == []
    codes = [p["code"] for p in item["details"]["problems"]]
    assert codes == ["plan.amount_too_low", "plan.too_many_months"]
    await decide(dunning, item, "grant", "Lav inntekt; NAV-veileder bekrefter")
    assert len(await dunning.events("cases.plan_agreed.v1")) == 1


async def test_a_missed_instalment_resumes_the_flow_after_the_grace_period(dunning):
    claim = await registered_with_purring(dunning)
    dunning.clock.set(date(2026, 3, 25))
    await dunning.citizen_asks_for_plan(claim, monthly_ore=100_000, first_due=date(2026, 4, 15))
    [agreed] = await dunning.events("cases.plan_agreed.v1")

    dunning.clock.set(date(2026, 4, 20))
    await dunning.instalment_missed(
        claim, UUID(agreed["payload"]["plan_id"]), await dunning.case_of(claim)
    )
    await dunning.run_days(date(2026, 4, 20), date(2026, 5, 5))

    # Grace of 14 days from 20 April: the inkassovarsel goes out on Monday 4 May.
    assert await dunning.steps(claim) == [
        ("purring", date(2026, 3, 23)),
        ("inkassovarsel", date(2026, 5, 4)),
    ]
    [resumed] = await dunning.events("cases.resumed.v1")
    assert resumed["payload"]["reason"] == "plan"


async def test_a_later_plan_request_after_a_broken_plan_goes_to_the_queue(dunning):
    claim = await registered_with_purring(dunning)
    dunning.clock.set(date(2026, 3, 25))
    await dunning.citizen_asks_for_plan(claim, monthly_ore=100_000, first_due=date(2026, 4, 15))
    [agreed] = await dunning.events("cases.plan_agreed.v1")
    dunning.clock.set(date(2026, 4, 20))
    await dunning.instalment_missed(
        claim, UUID(agreed["payload"]["plan_id"]), await dunning.case_of(claim)
    )

    await dunning.citizen_asks_for_plan(claim, monthly_ore=100_000, first_due=date(2026, 5, 15))

    [item] = await dunning.work_items(kind="plan_outside_policy")
    assert [p["code"] for p in item["details"]["problems"]] == ["plan.recently_broken"]


async def test_a_deferral_within_the_limit_holds_the_next_step_until_its_date(dunning):
    claim = await registered_with_purring(dunning)

    dunning.clock.set(date(2026, 3, 25))
    await dunning.citizen_asks_for_deferral(claim, date(2026, 4, 20))
    await dunning.run_days(date(2026, 3, 26), date(2026, 4, 21))

    assert await dunning.steps(claim) == [
        ("purring", date(2026, 3, 23)),
        ("inkassovarsel", date(2026, 4, 20)),
    ]
    [paused] = await dunning.events("cases.paused.v1")
    assert (paused["payload"]["reason"], paused["payload"]["until"]) == ("deferral", "2026-04-20")


async def test_a_concern_report_pauses_letters_and_records_who_and_why(dunning):
    claim = await registered_with_purring(dunning)
    case_id = await dunning.case_of(claim)

    answer = await dunning.client.post(
        f"/v1/cases/{case_id}/flags",
        json={"kind": "concern", "reason": "Familien har det vanskelig; meldt til NAV"},
        headers=dunning.staff(),
    )
    await dunning.run_days(date(2026, 3, 24), date(2026, 4, 30))

    assert answer.status_code == 204, answer.text
    assert len(await dunning.steps(claim)) == 1
    flag = await dunning.scalar("SELECT set_by_name || ': ' || reason FROM debtor_flag")
    assert flag == "Kari Saksbehandler: Familien har det vanskelig; meldt til NAV"
    explained = (
        await dunning.client.get(f"/v1/cases/{case_id}/explain", headers=dunning.staff())
    ).json()
    assert any(
        "bekymringsmelding" in s and "Kari Saksbehandler" in s for s in explained["sentences"]
    )


async def test_a_deceased_debtor_stops_the_flow(dunning):
    claim = await registered_with_purring(dunning)
    case_id = await dunning.case_of(claim)

    await dunning.client.post(
        f"/v1/cases/{case_id}/flags",
        json={"kind": "deceased", "reason": "Dødsbo"},
        headers=dunning.staff(),
    )
    await dunning.run_days(date(2026, 3, 24), date(2026, 5, 30))

    assert await dunning.case_status(claim) == "stopped"
    assert len(await dunning.steps(claim)) == 1
    [paused] = await dunning.events("cases.paused.v1")
    assert paused["payload"]["reason"] == "deceased"


async def test_a_letter_that_could_not_be_delivered_goes_to_the_queue(dunning):
    claim = await registered_with_purring(dunning)
    [notice] = await dunning.events("notices.requested.v2")

    await dunning.notice_failed(
        claim, UUID(notice["payload"]["notice_id"]), await dunning.case_of(claim)
    )

    [item] = await dunning.work_items(kind="delivery_failed")
    assert item["details"]["reason"] == "Ukjent adresse"
    assert await dunning.case_status(claim) == "paused"
